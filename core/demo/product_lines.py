"""The demo's categories and product lines: the words its products are made of.

A product is a collection name and a line's noun ("Tatra Down Jacket"); its line
gives its category, sizes, price range and the phrases of its description.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.import_data import CategoryData

CATEGORIES = (
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
COLOURS = {
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
class ProductLine:
    """A product line in one category: the words its products are made of."""

    category: str
    nouns: tuple[tuple[str, str, str], ...]  # (English, Polish, what it is made from)
    sizes: tuple[str, ...]
    low_pln: int  # whole złoty; prices end in .99
    high_pln: int
    uses: tuple[str, ...]
    details: tuple[str, ...]
    marketplace_label: str


LINES = (
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
    ProductLine(
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
COLLECTIONS = (
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

CLOSING_SENTENCES = (
    "Designed in Warszawa and made in small batches.",
    "Backed by our two-year repair promise.",
    "Part of our lower-impact range.",
    "Sized true to fit; see the size guide for measurements.",
)

IMAGE_VIEWS = ("front view", "back view", "detail")
