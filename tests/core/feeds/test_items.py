"""Feed pages: every priced variant of the channel exactly once, however small a page."""

from __future__ import annotations

import pytest

from core.feeds.items import feed_pages
from core.runtime import Runtime
from tests.factories import make_channel, make_product


@pytest.mark.parametrize("page_products", [1, 2, 100])
async def test_pages_list_each_priced_variant_once(runtime: Runtime, page_products: int) -> None:
    channel = await make_channel(runtime, slug="web", currency="EUR")
    for index in range(5):
        await make_product(
            runtime, channel=channel, slug=f"p{index}", variants=[f"P{index}-A", f"P{index}-B"]
        )
    await make_product(runtime, channel=channel, slug="unpriced", price=None)

    pages = [
        page
        async for page in feed_pages(
            runtime.reads,
            runtime.plugins,
            channel=channel,
            now=runtime.clock.now(),
            page_products=page_products,
        )
    ]

    skus = [item.variant.sku for page in pages for item in page]
    assert sorted(skus) == sorted(f"P{i}-{v}" for i in range(5) for v in "AB")
    assert len(pages) == -(-5 // page_products)
