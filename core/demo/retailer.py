"""The demo retailer's channels, its locations and which locations supply each channel."""

from __future__ import annotations

from core.catalog.import_data import ChannelData, LocationData, SupplyData
from core.channels.model import ChannelKind, LocationKind

RETAILER = "Omnicart Demo Outfitters"

# Channel slugs, used again for prices and listings.
WEB, MOBILE, MARKETPLACE, STORE_WARSZAWA, WEB_EU = (
    "web",
    "mobile",
    "marketplace",
    "store-warszawa",
    "web-eu",
)

# Delivery (issue 13): the adapters' defaults (home delivery 19.99 PLN, 9.99 from 100,
# free from 200; click and collect at the three stores), the Gdańsk store taking longer
# to prepare a pick-up; the app adds reserve-in-store, the marketplace delivers itself.
WEB_DELIVERY = {"pickup_preparation_minutes_by_store": {"gdansk-store": 240}}
# Payment: every online channel takes the test gateway (approves; the payment data
# {"token": "decline"} declines); the app also takes pay-at-pickup (reserve-in-store).
GATEWAY: tuple[str, dict[str, object]] = ("test-gateway", {})

CHANNELS = (
    ChannelData(
        WEB, f"{RETAILER} web shop", ChannelKind.WEB, "PLN", (("web", WEB_DELIVERY), GATEWAY)
    ),
    ChannelData(
        MOBILE,
        f"{RETAILER} mobile app",
        ChannelKind.MOBILE,
        "PLN",
        (("mobile", {"app_discount_basis_points": 500}), GATEWAY, ("pay-at-pickup", {})),
    ),
    ChannelData(
        MARKETPLACE,
        f"{RETAILER} on the marketplace",
        ChannelKind.MARKETPLACE,
        "PLN",
        (("marketplace", {"commission_markup_basis_points": 0}), GATEWAY),
    ),
    # The till (issue 15) takes cash and the card-present test terminal.
    ChannelData(
        STORE_WARSZAWA,
        f"{RETAILER} Warszawa store",
        ChannelKind.STORE,
        "PLN",
        (("store", {}), ("cash", {}), ("card-present", {})),
    ),
    ChannelData(WEB_EU, f"{RETAILER} EU web shop", ChannelKind.WEB, "EUR", (("web", {}), GATEWAY)),
)

WAREHOUSE = "blonie-warehouse"
STORE_WAW, STORE_KRK, STORE_GDN = "warszawa-store", "krakow-store", "gdansk-store"

LOCATIONS = (
    LocationData(
        WAREHOUSE,
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
        STORE_WAW,
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
        STORE_KRK,
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
        STORE_GDN,
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

SUPPLY = (
    *(
        SupplyData(channel, location, priority)
        for channel in (WEB, MOBILE, MARKETPLACE)
        for priority, location in enumerate((WAREHOUSE, STORE_WAW, STORE_KRK, STORE_GDN))
    ),
    SupplyData(STORE_WARSZAWA, STORE_WAW, 0),
    # Endless aisle: what the store does not have is delivered from the warehouse.
    SupplyData(STORE_WARSZAWA, WAREHOUSE, 1),
    SupplyData(WEB_EU, WAREHOUSE, 0),
)
