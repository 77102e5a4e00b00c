"""Google Merchant Center feeds: products (RSS 2.0 with the ``g:`` namespace) and local
inventory per pick-up store.

Each item is built as an ElementTree element and serialised on its own, so text is
escaped by the library and the body streams a page at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from xml.etree import ElementTree

from core.channels import queries as channel_queries
from core.feeds.fields import (
    FeedRequest,
    brand,
    description,
    in_stock,
    item_pages,
    link,
    title,
    xml_text,
)
from core.feeds.items import FeedItem
from core.inventory.pickup import StoreStock, pickup_stock

GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0"
_G = f"{{{GOOGLE_NAMESPACE}}}"

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<rss version="2.0" xmlns:g="{GOOGLE_NAMESPACE}">\n<channel>\n'
)
_TAIL = "</channel>\n</rss>\n"

ElementTree.register_namespace("g", GOOGLE_NAMESPACE)


def _serialised(element: ElementTree.Element) -> str:
    # Serialised alone, each item would declare the namespace again; the document's
    # root declares it once, so the repeat is dropped.
    text = ElementTree.tostring(element, encoding="unicode")
    return text.replace(f' xmlns:g="{GOOGLE_NAMESPACE}"', "", 1) + "\n"


def _element(tag: str, fields: Sequence[tuple[str, str | None]]) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    for name, value in fields:
        if value is not None:
            ElementTree.SubElement(element, f"{_G}{name}").text = xml_text(value)
    return element


def _header(request: FeedRequest, what: str) -> str:
    head = ElementTree.Element("head")
    ElementTree.SubElement(head, "title").text = xml_text(f"{request.channel.name} {what}")
    ElementTree.SubElement(head, "link").text = request.link_base or "/"
    ElementTree.SubElement(head, "description").text = xml_text(
        f"{what} of the {request.channel.name} channel"
    )
    inner = ElementTree.tostring(head, encoding="unicode")
    return _HEAD + inner.removeprefix("<head>").removesuffix("</head>") + "\n"


def product_item(request: FeedRequest, item: FeedItem) -> ElementTree.Element:
    found_brand = brand(item)
    return _element(
        "item",
        [
            ("id", item.variant.sku),
            ("item_group_id", item.product.slug),
            ("title", title(item)),
            ("description", description(item)),
            ("link", link(request.link_base, item)),
            ("image_link", item.image_url),
            ("availability", "in_stock" if in_stock(item) else "out_of_stock"),
            ("price", item.price.format()),
            ("brand", found_brand),
            ("identifier_exists", None if found_brand else "no"),
            ("condition", "new"),
        ],
    )


async def google_products(request: FeedRequest) -> AsyncIterator[str]:
    """``google.xml``: one item per variant the channel sells."""
    yield _header(request, "products")
    async for items in item_pages(request):
        yield "".join(_serialised(product_item(request, item)) for item in items)
    yield _TAIL


def pickup_sla(ready_at: datetime, now: datetime) -> str:
    """Google's ``pickup_sla`` for a ready estimate: same day, next day, N-day, multi-week."""
    days = -(-(ready_at - now) // timedelta(days=1))  # whole days, rounded up
    if ready_at.date() == now.date():
        return "same day"
    if days <= 1:
        return "next day"
    return f"{days}-day" if days <= 7 else "multi-week"


def local_item(item: FeedItem, stock: StoreStock, now: datetime) -> ElementTree.Element:
    """A store's line: its own units, and how a shopper collects them there."""
    ready_at = stock.ready_at
    method = None
    if ready_at is not None:
        # Units on the store's shelves are bought for pick-up; others are sent there first.
        method = "buy" if stock.available > 0 else "ship to store"
    return _element(
        "item",
        [
            ("store_code", stock.location.slug),
            ("id", item.variant.sku),
            ("availability", "in_stock" if stock.available > 0 else "out_of_stock"),
            ("quantity", str(stock.available)),
            ("price", item.price.format()),
            ("pickup_method", method),
            ("pickup_sla", pickup_sla(ready_at, now) if ready_at is not None else None),
        ],
    )


async def google_local_inventory(request: FeedRequest) -> AsyncIterator[str]:
    """``google-local-inventory.xml``: per variant, one item per pick-up store that
    supplies the channel, with what ``pickupStores`` in the API shows for it."""
    channel = request.channel
    yield _header(request, "local inventory")
    async with request.reads.connect() as connection:
        supply = await channel_queries.channel_locations_by_channel_id(connection, [channel.id])
    supplying = {link.location_id for link in supply[channel.id]}
    async for items in item_pages(request):
        async with request.reads.connect() as connection:
            stock = await pickup_stock(
                connection,
                channel=channel,
                variant_ids=[item.variant.id for item in items],
                now=request.now,
            )
        yield "".join(
            _serialised(local_item(item, store, request.now))
            for item in items
            for store in stock[item.variant.id]
            if store.location.id in supplying
        )
    yield _TAIL
