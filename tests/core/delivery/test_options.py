"""Delivery options of the built-in adapters, on the real database: the web price table
and estimate, click and collect (in stock, by transfer, nearest first), the mobile
reserve-in-store, the marketplace's own delivery."""

from __future__ import annotations

from datetime import timedelta

from core.channels.model import ChannelKind
from core.delivery.model import DeliveryMethod
from core.runtime import Runtime
from tests.factories.clock import FROZEN_AT
from tests.factories.delivery import KRAKOW, groups_of, handles, make_cart, make_delivery_shop


async def test_home_delivery_is_priced_by_the_table_and_free_above_the_threshold(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 10})
    small = await make_cart(runtime, shop, (1,))
    middle = await make_cart(runtime, shop, (2,))
    large = await make_cart(runtime, shop, (4,))

    costs = []
    for token in (small, middle, large):
        [group] = await groups_of(runtime, token)
        shipping = group.option("shipping:standard")
        assert shipping is not None
        costs.append(shipping.cost.amount_string())

    # 60.00 pays 19.99; 120.00 pays 9.99; 240.00 is above the 200.00 threshold.
    assert costs == ["19.99", "9.99", "0.00"]
    [group] = await groups_of(runtime, small)
    shipping = group.option("shipping:standard")
    assert shipping is not None
    assert shipping.method is DeliveryMethod.SHIPPING
    assert shipping.estimated_at == FROZEN_AT + timedelta(days=2)
    assert shipping.plugin == "web"


async def test_the_price_table_threshold_and_estimate_come_from_the_channel_settings(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(
        runtime,
        settings={
            "delivery_price_table": [[0, 2500]],
            "free_delivery_from_minor": None,
            "delivery_estimate_days": 5,
            "click_and_collect_enabled": False,
        },
        stock={(0, "warehouse"): 10, (0, "centre"): 10},
    )
    token = await make_cart(runtime, shop, (4,))

    [group] = await groups_of(runtime, token)

    assert handles(group) == ["shipping:standard"]
    [shipping] = group.options
    assert shipping.cost.amount_string() == "25.00"
    assert shipping.estimated_at == FROZEN_AT + timedelta(days=5)


async def test_click_and_collect_is_ready_after_preparation_where_the_store_holds_the_lines(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(
        runtime,
        settings={"pickup_preparation_minutes_by_store": {"far-store": 30}},
        stock={(0, "centre"): 2, (0, "far"): 2, (1, "centre"): 1, (1, "far"): 1},
    )
    token = await make_cart(runtime, shop, (1, 1))

    [group] = await groups_of(runtime, token)

    centre = group.option("pickup:centre-store")
    far = group.option("pickup:far-store")
    assert centre is not None and far is not None
    assert handles(group) == ["shipping:standard", "pickup:centre-store", "pickup:far-store"]
    assert centre.method is DeliveryMethod.PICKUP
    assert centre.location_id == shop.centre.id
    assert centre.cost.is_zero()
    assert centre.estimated_at == FROZEN_AT + timedelta(minutes=120)
    assert far.estimated_at == FROZEN_AT + timedelta(minutes=30)
    assert not centre.transfer and not centre.pay_at_pickup


async def test_a_store_without_the_stock_is_offered_later_by_transfer(runtime: Runtime) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5})
    token = await make_cart(runtime, shop, (2,))

    [group] = await groups_of(runtime, token)

    centre = group.option("pickup:centre-store")
    assert centre is not None
    assert centre.transfer
    assert centre.estimated_at == FROZEN_AT + timedelta(days=2, minutes=120)
    assert group.option("pickup-now:centre-store") is None


async def test_stores_come_nearest_first_when_the_request_gives_coordinates(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 1, (0, "far"): 1})
    token = await make_cart(runtime, shop, (1,))

    [by_priority] = await groups_of(runtime, token)
    [near_krakow] = await groups_of(runtime, token, near=KRAKOW)

    assert handles(by_priority)[1:] == ["pickup:centre-store", "pickup:far-store"]
    assert handles(near_krakow)[1:] == ["pickup:far-store", "pickup:centre-store"]


async def test_the_mobile_app_adds_reserve_in_store_paid_at_pickup(runtime: Runtime) -> None:
    shop = await make_delivery_shop(
        runtime, plugin="mobile", stock={(0, "centre"): 3, (0, "warehouse"): 3}
    )
    token = await make_cart(runtime, shop, (1,))

    [group] = await groups_of(runtime, token)

    reserve = group.option("reserve:centre-store")
    assert reserve is not None
    assert reserve.pay_at_pickup and reserve.method is DeliveryMethod.PICKUP
    assert reserve.plugin == "mobile"
    # Only where the store holds the lines now; the far store would need a transfer.
    assert group.option("reserve:far-store") is None
    assert group.option("shipping:standard") is not None


async def test_reserve_in_store_can_be_switched_off(runtime: Runtime) -> None:
    shop = await make_delivery_shop(
        runtime,
        plugin="mobile",
        settings={"reserve_in_store_enabled": False},
        stock={(0, "centre"): 3},
    )
    token = await make_cart(runtime, shop, (1,))

    [group] = await groups_of(runtime, token)

    assert not any(handle.startswith("reserve:") for handle in handles(group))


async def test_the_marketplace_offers_its_own_delivery_at_no_cost(runtime: Runtime) -> None:
    shop = await make_delivery_shop(
        runtime, plugin="marketplace", kind=ChannelKind.MARKETPLACE, stock={(0, "warehouse"): 3}
    )
    token = await make_cart(runtime, shop, (2,))

    [group] = await groups_of(runtime, token)

    [option] = group.options
    assert option.handle == "marketplace"
    assert option.method is DeliveryMethod.MARKETPLACE
    assert option.cost.is_zero() and option.cost.currency == "PLN"
    assert option.plugin == "marketplace"


async def test_a_store_holding_some_lines_offers_them_now_and_everything_later(
    runtime: Runtime,
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 2, (1, "warehouse"): 2})
    token = await make_cart(runtime, shop, (1, 1))

    [group] = await groups_of(runtime, token)

    now = group.option("pickup-now:centre-store")
    later = group.option("pickup:centre-store")
    assert now is not None and later is not None
    assert len(now.line_ids) == 1 and now.estimated_at == FROZEN_AT + timedelta(minutes=120)
    assert later.transfer and not later.line_ids
