"""A Google feed item is well-formed XML whatever text the catalog holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from core.catalog.model import Product, Variant
from core.channels.model import Channel, ChannelKind
from core.feeds.fields import FeedRequest, xml_text
from core.feeds.google import pickup_sla, product_item
from core.feeds.items import FeedItem
from core.ids import ChannelId, ProductId, VariantId
from core.inventory.model import ShownAvailability, StockStatus
from core.money import Money

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _item(name: str, description: str) -> FeedItem:
    product = Product(ProductId(1), "p", name, description, None, NOW, NOW)
    variant = Variant(VariantId(1), ProductId(1), "SKU-1", "", 0, (), Money(1250, "EUR"))
    shown = ShownAvailability(VariantId(1), StockStatus.IN_STOCK, 3)
    return FeedItem(product, variant, Money(1250, "EUR"), shown, None)


@given(name=st.text(min_size=1), description=st.text() | st.just("a\r\nb\rc"))
def test_any_text_survives_a_round_trip_through_the_xml(name: str, description: str) -> None:
    channel = Channel(ChannelId(1), "web", "Web", ChannelKind.WEB, "EUR")
    request = FeedRequest(None, None, channel, NOW, "https://shop.example")  # type: ignore[arg-type]  # rendering reads neither

    text = ElementTree.tostring(product_item(request, _item(name, description)), "unicode")

    parsed = ElementTree.fromstring(text)
    g = "{http://base.google.com/ns/1.0}"
    assert parsed.findtext(f"{g}title") == xml_text(name)
    assert parsed.findtext(f"{g}description") == xml_text(description or name)


def test_pickup_sla_follows_the_ready_estimate() -> None:
    assert pickup_sla(NOW + timedelta(hours=2), NOW) == "same day"
    assert pickup_sla(NOW + timedelta(hours=20), NOW) == "next day"
    assert pickup_sla(NOW + timedelta(days=2), NOW) == "2-day"
    assert pickup_sla(NOW + timedelta(days=20), NOW) == "multi-week"
