"""Cart problems at read time, resuming in another channel, expiry and the sweeper."""

from __future__ import annotations

from datetime import timedelta

from core.carts import services
from core.carts.model import CartProblemCode
from core.carts.problems import cart_problems
from core.carts.services import Caller, LineInput
from core.carts.sweeper import sweep_carts
from core.catalog import services as catalog
from core.channels import services as channels
from core.clock import FrozenClock
from core.errors import ErrorCode
from core.inventory import services as inventory
from core.money import Money
from core.runtime import Runtime
from tests.factories import (
    Shop,
    availability,
    make_channel,
    make_customer,
    make_location,
    make_shop,
    row_counts,
    stored,
)


async def problems_of(runtime: Runtime, token: str) -> list[tuple[CartProblemCode, int | None]]:
    priced = await services.read_cart(runtime.uow(), token, Caller())
    assert priced is not None
    async with runtime.reads.connect() as connection:
        found = await cart_problems(connection, runtime.plugins, priced, now=runtime.clock.now())
    return [(problem.code, problem.available_quantity) for problem in found]


async def new_cart(runtime: Runtime, shop: Shop, quantity: int) -> str:
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, quantity)]
    )
    assert created.token
    return created.token


async def test_problems_show_price_changes_stock_shortfalls_and_unlisted_variants(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    token = await new_cart(runtime, shop, 3)
    assert await problems_of(runtime, token) == []

    await catalog.set_variant_price(
        runtime.uow(),
        variant_id=shop.variant_id,
        channel_id=shop.channel.id,
        price=Money.parse("12.00", "USD"),
    )
    assert await problems_of(runtime, token) == [(CartProblemCode.PRICE_CHANGED, None)]

    # Staff count the warehouse down below what the cart holds: the hold expires later.
    runtime_clock = runtime.clock
    assert isinstance(runtime_clock, FrozenClock)
    runtime_clock.advance(timedelta(seconds=shop.channel.reservation_ttl_seconds + 1))
    await inventory.set_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=2,
        reason="count",
        actor="test",
    )
    assert (CartProblemCode.QUANTITY_ABOVE_AVAILABILITY, 2) in await problems_of(runtime, token)
    await inventory.set_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=0,
        reason="count",
        actor="test",
    )
    assert (CartProblemCode.OUT_OF_STOCK, 0) in await problems_of(runtime, token)

    product_id = await services.read_cart(runtime.uow(), token, Caller())
    assert product_id is not None
    await catalog.set_listing(
        runtime.uow(),
        product_id=product_id.sale_info[shop.variant_id].product_id,
        channel_id=shop.channel.id,
        is_published=False,
    )
    assert await problems_of(runtime, token) == [(CartProblemCode.NOT_SOLD_IN_CHANNEL, None)]
    unsold = await services.read_cart(runtime.uow(), token, Caller())
    assert unsold is not None and unsold.cost.total_amount == Money.zero("USD")


async def test_resuming_in_another_channel_reprices_and_holds_stock_there(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    token = await new_cart(runtime, shop, 4)
    app_store = await make_location(runtime, slug="app-warehouse")
    app = await make_channel(runtime, slug="app", currency="EUR", locations=[app_store])
    await catalog.set_variant_price(
        runtime.uow(),
        variant_id=shop.variant_id,
        channel_id=app.id,
        price=Money.parse("9.50", "EUR"),
    )
    product = await services.read_cart(runtime.uow(), token, Caller())
    assert product is not None
    await catalog.set_listing(
        runtime.uow(),
        product_id=product.sale_info[shop.variant_id].product_id,
        channel_id=app.id,
        is_published=True,
    )
    await inventory.set_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=app_store.id,
        quantity=3,
        reason="count",
        actor="test",
    )

    resumed = await services.resume_cart(runtime.uow(), token=token, channel_id=app.id)

    cart = resumed.cart.cart
    assert cart.channel.slug == "app"
    assert cart.cost.total_amount == Money.parse("38.00", "EUR")
    assert [(r.code, r.wanted, r.available) for r in resumed.unavailable] == [
        (ErrorCode.INSUFFICIENT_STOCK, 4, 3)
    ]
    assert (await availability(runtime, shop)).quantity == 10  # web's stock given back
    held = await stored(runtime)
    assert [(r.location_id, r.quantity) for r in held.reservations] == [(app_store.id, 3)]
    again = await services.resume_cart(runtime.uow(), token=token, channel_id=app.id)
    assert again.cart.cart.cart.version == cart.cart.version


async def test_the_sweeper_deletes_expired_guest_carts_and_frees_their_stock(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    await channels.update_channel(runtime.uow(), channel_id=shop.channel.id, cart_ttl_seconds=3600)
    guest = await new_cart(runtime, shop, 2)
    owned = await services.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[LineInput(shop.variant_id, 3)],
        caller=Caller((await make_customer(runtime)).id),
    )
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(minutes=30))
    fresh = await new_cart(runtime, shop, 1)
    assert (await sweep_carts(runtime.uow, now=clock.now())).deleted_carts == 0

    clock.advance(timedelta(minutes=31))
    swept = await sweep_carts(runtime.uow, now=clock.now())

    assert swept.deleted_carts == 1
    assert await services.read_cart(runtime.uow(), guest, Caller()) is None
    assert owned.token and await services.read_cart(runtime.uow(), owned.token, Caller())
    kept = await services.read_cart(runtime.uow(), fresh, Caller())
    assert kept is not None
    # Only the fresh cart may still have a reservation row (lapsed by now, unswept).
    owners = {r.owner_id for r in (await stored(runtime)).reservations}
    assert owners <= {str(kept.cart.id)}
    assert (await availability(runtime, shop)).quantity == 10
    counts = await row_counts(runtime)
    assert (counts["carts"], counts["cart_lines"]) == (2, 2)
