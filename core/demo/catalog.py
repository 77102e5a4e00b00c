"""The demo catalog as import data: products drawn from the product lines, priced and
listed differently in each channel."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from core.catalog.import_data import CatalogData, ListingData, ProductData, VariantData
from core.demo.product_lines import (
    CATEGORIES,
    CLOSING_SENTENCES,
    COLLECTIONS,
    COLOURS,
    IMAGE_VIEWS,
    LINES,
    ProductLine,
)
from core.demo.retailer import (
    CHANNELS,
    LOCATIONS,
    MARKETPLACE,
    MOBILE,
    RETAILER,
    STORE_WARSZAWA,
    SUPPLY,
    WEB,
    WEB_EU,
)
from core.money import Money, Rounding

DEMO_RANDOM_SEED = 20261123
DEMO_BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PRODUCT_COUNT = 150
VARIANTS_PER_PRODUCT = 4

MARKETPLACE_MARKUP_BASIS_POINTS = 10_800  # marketplace prices are 8 % above the web shop's
UNPUBLISHED_ON_MARKETPLACE = 15  # 10 % of the range
UNPUBLISHED_IN_STORE = 38  # about 25 %
POLISH_NAMES_IN_STORE = 50
MARKETPLACE_TITLES = 30


def demo_catalog() -> CatalogData:
    """The whole demo catalog as import data; the same value on every call."""
    rng = random.Random(DEMO_RANDOM_SEED)
    drafts = _drafts(rng)
    _vary_listings(drafts, rng)
    return CatalogData(
        channels=CHANNELS,
        locations=LOCATIONS,
        supply=SUPPLY,
        categories=CATEGORIES,
        products=[draft.build() for draft in drafts],
    )


@dataclass(slots=True)
class _Draft:
    """A product being put together; listings are varied once every product exists."""

    number: int
    line: ProductLine
    polish_name: str
    product: ProductData
    listings: dict[str, ListingData]

    def build(self) -> ProductData:
        return replace(self.product, listings=dict(self.listings))


def _drafts(rng: random.Random) -> list[_Draft]:
    """PRODUCT_COUNT products spread evenly over the lines, in a shuffled but fixed order."""
    lines = [LINES[index % len(LINES)] for index in range(PRODUCT_COUNT)]
    rng.shuffle(lines)
    # Each line draws its names without replacement, so no two products share a slug.
    names = {
        line.category: rng.sample(
            [(collection, noun) for collection in COLLECTIONS for noun in line.nouns],
            len(COLLECTIONS) * len(line.nouns),
        )
        for line in LINES
    }
    return [
        _draft(number, line, *names[line.category].pop(), rng)
        for number, line in enumerate(lines, start=1)
    ]


def _draft(
    number: int, line: ProductLine, collection: str, noun: tuple[str, str, str], rng: random.Random
) -> _Draft:
    english, polish, material = noun
    name = f"{collection} {english}"
    slug = name.lower().replace(" ", "-")
    sentences = [f"Made from {material} for {rng.choice(line.uses)}."]
    if rng.random() < 0.7:
        sentences.append(f"Finished with {rng.choice(line.details)}.")
    if rng.random() < 0.4:
        sentences.append(rng.choice(CLOSING_SENTENCES))
    variants, colours = _variants(number, line, rng)
    images = [
        (
            f"https://images.example.com/demo/{slug}-{index + 1}.jpg",
            f"{name} in {colours[0].lower()}, {IMAGE_VIEWS[index]}",
        )
        for index in range(1 + rng.randrange(len(IMAGE_VIEWS)))
    ]
    product = ProductData(
        slug=slug,
        name=name,
        description=" ".join(sentences),
        category_slug=line.category,
        created_at=DEMO_BASE_TIME + timedelta(hours=13 * number, minutes=rng.randrange(60)),
        images=images,
        variants=variants,
    )
    listings = {channel.slug: ListingData(is_published=True) for channel in CHANNELS}
    return _Draft(number, line, f"{polish} {collection}", product, listings)


def _variants(
    number: int, line: ProductLine, rng: random.Random
) -> tuple[list[VariantData], list[str]]:
    """Four variants: two colours x two neighbouring sizes, or four colours in one size."""
    base_pln = _base_price(line, rng)
    if len(line.sizes) == 1:
        colours = rng.sample(list(COLOURS), VARIANTS_PER_PRODUCT)
        sizes = list(line.sizes)
    else:
        colours = rng.sample(list(COLOURS), 2)
        start = rng.randrange(len(line.sizes) - 1)
        sizes = list(line.sizes[start : start + 2])
    variants = []
    for colour in colours:
        for size in sizes:
            size_code = "OS" if size == "One size" else size
            # The largest size of a line takes more material: 10.00 zł more.
            surcharge = 1_000 if size == line.sizes[-1] and len(line.sizes) > 1 else 0
            variants.append(
                VariantData(
                    sku=f"DMO-{number:04d}-{COLOURS[colour]}-{size_code}",
                    name=f"{colour} / {size}",
                    options=(("Colour", colour), ("Size", size)),
                    prices=_channel_prices(Money(base_pln.minor_units + surcharge, "PLN")),
                )
            )
    return variants, colours


def _base_price(line: ProductLine, rng: random.Random) -> Money:
    whole = rng.randrange(line.low_pln, line.high_pln + 1, 10)
    # Dearer things end in .00, cheaper ones in .99: 79.99, 349.99, 599.00.
    minor_units = (whole - 1) * 100 if whole >= 500 else whole * 100 - 1
    return Money(minor_units, "PLN")


def _channel_prices(web: Money) -> dict[str, Money]:
    return {
        WEB: web,
        MOBILE: web,  # the app discount comes from the mobile plugin, not the price list
        STORE_WARSZAWA: web,
        MARKETPLACE: web.percentage(MARKETPLACE_MARKUP_BASIS_POINTS, Rounding.HALF_UP),
        WEB_EU: _euro_price(web),
    }


def _euro_price(pln: Money) -> Money:
    """About PLN / 4.30, rounded to whole euros and shown as .99 (349.99 zł -> 80.99 €)."""
    whole_euros = (pln.minor_units + 215) // 430  # half up, integers only
    return Money(max(whole_euros, 1) * 100 - 1, "EUR")


def _vary_listings(drafts: list[_Draft], rng: random.Random) -> None:
    numbers = [draft.number for draft in drafts]
    by_number = {draft.number: draft for draft in drafts}
    for number in rng.sample(numbers, UNPUBLISHED_ON_MARKETPLACE):
        by_number[number].listings[MARKETPLACE] = ListingData(is_published=False)
    for number in rng.sample(numbers, MARKETPLACE_TITLES):
        draft = by_number[number]
        if draft.listings[MARKETPLACE].is_published:
            title = f"{RETAILER} {draft.product.name} - {draft.line.marketplace_label}"
            draft.listings[MARKETPLACE] = ListingData(is_published=True, name=title)
    hidden_in_store = set(rng.sample(numbers, UNPUBLISHED_IN_STORE))
    polish = set(rng.sample(numbers, POLISH_NAMES_IN_STORE))
    for number in numbers:
        draft = by_number[number]
        name = draft.polish_name if number in polish else None
        draft.listings[STORE_WARSZAWA] = ListingData(
            is_published=number not in hidden_in_store, name=name
        )
