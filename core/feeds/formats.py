"""The feeds a channel serves, by the file name in their URL (``/feeds/{channel}/{name}``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Final

from core.feeds.fields import FeedRequest
from core.feeds.google import google_local_inventory, google_products
from core.feeds.meta import meta_catalog

XML: Final = "application/xml; charset=utf-8"
CSV: Final = "text/csv; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Feed:
    media_type: str
    render: Callable[[FeedRequest], AsyncIterator[str]]


FEEDS: Final[Mapping[str, Feed]] = {
    "google.xml": Feed(XML, google_products),
    "google-local-inventory.xml": Feed(XML, google_local_inventory),
    "meta.csv": Feed(CSV, meta_catalog),
}
