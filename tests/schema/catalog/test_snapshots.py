"""Representative responses, snapshotted (review snapshot diffs like code)."""

from __future__ import annotations

from datetime import UTC, datetime

from syrupy.assertion import SnapshotAssertion

from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ListingData,
    ProductData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.channels.model import ChannelKind
from core.money import Money
from core.runtime import Runtime
from tests.factories import GraphQLClient

PRODUCT_PAGE = """
query ProductPage($slug: String!) {
  product(slug: $slug) {
    id slug name description createdAt
    category { name slug parent { name } }
    images { url alt }
    variants { id sku name options { name value } price { amount currency } }
  }
}
"""


async def test_product_page(
    runtime: Runtime, gql: GraphQLClient, snapshot: SnapshotAssertion
) -> None:
    await import_catalog(
        runtime.uow(),
        CatalogData(
            channels=[
                ChannelData(
                    "mobile",
                    "Mobile app",
                    ChannelKind.MOBILE,
                    "PLN",
                    plugins=[("mobile", {"app_discount_basis_points": 500})],
                )
            ],
            categories=[
                CategoryData("men", "Men"),
                CategoryData("men-jackets", "Jackets", parent_slug="men"),
            ],
            products=[
                ProductData(
                    slug="harbour-rain-jacket",
                    name="Harbour rain jacket",
                    description="Taped seams, a hood that stays put.",
                    category_slug="men-jackets",
                    created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                    images=[
                        ("https://images.example.com/harbour-1.jpg", "Front"),
                        ("https://images.example.com/harbour-2.jpg", "Back"),
                    ],
                    variants=[
                        VariantData(
                            sku=f"HRJ-{colour[:3].upper()}-{size}",
                            name=f"{colour} / {size}",
                            options=[("Colour", colour), ("Size", size)],
                            prices={"mobile": Money(34999, "PLN")},
                        )
                        for colour in ("Navy", "Olive")
                        for size in ("M", "L")
                    ],
                    listings={"mobile": ListingData(True, name="Harbour jacket")},
                )
            ],
        ),
    )

    body = await gql(
        PRODUCT_PAGE, {"slug": "harbour-rain-jacket"}, headers={"Omnicart-Channel": "mobile"}
    )

    assert body == snapshot
