from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from omnicart_loyalty import ledger

from omnicart.testing import Omnicart


@pytest.fixture
def omnicart_plugin() -> str:
    return "loyalty"  # the entry-point name in pyproject.toml


@pytest.fixture
def omnicart_plugin_settings() -> dict[str, object]:
    return {"points_per_unit": 1, "point_value": "0.01"}


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def loyalty_tables(
    omnicart: Omnicart, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """The plugin's tables live in the kit's database and are ours to clean: each test
    starts without accounts (the kit empties only Omnicart's own tables)."""
    monkeypatch.setattr(ledger, "DATABASE_URL", omnicart.database_url)
    await ledger.drop_tables(omnicart.engine)
    yield
    await ledger.drop_tables(omnicart.engine)
