import pytest


@pytest.fixture
def omnicart_plugin() -> str:
    return "clearance"  # the entry-point name in pyproject.toml


@pytest.fixture
def omnicart_plugin_settings() -> dict[str, object]:
    return {"amount_off": "5.00", "skus": ["DMO-0001-BLK-34"]}
