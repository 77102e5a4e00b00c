"""The event plugin printed in docs/plugins.md works as the guide says: the test runs
the guide's own code against a real database and the real delivery."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from core.event_hooks.dispatcher import EventDispatcher
from core.inventory import services
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import make_shop

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[types.ModuleType]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### An audit trail") :]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None, "the guide lost its event plugin example"
    module = types.ModuleType("omnicart_audit")
    sys.modules[module.__name__] = module
    try:
        exec(compile(match.group(1), str(GUIDE), "exec"), module.__dict__)
        module.__dict__["AUDIT_FILE"] = tmp_path / "events.jsonl"
        yield module
    finally:
        del sys.modules[module.__name__]


async def test_the_audit_trail_gets_a_line_per_committed_event(
    runtime: Runtime, settings: Settings, audit: types.ModuleType
) -> None:
    shop_runtime = Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=runtime.clock,
        plugins=PluginHost.load(extra={"audit": audit}),
    )
    shop = await make_shop(shop_runtime)
    await services.set_stock(
        shop_runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=3,
        reason="count",
        actor="test",
    )

    await EventDispatcher(shop_runtime).deliver()

    written: Path = audit.__dict__["AUDIT_FILE"]
    lines = [json.loads(line) for line in (await asyncio.to_thread(written.read_text)).splitlines()]
    # make_shop prices its variant (PriceChanged, issue 15) before the stock is set.
    assert lines and {line["type"] for line in lines} == {"PriceChanged", "StockChanged"}
    assert lines[-1]["subject_ids"] == [shop.variant_id]
    assert [line["id"] for line in lines] == sorted({line["id"] for line in lines})
