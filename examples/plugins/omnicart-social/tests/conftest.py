from collections.abc import Mapping

import pytest


@pytest.fixture
def omnicart_plugin() -> str:
    return "social-shop"  # the entry-point name in pyproject.toml


@pytest.fixture
def omnicart_channel() -> str:
    return "marketplace"  # the demo's marketplace-kind channel


@pytest.fixture
def app_secret() -> str:
    """The secret the tests' "platform" signs with; a channel holds the Meta app's."""
    return "7f3c1e9a0b5d4c2e8f6a1b3c5d7e9f01"


@pytest.fixture
def omnicart_plugin_settings(app_secret: str) -> Mapping[str, object]:
    return {"app_secret": app_secret}
