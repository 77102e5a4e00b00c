"""Choosing delivery options, splitting a cart, the delivery amount in the total, the
fulfilment plan and failing plugins, through the services on the real database."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.carts import services as carts
from core.carts.services import DeliveryChoice, Guard, LineInput
from core.channels import services as channels
from core.channels.model import Channel, EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.delivery import services as delivery
from core.delivery.model import (
    CheckoutContext,
    CheckoutProblem,
    DeliveryOption,
    FulfilmentPlan,
)
from core.errors import DomainError, ErrorCode, PluginError
from core.hooks import hookimpl
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories.delivery import (
    DeliveryShop,
    groups_of,
    handles,
    make_cart,
    make_delivery_shop,
    read,
)


async def choose(runtime: Runtime, token: str, *choices: tuple[str, str], **guard: object) -> None:
    await carts.select_delivery_options(
        runtime.uow(),
        token=token,
        choices=[DeliveryChoice(group_id, handle) for group_id, handle in choices],
        guard=Guard(**guard),  # type: ignore[arg-type]  # the test passes what Guard takes
    )


async def test_choosing_home_delivery_adds_its_cost_to_the_total(runtime: Runtime) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))

    result = await carts.select_delivery_options(
        runtime.uow(), token=token, choices=[DeliveryChoice("delivery-1", "shipping:standard")]
    )

    cost = result.cart.cost
    assert cost.delivery_amount is not None
    assert cost.delivery_amount.amount_string() == "19.99"
    assert cost.total_amount.amount_string() == "79.99"
    assert result.cart.cart.version == 2
    again = await read(runtime, token)
    assert again.cart.delivery_selection == (("delivery-1", "shipping:standard"),)
    assert again.cost.total_amount.amount_string() == "79.99"
    [group] = await groups_of(runtime, token)
    assert group.selected is not None and group.selected.handle == "shipping:standard"


async def test_a_cart_without_a_selection_costs_nothing_to_deliver(runtime: Runtime) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))

    priced = await read(runtime, token)

    assert priced.cost.delivery_amount is not None and priced.cost.delivery_amount.is_zero()
    assert priced.cost.total_amount.amount_string() == "60.00"


async def test_the_delivery_amount_follows_the_lines_through_the_price_table(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))
    await choose(runtime, token, ("delivery-1", "shipping:standard"))

    added = await carts.add_lines(
        runtime.uow(), token=token, lines=[LineInput(shop.variants[0], 3)]
    )

    # 240.00 of goods: free delivery, and the selection still stands.
    assert added.cart.cost.delivery_amount is not None
    assert added.cart.cost.delivery_amount.is_zero()
    assert added.cart.cost.total_amount.amount_string() == "240.00"
    assert added.cart.cart.delivery_selection == (("delivery-1", "shipping:standard"),)


async def test_collecting_what_a_store_holds_today_splits_the_rest_into_its_own_group(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 2, (1, "warehouse"): 4})
    token = await make_cart(runtime, shop, (1, 2))
    priced = await read(runtime, token)
    first_line, second_line = (line.id for line in priced.cart.lines)

    result = await carts.select_delivery_options(
        runtime.uow(),
        token=token,
        choices=[
            DeliveryChoice("delivery-1", "pickup-now:centre-store"),
            DeliveryChoice("delivery-2", "shipping:standard"),
        ],
    )

    groups = await groups_of(runtime, token)
    assert [(group.id, group.line_ids) for group in groups] == [
        ("delivery-1", (first_line,)),
        ("delivery-2", (second_line,)),
    ]
    pickup, rest = groups
    assert pickup.selected is not None and pickup.selected.location_id == shop.centre.id
    # The rest has options of its own, priced on its own goods (120.00: 9.99).
    assert rest.selected is not None and rest.selected.cost.amount_string() == "9.99"
    assert "pickup-now:centre-store" not in handles(rest)
    assert result.cart.cost.delivery_amount is not None
    assert result.cart.cost.delivery_amount.amount_string() == "9.99"
    assert result.cart.cost.total_amount.amount_string() == "189.99"


async def test_changing_the_split_option_drops_the_selection_of_the_split_group(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 2, (1, "warehouse"): 4})
    token = await make_cart(runtime, shop, (1, 1))
    await choose(
        runtime,
        token,
        ("delivery-1", "pickup-now:centre-store"),
        ("delivery-2", "shipping:standard"),
    )

    await choose(runtime, token, ("delivery-1", "shipping:standard"))

    again = await read(runtime, token)
    assert again.cart.delivery_selection == (("delivery-1", "shipping:standard"),)
    assert [group.id for group in await groups_of(runtime, token)] == ["delivery-1"]
    # 120.00 of goods in one group: 9.99.
    assert again.cost.total_amount.amount_string() == "129.99"


async def test_unknown_groups_and_handles_are_refused_and_nothing_changes(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))

    with pytest.raises(DomainError) as error:
        await choose(
            runtime, token, ("delivery-1", "pickup:nowhere"), ("delivery-9", "shipping:standard")
        )

    assert {(p.code, p.field) for p in error.value.problems} == {
        (
            ErrorCode.UNKNOWN_DELIVERY_OPTION,
            "selected_delivery_options.0.delivery_option_handle",
        ),
        (ErrorCode.UNKNOWN_DELIVERY_GROUP, "selected_delivery_options.1.delivery_group_id"),
    }
    again = await read(runtime, token)
    assert again.cart.version == 1 and again.cart.delivery_selection == ()


async def test_an_empty_or_repeated_choice_is_refused(runtime: Runtime) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))

    with pytest.raises(DomainError) as empty:
        await choose(runtime, token)
    with pytest.raises(DomainError) as twice:
        await choose(
            runtime, token, ("delivery-1", "shipping:standard"), ("delivery-1", "shipping:standard")
        )

    assert [p.code for p in empty.value.problems] == [ErrorCode.REQUIRED]
    assert [(p.code, p.field) for p in twice.value.problems] == [
        (ErrorCode.DUPLICATE, "selected_delivery_options.1.delivery_group_id")
    ]


async def test_an_option_chosen_before_and_no_longer_offered_is_unavailable(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(
        runtime, plugin="mobile", stock={(0, "centre"): 1, (0, "warehouse"): 5}
    )
    token = await make_cart(runtime, shop, (1,))
    await choose(runtime, token, ("delivery-1", "reserve:centre-store"))
    # Two units: the store holds one, so reserve-in-store is no longer offered.
    await carts.add_lines(runtime.uow(), token=token, lines=[LineInput(shop.variants[0], 1)])

    with pytest.raises(DomainError) as error:
        await choose(runtime, token, ("delivery-1", "reserve:centre-store"))

    assert [p.code for p in error.value.problems] == [ErrorCode.DELIVERY_OPTION_UNAVAILABLE]
    [group] = await groups_of(runtime, token)
    assert group.selected is None


async def test_a_stale_version_is_refused_and_a_retry_applies_nothing_twice(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5, (0, "centre"): 5})
    token = await make_cart(runtime, shop, (1,))
    key = "delivery-choice-0001"

    first = await carts.select_delivery_options(
        runtime.uow(),
        token=token,
        choices=[DeliveryChoice("delivery-1", "pickup:centre-store")],
        guard=Guard(expected_version=1, idempotency_key=key),
    )
    retry = await carts.select_delivery_options(
        runtime.uow(),
        token=token,
        choices=[DeliveryChoice("delivery-1", "pickup:centre-store")],
        guard=Guard(expected_version=1, idempotency_key=key),
    )
    with pytest.raises(DomainError) as stale:
        await choose(runtime, token, ("delivery-1", "shipping:standard"), expected_version=1)
    with pytest.raises(DomainError) as reused:
        await choose(runtime, token, ("delivery-1", "shipping:standard"), idempotency_key=key)

    assert first.cart.cart.version == 2 and not first.replayed
    assert retry.replayed and retry.cart.cart.version == 2
    assert [p.code for p in stale.value.problems] == [ErrorCode.CART_VERSION_CONFLICT]
    assert [p.code for p in reused.value.problems] == [ErrorCode.IDEMPOTENCY_KEY_REUSED]
    again = await read(runtime, token)
    assert again.cart.delivery_selection == (("delivery-1", "pickup:centre-store"),)


async def test_the_default_plan_ships_by_priority_and_picks_up_at_the_chosen_store(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 1, (0, "centre"): 3, (1, "far"): 1, (1, "centre"): 1}
    )
    token = await make_cart(runtime, shop, (3, 1))
    priced = await read(runtime, token)
    first_line, second_line = (line.id for line in priced.cart.lines)

    shipped = await plan(runtime, token, {"delivery-1": "shipping:standard"})
    collected = await plan(runtime, token, {"delivery-1": "pickup:far-store"})

    # Warehouse (priority 0) first, then the centre store (1).
    assert [(s.line_id, s.location_id, s.quantity) for s in shipped.lines] == [
        (first_line, shop.warehouse.id, 1),
        (first_line, shop.centre.id, 2),
        (second_line, shop.centre.id, 1),
    ]
    # The far store holds the second line; the first comes by transfer, by priority.
    assert [(s.line_id, s.location_id, s.quantity) for s in collected.lines] == [
        (first_line, shop.warehouse.id, 1),
        (first_line, shop.centre.id, 2),
        (second_line, shop.far.id, 1),
    ]
    assert shipped.unsourced == () and collected.unsourced == ()
    assert {s.group_id for s in shipped.lines} == {"delivery-1"}


async def plan(runtime: Runtime, token: str, selection: dict[str, str]) -> FulfilmentPlan:
    priced = await read(runtime, token)
    async with runtime.reads.connect() as connection:
        return await delivery.source_lines(
            connection,
            runtime.plugins,
            priced.channel,
            priced.cart,
            selection,
            now=runtime.clock.now(),
            line_totals={k: v.total_amount for k, v in priced.line_costs.items()},
        )


class BrokenCarrier:
    """A plugin whose delivery options fail."""

    @hookimpl
    def omnicart_delivery_options(self) -> list[DeliveryOption]:
        raise RuntimeError("carrier API down")


class BrokenPlanner:
    """A plugin whose sourcing and checkout validation fail."""

    @hookimpl
    def omnicart_source_lines(self) -> FulfilmentPlan:
        raise RuntimeError("planner down")

    @hookimpl
    def omnicart_checkout_validate(self) -> list[CheckoutProblem]:
        raise RuntimeError("fraud check down")


class Picky:
    """A plugin that finds a problem at checkout."""

    @hookimpl
    def omnicart_checkout_validate(self, context: CheckoutContext) -> list[CheckoutProblem]:
        return [CheckoutProblem("NO_PO_BOX", "We do not deliver to PO boxes")]


async def shop_with_a_choice(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> tuple[Runtime, DeliveryShop, str]:
    extra = {"carrier": BrokenCarrier(), "planner": BrokenPlanner(), "picky": Picky()}
    plugins = PluginHost.load(extra=extra)
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (1,))
    await choose(runtime, token, ("delivery-1", "shipping:standard"))
    return runtime, shop, token


async def enable(runtime: Runtime, channel: Channel, *names: str) -> None:
    await channels.update_channel(
        runtime.uow(),
        channel_id=channel.id,
        plugins=[EnabledPlugin("web", {}), *(EnabledPlugin(name, {}) for name in names)],
    )


async def test_a_failing_delivery_options_plugin_fails_the_change_and_writes_nothing(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    runtime, shop, token = await shop_with_a_choice(settings, engine, reads, clock)
    await enable(runtime, shop.channel, "carrier")

    with pytest.raises(PluginError) as failed:
        await choose(runtime, token, ("delivery-1", "pickup:centre-store"))
    with pytest.raises(PluginError) as on_add:
        await carts.add_lines(runtime.uow(), token=token, lines=[LineInput(shop.variants[0], 1)])

    assert (failed.value.plugin, failed.value.hook) == ("carrier", "omnicart_delivery_options")
    assert on_add.value.plugin == "carrier"
    await enable(runtime, shop.channel)
    again = await read(runtime, token)
    assert again.cart.version == 2
    assert [line.quantity for line in again.cart.lines] == [1]
    assert again.cart.delivery_selection == (("delivery-1", "shipping:standard"),)


async def test_checkout_problems_of_every_plugin_are_labelled_with_it(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    runtime, shop, token = await shop_with_a_choice(settings, engine, reads, clock)
    await enable(runtime, shop.channel, "picky")
    priced = await read(runtime, token)

    found = await delivery.checkout_problems(
        runtime.plugins, priced.channel, priced.cart, now=runtime.clock.now()
    )

    assert found == [CheckoutProblem("NO_PO_BOX", "We do not deliver to PO boxes", "picky")]


async def test_a_failing_sourcing_or_validation_plugin_is_named(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    runtime, shop, token = await shop_with_a_choice(settings, engine, reads, clock)
    await enable(runtime, shop.channel, "planner")

    with pytest.raises(PluginError) as sourcing:
        await plan(runtime, token, {"delivery-1": "shipping:standard"})
    priced = await read(runtime, token)
    with pytest.raises(PluginError) as validation:
        await delivery.checkout_problems(
            runtime.plugins, priced.channel, priced.cart, now=runtime.clock.now()
        )

    assert (sourcing.value.plugin, sourcing.value.hook) == ("planner", "omnicart_source_lines")
    assert (validation.value.plugin, validation.value.hook) == (
        "planner",
        "omnicart_checkout_validate",
    )
