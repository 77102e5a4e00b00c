"""Two channels sharing a store, and the rows of carts and stock as stored, for the cart
state machine (test_state_machine.py).

``web`` draws on a warehouse, then the store; ``mobile`` on the store, then a second
warehouse, with other prices and a shorter reservation lifetime, and optionally a
safety buffer (the marketplace adapter's availability hook). The third variant is not
sold on mobile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select

from core.carts.tables import CartLineRow, CartRequestRow, CartRow
from core.catalog import services as catalog
from core.channels import services as channels
from core.channels.model import Channel, ChannelKind, EnabledPlugin, Location, MergePolicy
from core.channels.model import LocationKind as Kind
from core.customers.model import Customer
from core.db import table_of
from core.ids import CartId, LocationId, VariantId
from core.inventory import services as inventory
from core.inventory.tables import ReservationRow, StockLevelRow, StockMovementRow
from core.money import Money
from core.orders.return_tables import RefundRow, ReturnLineRow, ReturnRow
from core.orders.tables import (
    FulfilmentLineRow,
    FulfilmentRow,
    OrderDeliveryGroupRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
    PickupRow,
)
from core.runtime import Runtime
from tests.factories.accounts import make_customer
from tests.factories.catalog import make_product
from tests.factories.channels import make_location

PASSWORD = "correct horse battery"
# On hand at the start, per (variant index, location slug).
INITIAL_STOCK = {(0, "warehouse"): 4, (0, "store"): 2, (0, "far-warehouse"): 3}
INITIAL_STOCK |= {(1, "warehouse"): 2, (1, "store"): 1, (2, "warehouse"): 3}


@dataclass(frozen=True)
class World:
    web: Channel
    mobile: Channel
    locations: tuple[Location, ...]  # warehouse, store, far warehouse
    variants: tuple[VariantId, ...]
    customer: Customer
    # Units of each variant mobile never sells (its availability hook).
    mobile_buffer: int

    @property
    def channels(self) -> tuple[Channel, Channel]:
        return (self.web, self.mobile)

    def channel(self, channel_id: int) -> Channel:
        return self.web if channel_id == self.web.id else self.mobile

    def supplies(self, channel_id: int) -> tuple[LocationId, ...]:
        warehouse, store, far = (location.id for location in self.locations)
        return (warehouse, store) if channel_id == self.web.id else (store, far)

    def sold_in(self, channel_id: int, variant_id: VariantId) -> bool:
        return channel_id == self.web.id or variant_id != self.variants[2]


async def make_world(
    runtime: Runtime,
    *,
    web_policy: MergePolicy,
    mobile_policy: MergePolicy,
    mobile_buffer: int,
    ship_from_store: bool = False,
) -> World:
    warehouse = await make_location(runtime, slug="warehouse")
    store = await make_location(
        runtime,
        slug="store",
        kind=Kind.STORE,
        pickup_enabled=True,
        ship_from_store_enabled=ship_from_store,
    )
    far = await make_location(runtime, slug="far-warehouse")
    web = await channels.create_channel(
        runtime.uow(),
        slug="web",
        name="Web",
        kind=ChannelKind.WEB,
        currency="USD",
        # The adapter (delivery options) and a payment provider: carts check out here.
        plugins=[EnabledPlugin("web", {}), EnabledPlugin("test-gateway", {})],
        locations=[channels.LocationSupply(warehouse.id, 0), channels.LocationSupply(store.id, 1)],
        reservation_ttl_seconds=600,
        cart_ttl_seconds=3600,
        cart_merge_policy=web_policy,
    )
    mobile = await channels.create_channel(
        runtime.uow(),
        slug="mobile",
        name="Mobile",
        kind=ChannelKind.MOBILE,
        currency="USD",
        # Without a buffer, no availability hook: adds take the quick path there too.
        plugins=[
            EnabledPlugin("mobile", {}),
            EnabledPlugin("test-gateway", {}),
            *(
                [EnabledPlugin("marketplace", {"safety_buffer_units": mobile_buffer})]
                if mobile_buffer
                else []
            ),
        ],
        locations=[channels.LocationSupply(store.id, 0), channels.LocationSupply(far.id, 1)],
        reservation_ttl_seconds=300,
        cart_ttl_seconds=3600,
        cart_merge_policy=mobile_policy,
    )
    made = await make_product(runtime, channel=web, slug="tee", variants=["T-1", "T-2", "T-3"])
    variants = tuple(variant.id for variant in made.variants)
    for variant_id in variants[:2]:
        await catalog.set_variant_price(
            runtime.uow(),
            variant_id=variant_id,
            channel_id=mobile.id,
            price=Money.parse("12.50", "USD"),
        )
    await catalog.set_listing(
        runtime.uow(), product_id=made.product.id, channel_id=mobile.id, is_published=True
    )
    locations = (warehouse, store, far)
    for (index, slug), quantity in INITIAL_STOCK.items():
        [location] = [location for location in locations if location.slug == slug]
        await inventory.set_stock(
            runtime.uow(),
            variant_id=variants[index],
            location_id=location.id,
            quantity=quantity,
            reason="initial count",
            actor="test",
        )
    customer = await make_customer(runtime, password=PASSWORD)
    return World(web, mobile, locations, variants, customer, mobile_buffer)


_TABLES: dict[str, Table] = {
    "stock_levels": table_of(StockLevelRow),
    "reservations": table_of(ReservationRow),
    "carts": table_of(CartRow),
    "cart_lines": table_of(CartLineRow),
    "cart_requests": table_of(CartRequestRow),
    "stock_movements": table_of(StockMovementRow),
    "orders": table_of(OrderRow),
    "order_lines": table_of(OrderLineRow),
    "order_delivery_groups": table_of(OrderDeliveryGroupRow),
    "fulfilments": table_of(FulfilmentRow),
    "fulfilment_lines": table_of(FulfilmentLineRow),
    "pickups": table_of(PickupRow),
    "payments": table_of(PaymentRow),
    "returns": table_of(ReturnRow),
    "return_lines": table_of(ReturnLineRow),
    "refunds": table_of(RefundRow),
}


@dataclass(frozen=True)
class Rows:
    """Every row of the cart, stock and order tables (payments, returns and refunds
    among them), as stored, read at ``now``.

    Equal snapshots mean nothing was written: a refused request or a replay.
    """

    now: datetime
    tables: dict[str, list[dict[str, Any]]]

    def unchanged_since(self, before: Rows) -> bool:
        return self.tables == before.tables

    @property
    def levels(self) -> dict[tuple[int, int], tuple[int, int]]:
        return {
            (row["variant_id"], row["location_id"]): (row["on_hand"], row["reserved"])
            for row in self.tables["stock_levels"]
        }

    @property
    def reservations(self) -> list[dict[str, Any]]:
        return self.tables["reservations"]

    @property
    def carts(self) -> dict[int, dict[str, Any]]:
        return {row["id"]: row for row in self.tables["carts"]}

    def cart(self, cart_id: CartId) -> dict[str, Any] | None:
        return self.carts.get(cart_id)

    def lines(self, cart_id: int) -> dict[VariantId, int]:
        return {
            VariantId(row["variant_id"]): row["quantity"]
            for row in self.tables["cart_lines"]
            if row["cart_id"] == cart_id
        }

    def line_rows(self, cart_id: int) -> dict[VariantId, dict[str, Any]]:
        return {
            VariantId(row["variant_id"]): row
            for row in self.tables["cart_lines"]
            if row["cart_id"] == cart_id
        }

    def all_lines(self) -> list[dict[str, Any]]:
        return self.tables["cart_lines"]

    def held(self, cart_id: int) -> dict[VariantId, int]:
        """Units the cart's live (unexpired) reservations hold, per variant."""
        held: dict[VariantId, int] = defaultdict(int)
        for row in self.cart_reservations(cart_id):
            if row["expires_at"] > self.now:
                held[VariantId(row["variant_id"])] += row["quantity"]
        return dict(held)

    def cart_reservations(self, cart_id: int) -> list[dict[str, Any]]:
        return [
            row
            for row in self.reservations
            if row["owner_kind"] == "cart" and row["owner_id"] == str(cart_id)
        ]

    @property
    def orders(self) -> dict[int, dict[str, Any]]:
        return {row["id"]: row for row in self.tables["orders"]}

    def order_lines(self, order_id: int) -> dict[VariantId, int]:
        lines: dict[VariantId, int] = defaultdict(int)
        for row in self.tables["order_lines"]:
            if row["order_id"] == order_id:
                lines[VariantId(row["variant_id"])] += row["quantity"]
        return dict(lines)

    def allocated(self, order_id: int) -> dict[VariantId, int]:
        """Units the order's allocations (reservations owned by the order) hold."""
        held: dict[VariantId, int] = defaultdict(int)
        for row in self.reservations:
            if row["owner_kind"] == "order" and row["owner_id"] == str(order_id):
                held[VariantId(row["variant_id"])] += row["quantity"]
        return dict(held)

    def allocated_at(self, order_id: int) -> dict[tuple[VariantId, LocationId], int]:
        """Units the order's allocations hold, per (variant, location)."""
        held: dict[tuple[VariantId, LocationId], int] = defaultdict(int)
        for row in self.reservations:
            if row["owner_kind"] == "order" and row["owner_id"] == str(order_id):
                held[(VariantId(row["variant_id"]), LocationId(row["location_id"]))] += row[
                    "quantity"
                ]
        return dict(held)

    def order_line_rows(self, order_id: int) -> list[dict[str, Any]]:
        return [row for row in self.tables["order_lines"] if row["order_id"] == order_id]

    def fulfilled_lines(self, order_id: int) -> dict[int, int]:
        """Units of the order's lines that left a location (shipped or collected), per line."""
        fulfilments = {
            row["id"] for row in self.tables["fulfilments"] if row["order_id"] == order_id
        }
        done: dict[int, int] = defaultdict(int)
        for row in self.tables["fulfilment_lines"]:
            if row["fulfilment_id"] in fulfilments:
                done[row["order_line_id"]] += row["quantity"]
        return dict(done)

    def fulfilled(self, order_id: int) -> dict[VariantId, int]:
        """Units of the order that left a location, per variant."""
        variants = {row["id"]: row["variant_id"] for row in self.order_line_rows(order_id)}
        done: dict[VariantId, int] = defaultdict(int)
        for line_id, quantity in self.fulfilled_lines(order_id).items():
            done[VariantId(variants[line_id])] += quantity
        return dict(done)

    def fulfilments(self, order_id: int) -> list[dict[str, Any]]:
        return [row for row in self.tables["fulfilments"] if row["order_id"] == order_id]

    def pickup(self, order_id: int, location_id: int) -> dict[str, Any] | None:
        found = [
            row
            for row in self.tables["pickups"]
            if (row["order_id"], row["location_id"]) == (order_id, location_id)
        ]
        return found[0] if found else None

    def groups(self, order_id: int) -> list[dict[str, Any]]:
        return [row for row in self.tables["order_delivery_groups"] if row["order_id"] == order_id]

    def on_hand(self, variant_id: VariantId) -> int:
        """Units of the variant on hand, at every location."""
        return sum(
            row["on_hand"] for row in self.tables["stock_levels"] if row["variant_id"] == variant_id
        )

    def hold_expiry(self, cart_id: int) -> datetime | None:
        """The cart's ``holds_until``, or the expiry of its first live hold if sooner."""
        expiries = [
            row["expires_at"]
            for row in self.cart_reservations(cart_id)
            if row["expires_at"] > self.now
        ]
        holds_until = self.carts[cart_id]["holds_until"]
        return min([*expiries, *([holds_until] if holds_until else [])], default=None)

    def available_at(self, variant_id: VariantId, location_id: LocationId) -> int:
        """On hand less live reservations: what a sale or a transfer may take there."""
        on_hand, _ = self.levels.get((variant_id, location_id), (0, 0))
        return on_hand - self.reserved_live(variant_id, location_id)

    def reserved_live(self, variant_id: VariantId, location_id: LocationId) -> int:
        return sum(
            row["quantity"]
            for row in self.reservations
            if (row["variant_id"], row["location_id"]) == (variant_id, location_id)
            and row["expires_at"] > self.now
        )

    def sellable(self, world: World, channel_id: int, variant_id: VariantId) -> int:
        """What a cart may still add in the channel: its locations' available units,
        less mobile's safety buffer."""
        total = sum(self.available_at(variant_id, loc) for loc in world.supplies(channel_id))
        buffer = world.mobile_buffer if channel_id == world.mobile.id else 0
        return max(0, total - buffer)

    def survivor(self, customer_id: int, channel_id: int) -> int | None:
        """The customer's active, unexpired cart in the channel that a merge goes into."""
        mine = [
            row
            for row in self.carts.values()
            if row["customer_id"] == customer_id
            and row["channel_id"] == channel_id
            and row["status"] == "active"
            and row["expires_at"] > self.now
        ]
        if not mine:
            return None
        return int(max(mine, key=lambda row: (row["updated_at"], row["id"]))["id"])


async def read_rows(runtime: Runtime) -> Rows:
    async with runtime.engine.connect() as connection:
        tables = {
            name: [
                dict(row._mapping)
                for row in (
                    await connection.execute(select(table).order_by(*table.primary_key.columns))
                ).all()
            ]
            for name, table in _TABLES.items()
        }
    return Rows(runtime.clock.now(), tables)
