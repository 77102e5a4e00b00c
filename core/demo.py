"""The demo catalog: a fictional Polish outfitter selling through five channels.

Everything is derived from fixed word lists, a seeded ``random.Random`` and a fixed
base time, so every seed writes the same rows (ids aside, which the database picks).
Prices and listings differ by channel the way a real retailer's would: marketplace
prices carry the commission, the EU shop sells in euros, the Warszawa store shows
Polish names and a smaller range, the marketplace does not carry everything.
Stock differs by location too: the warehouse holds most, stores hold a few of each
variant, and some variants are scarce (1-3 units) or sold out in some stores.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.catalog.import_batches import ids_by_key, insert_rows
from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ImportSummary,
    ListingData,
    LocationData,
    ProductData,
    SupplyData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.catalog.tables import ProductRow, VariantRow
from core.channels.model import ChannelKind, LocationKind
from core.channels.tables import LocationRow
from core.db import table_of
from core.inventory.model import MovementKind
from core.inventory.tables import StockLevelRow, StockMovementRow
from core.money import Money, Rounding
from core.runtime import Runtime

logger = logging.getLogger(__name__)

RETAILER = "Omnicart Demo Outfitters"
DEMO_RANDOM_SEED = 20261123
DEMO_BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PRODUCT_COUNT = 150
VARIANTS_PER_PRODUCT = 4

# Channel slugs, used again below for prices and listings.
WEB, MOBILE, MARKETPLACE, STORE_WARSZAWA, WEB_EU = (
    "web",
    "mobile",
    "marketplace",
    "store-warszawa",
    "web-eu",
)

MARKETPLACE_MARKUP_BASIS_POINTS = 10_800  # marketplace prices are 8 % above the web shop's
UNPUBLISHED_ON_MARKETPLACE = 15  # 10 % of the range
UNPUBLISHED_IN_STORE = 38  # about 25 %
DEMO_STOCK_SEED = DEMO_RANDOM_SEED + 1  # its own sequence: the catalog stays as it was
DEMO_STOCK_ACTOR = "demo seed"
DEMO_STOCK_REASON = "Opening stock count"
SOLD_OUT_EVERY = 60  # one variant in 60 is sold out everywhere, another left in one store
POLISH_NAMES_IN_STORE = 50
MARKETPLACE_TITLES = 30


async def seed_demo(runtime: Runtime, *, only_if_empty: bool = True) -> str:
    """Write the demo catalog and return a one-line summary of what was written.

    With ``only_if_empty`` nothing is written when any product exists. Raises
    DomainError (DUPLICATE_SLUG, ...) when demo rows already exist and
    ``only_if_empty`` is false, or when another process seeds at the same moment.
    """
    if only_if_empty:
        async with runtime.uow() as uow:
            any_product = await uow.session.scalar(select(ProductRow.id).limit(1))
        if any_product is not None:
            logger.info("demo not seeded reason=catalog_not_empty")
            return "catalog not empty; demo not seeded"
    catalog = demo_catalog()
    summary = await import_catalog(runtime.uow(), catalog)
    stock = demo_stock(catalog)
    await _write_stock(runtime, stock)
    units = sum(item.quantity for item in stock)
    logger.info(
        "demo seeded products=%d variants=%d stock_levels=%d units=%d",
        summary.products,
        summary.variants,
        len(stock),
        units,
    )
    return describe(summary, stock_levels=len(stock), units=units)


def describe(summary: ImportSummary, *, stock_levels: int = 0, units: int = 0) -> str:
    return (
        f"seeded demo: {summary.channels} channels, {summary.locations} locations, "
        f"{summary.categories} categories, {summary.products} products, "
        f"{summary.variants} variants, {stock_levels} stock levels ({units} units)"
    )


def demo_catalog() -> CatalogData:
    """The whole demo catalog as import data; the same value on every call."""
    rng = random.Random(DEMO_RANDOM_SEED)
    drafts = _drafts(rng)
    _vary_listings(drafts, rng)
    return CatalogData(
        channels=_CHANNELS,
        locations=_LOCATIONS,
        supply=_SUPPLY,
        categories=_CATEGORIES,
        products=[draft.build() for draft in drafts],
    )


# ---------------------------------------------------------------- channels and locations

_CHANNELS = (
    ChannelData(WEB, f"{RETAILER} web shop", ChannelKind.WEB, "PLN", (("web", {}),)),
    ChannelData(
        MOBILE,
        f"{RETAILER} mobile app",
        ChannelKind.MOBILE,
        "PLN",
        (("mobile", {"app_discount_basis_points": 500}),),
    ),
    ChannelData(
        MARKETPLACE,
        f"{RETAILER} on the marketplace",
        ChannelKind.MARKETPLACE,
        "PLN",
        (("marketplace", {"commission_markup_basis_points": 0}),),
    ),
    ChannelData(
        STORE_WARSZAWA, f"{RETAILER} Warszawa store", ChannelKind.STORE, "PLN", (("store", {}),)
    ),
    ChannelData(WEB_EU, f"{RETAILER} EU web shop", ChannelKind.WEB, "EUR"),
)

_WAREHOUSE = "blonie-warehouse"
_STORE_WAW, _STORE_KRK, _STORE_GDN = "warszawa-store", "krakow-store", "gdansk-store"

_LOCATIONS = (
    LocationData(
        _WAREHOUSE,
        "Central warehouse Błonie",
        LocationKind.WAREHOUSE,
        address_line1="ul. Sochaczewska 120",
        postal_code="05-870",
        city="Błonie",
        country_code="PL",
        latitude=52.1986,
        longitude=20.6177,
    ),
    LocationData(
        _STORE_WAW,
        "Warszawa Śródmieście store",
        LocationKind.STORE,
        address_line1="ul. Marszałkowska 104",
        postal_code="00-017",
        city="Warszawa",
        country_code="PL",
        latitude=52.2319,
        longitude=21.0067,
        pickup_enabled=True,
        ship_from_store_enabled=True,
    ),
    LocationData(
        _STORE_KRK,
        "Kraków Stare Miasto store",
        LocationKind.STORE,
        address_line1="ul. Floriańska 20",
        postal_code="31-021",
        city="Kraków",
        country_code="PL",
        latitude=50.0630,
        longitude=19.9399,
        pickup_enabled=True,
        ship_from_store_enabled=True,
    ),
    LocationData(
        _STORE_GDN,
        "Gdańsk Długa store",
        LocationKind.STORE,
        address_line1="ul. Długa 45",
        postal_code="80-827",
        city="Gdańsk",
        country_code="PL",
        latitude=54.3489,
        longitude=18.6512,
        pickup_enabled=True,
    ),
)

_SUPPLY = (
    *(
        SupplyData(channel, location, priority)
        for channel in (WEB, MOBILE, MARKETPLACE)
        for priority, location in enumerate((_WAREHOUSE, _STORE_WAW, _STORE_KRK, _STORE_GDN))
    ),
    SupplyData(STORE_WARSZAWA, _STORE_WAW, 0),
    SupplyData(WEB_EU, _WAREHOUSE, 0),
)

# ---------------------------------------------------------------- categories and product lines

_CATEGORIES = (
    CategoryData("men", "Men", "Clothing for men.", None, 0),
    CategoryData("men-jackets", "Jackets", "Men's jackets for city and trail.", "men", 0),
    CategoryData("men-shirts", "Shirts", "Men's shirts and overshirts.", "men", 1),
    CategoryData("men-trousers", "Trousers", "Men's trousers, chinos and jeans.", "men", 2),
    CategoryData("women", "Women", "Clothing for women.", None, 1),
    CategoryData("women-dresses", "Dresses", "Dresses for every season.", "women", 0),
    CategoryData("women-jackets", "Jackets & coats", "Women's jackets and coats.", "women", 1),
    CategoryData("women-knitwear", "Knitwear", "Jumpers and cardigans.", "women", 2),
    CategoryData("shoes", "Shoes", "Footwear for men and women.", None, 2),
    CategoryData("shoes-sneakers", "Sneakers", "Everyday and running sneakers.", "shoes", 0),
    CategoryData("shoes-boots", "Boots", "Boots for city, snow and mountains.", "shoes", 1),
    CategoryData("accessories", "Accessories", "Bags, belts, hats and gloves.", None, 3),
)

_CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
_WAIST_SIZES = ("30", "32", "34", "36", "38")
_SHOE_SIZES = ("38", "39", "40", "41", "42", "43", "44", "45", "46")
_ONE_SIZE = ("One size",)
_COLOURS = {
    "Black": "BLK",
    "Navy": "NVY",
    "Olive": "OLV",
    "Sand": "SND",
    "Grey": "GRY",
    "Burgundy": "BRG",
    "White": "WHT",
    "Brown": "BRN",
    "Forest green": "GRN",
    "Rust": "RST",
    "Cream": "CRM",
    "Sky blue": "SKY",
}


@dataclass(frozen=True, slots=True)
class _Line:
    """A product line in one category: the words its products are made of."""

    category: str
    nouns: tuple[tuple[str, str, str], ...]  # (English, Polish, what it is made from)
    sizes: tuple[str, ...]
    low_pln: int  # whole złoty; prices end in .99
    high_pln: int
    uses: tuple[str, ...]
    details: tuple[str, ...]
    marketplace_label: str


_LINES = (
    _Line(
        "men-jackets",
        (
            ("Down Jacket", "Kurtka puchowa", "recycled down under a ripstop shell"),
            ("Rain Jacket", "Kurtka przeciwdeszczowa", "three-layer waterproof nylon"),
            ("Field Jacket", "Kurtka polowa", "waxed cotton"),
            ("Bomber Jacket", "Kurtka bomberka", "matte recycled nylon"),
            ("Softshell Jacket", "Kurtka softshell", "stretch softshell with a fleece back"),
        ),
        _CLOTHING_SIZES[1:],
        349,
        899,
        ("cold mornings in the city", "wet autumn commutes", "weekends in the mountains"),
        ("a two-way zip", "a storm hood", "taped seams", "deep hand-warmer pockets"),
        "men's jacket",
    ),
    _Line(
        "men-shirts",
        (
            ("Oxford Shirt", "Koszula oksfordzka", "organic cotton oxford cloth"),
            ("Flannel Shirt", "Koszula flanelowa", "brushed cotton flannel"),
            ("Linen Shirt", "Koszula lniana", "washed European linen"),
            ("Denim Shirt", "Koszula dżinsowa", "light selvedge denim"),
            ("Overshirt", "Koszula wierzchnia", "heavy cotton twill"),
        ),
        _CLOTHING_SIZES[1:],
        129,
        299,
        ("the office", "long summer evenings", "layering in spring"),
        ("a button-down collar", "mother-of-pearl buttons", "a chest pocket", "a curved hem"),
        "men's shirt",
    ),
    _Line(
        "men-trousers",
        (
            ("Chinos", "Chinosy", "stretch cotton twill"),
            ("Cargo Trousers", "Spodnie bojówki", "ripstop cotton"),
            ("Wool Trousers", "Spodnie wełniane", "Italian wool flannel"),
            ("Jeans", "Dżinsy", "rigid organic denim"),
            ("Hiking Trousers", "Spodnie trekkingowe", "quick-dry stretch nylon"),
        ),
        _WAIST_SIZES,
        159,
        349,
        ("everyday wear", "travel", "trails and via ferratas"),
        ("a tapered leg", "reinforced knees", "a hidden zip pocket", "a gusseted crotch"),
        "men's trousers",
    ),
    _Line(
        "women-dresses",
        (
            ("Wrap Dress", "Sukienka kopertowa", "fluid viscose crepe"),
            ("Shirt Dress", "Sukienka koszulowa", "crisp cotton poplin"),
            ("Knit Dress", "Sukienka dzianinowa", "fine merino knit"),
            ("Midi Dress", "Sukienka midi", "printed cotton voile"),
            ("Linen Dress", "Sukienka lniana", "washed European linen"),
        ),
        _CLOTHING_SIZES[:5],
        179,
        459,
        ("warm afternoons", "the office and after", "weddings in the garden"),
        ("a tie waist", "side pockets", "a relaxed A-line skirt", "puffed sleeves"),
        "women's dress",
    ),
    _Line(
        "women-jackets",
        (
            ("Quilted Jacket", "Kurtka pikowana", "recycled polyester with light padding"),
            ("Trench Coat", "Trencz", "water-repellent cotton gabardine"),
            ("Parka", "Parka", "waterproof nylon with a recycled down fill"),
            ("Wool Coat", "Płaszcz wełniany", "boiled wool"),
            ("Raincoat", "Płaszcz przeciwdeszczowy", "coated organic cotton"),
        ),
        _CLOTHING_SIZES[:5],
        329,
        899,
        ("windy Baltic walks", "city winters", "rainy weekends"),
        ("a detachable hood", "a storm flap", "a two-way zip", "a belted waist"),
        "women's jacket",
    ),
    _Line(
        "women-knitwear",
        (
            ("Merino Jumper", "Sweter z merynosa", "extra-fine merino"),
            ("Cardigan", "Kardigan", "soft lambswool"),
            ("Roll-Neck Jumper", "Golf", "ribbed merino"),
            ("Cable-Knit Jumper", "Sweter warkoczowy", "chunky organic cotton"),
            ("Knitted Vest", "Kamizelka dziergana", "an alpaca and wool blend"),
        ),
        _CLOTHING_SIZES[:5],
        149,
        399,
        ("layering in autumn", "chilly evenings", "lazy Sundays"),
        ("ribbed cuffs", "a relaxed fit", "a cropped length", "dropped shoulders"),
        "women's knitwear",
    ),
    _Line(
        "shoes-sneakers",
        (
            ("Leather Sneakers", "Sneakersy skórzane", "full-grain leather"),
            ("Running Shoes", "Buty do biegania", "recycled engineered mesh"),
            ("Canvas Sneakers", "Trampki", "organic cotton canvas"),
            ("Trail Shoes", "Buty trailowe", "abrasion-resistant mesh"),
        ),
        _SHOE_SIZES,
        249,
        599,
        ("city streets", "daily runs", "forest trails"),
        ("a cushioned insole", "a grippy rubber sole", "reflective details", "waxed laces"),
        "sneakers",
    ),
    _Line(
        "shoes-boots",
        (
            ("Chelsea Boots", "Sztyblety", "oiled suede"),
            ("Hiking Boots", "Buty trekkingowe", "waterproof nubuck"),
            ("Winter Boots", "Buty zimowe", "waterproof leather with a wool lining"),
            ("Lace-Up Boots", "Trzewiki", "Goodyear-welted full-grain leather"),
        ),
        _SHOE_SIZES,
        349,
        899,
        ("snowy pavements", "mountain paths", "the whole winter"),
        ("a Vibram sole", "elastic side panels", "a padded collar", "speed hooks"),
        "boots",
    ),
    _Line(
        "accessories",
        (
            ("Wool Beanie", "Czapka wełniana", "merino wool"),
            ("Leather Belt", "Pasek skórzany", "vegetable-tanned leather"),
            ("Scarf", "Szalik", "a cashmere and wool blend"),
            ("Backpack", "Plecak", "recycled canvas"),
            ("Gloves", "Rękawiczki", "soft lambskin"),
            ("Tote Bag", "Torba", "heavy organic canvas"),
        ),
        _ONE_SIZE,
        80,
        249,
        ("everyday carry", "winter walks", "weekend trips"),
        ("a brass fitting", "hand-finished edges", "an inside pocket", "a woven label"),
        "accessory",
    ),
)

# Collection names; with a noun they make the product name ("Tatra Down Jacket").
_COLLECTIONS = (
    "Tatra",
    "Baltic",
    "Vistula",
    "Mazury",
    "Bieszczady",
    "Karkonosze",
    "Hel",
    "Wawel",
    "Sopot",
    "Podhale",
    "Warta",
    "Pieniny",
    "Roztocze",
    "Kaszuby",
)

_CLOSING_SENTENCES = (
    "Designed in Warszawa and made in small batches.",
    "Backed by our two-year repair promise.",
    "Part of our lower-impact range.",
    "Sized true to fit; see the size guide for measurements.",
)

_IMAGE_VIEWS = ("front view", "back view", "detail")


# ---------------------------------------------------------------- products


@dataclass(slots=True)
class _Draft:
    """A product being put together; listings are varied once every product exists."""

    number: int
    line: _Line
    polish_name: str
    product: ProductData
    listings: dict[str, ListingData]

    def build(self) -> ProductData:
        return replace(self.product, listings=dict(self.listings))


def _drafts(rng: random.Random) -> list[_Draft]:
    """PRODUCT_COUNT products spread evenly over the lines, in a shuffled but fixed order."""
    lines = [_LINES[index % len(_LINES)] for index in range(PRODUCT_COUNT)]
    rng.shuffle(lines)
    # Each line draws its names without replacement, so no two products share a slug.
    names = {
        line.category: rng.sample(
            [(collection, noun) for collection in _COLLECTIONS for noun in line.nouns],
            len(_COLLECTIONS) * len(line.nouns),
        )
        for line in _LINES
    }
    return [
        _draft(number, line, *names[line.category].pop(), rng)
        for number, line in enumerate(lines, start=1)
    ]


def _draft(
    number: int, line: _Line, collection: str, noun: tuple[str, str, str], rng: random.Random
) -> _Draft:
    english, polish, material = noun
    name = f"{collection} {english}"
    slug = name.lower().replace(" ", "-")
    sentences = [f"Made from {material} for {rng.choice(line.uses)}."]
    if rng.random() < 0.7:
        sentences.append(f"Finished with {rng.choice(line.details)}.")
    if rng.random() < 0.4:
        sentences.append(rng.choice(_CLOSING_SENTENCES))
    variants, colours = _variants(number, line, rng)
    images = [
        (
            f"https://images.example.com/demo/{slug}-{index + 1}.jpg",
            f"{name} in {colours[0].lower()}, {_IMAGE_VIEWS[index]}",
        )
        for index in range(1 + rng.randrange(len(_IMAGE_VIEWS)))
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
    listings = {channel.slug: ListingData(is_published=True) for channel in _CHANNELS}
    return _Draft(number, line, f"{polish} {collection}", product, listings)


def _variants(number: int, line: _Line, rng: random.Random) -> tuple[list[VariantData], list[str]]:
    """Four variants: two colours x two neighbouring sizes, or four colours in one size."""
    base_pln = _base_price(line, rng)
    if len(line.sizes) == 1:
        colours = rng.sample(list(_COLOURS), VARIANTS_PER_PRODUCT)
        sizes = list(line.sizes)
    else:
        colours = rng.sample(list(_COLOURS), 2)
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
                    sku=f"DMO-{number:04d}-{_COLOURS[colour]}-{size_code}",
                    name=f"{colour} / {size}",
                    options=(("Colour", colour), ("Size", size)),
                    prices=_channel_prices(Money(base_pln.minor_units + surcharge, "PLN")),
                )
            )
    return variants, colours


def _base_price(line: _Line, rng: random.Random) -> Money:
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


# ---------------------------------------------------------------- stock


@dataclass(frozen=True, slots=True)
class DemoStock:
    sku: str
    location_slug: str
    quantity: int


def demo_stock(catalog: CatalogData) -> list[DemoStock]:
    """On-hand stock of every variant in every location; the same list on every call.

    The warehouse holds 8-60 of most variants; stores hold 4-12. About one variant in
    ten is scarce (1-3) or sold out at the warehouse, and about one in three is
    scarce or sold out in any one store, so availability and pickup differ by store.
    One variant in ``SOLD_OUT_EVERY`` is sold out everywhere and another has its
    last one or two units in one store only.
    """
    rng = random.Random(DEMO_STOCK_SEED)
    stock: list[DemoStock] = []
    variants = [variant for product in catalog.products for variant in product.variants]
    last_store = catalog.locations[-1].slug
    for index, variant in enumerate(variants):
        for location in catalog.locations:
            warehouse = location.kind is LocationKind.WAREHOUSE
            quantity = _quantity(rng, warehouse)
            if index % SOLD_OUT_EVERY == SOLD_OUT_EVERY - 1:
                quantity = 0  # sold out everywhere
            elif index % SOLD_OUT_EVERY == SOLD_OUT_EVERY // 2:
                # The last units, in one store only: LOW_STOCK online, pickup there.
                quantity = 1 + index % 2 if location.slug == last_store else 0
            stock.append(DemoStock(variant.sku, location.slug, quantity))
    return stock


def _quantity(rng: random.Random, warehouse: bool) -> int:
    roll = rng.random()
    if warehouse:
        if roll < 0.04:
            return 0
        if roll < 0.10:
            return rng.randint(1, 3)
        return rng.randint(8, 60)
    if roll < 0.15:
        return 0
    if roll < 0.35:
        return rng.randint(1, 3)
    return rng.randint(4, 12)


async def _write_stock(runtime: Runtime, stock: list[DemoStock]) -> None:
    """Stock levels and their opening movements, in one transaction like the importer.

    Timestamps are the demo's fixed base time, so a seed is identical whenever it runs.
    """
    async with runtime.uow() as uow:
        session = uow.session
        variant_ids = await ids_by_key(
            session, table_of(VariantRow), "sku", {item.sku for item in stock}
        )
        location_ids = await ids_by_key(
            session, table_of(LocationRow), "slug", {item.location_slug for item in stock}
        )
        keyed = [
            (variant_ids[item.sku], location_ids[item.location_slug], item.quantity)
            for item in stock
        ]
        levels = [
            {
                "variant_id": variant_id,
                "location_id": location_id,
                "on_hand": quantity,
                "reserved": 0,
                "version": 0,
                "updated_at": DEMO_BASE_TIME,
            }
            for variant_id, location_id, quantity in keyed
        ]
        movements = [
            {
                "variant_id": variant_id,
                "location_id": location_id,
                "kind": MovementKind.SET.value,
                "delta": quantity,
                "on_hand_after": quantity,
                "reason": DEMO_STOCK_REASON,
                "actor": DEMO_STOCK_ACTOR,
                "created_at": DEMO_BASE_TIME,
            }
            for variant_id, location_id, quantity in keyed
            if quantity > 0
        ]
        await insert_rows(session, StockLevelRow, levels)
        await insert_rows(session, StockMovementRow, movements)
        await uow.commit()
