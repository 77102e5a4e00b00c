"""Channel availability: per location, through the availability hook, as the channel shows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.channels import services as channels
from core.channels.model import EnabledPlugin, StockDisplay
from core.clock import FrozenClock
from core.errors import DomainError, ErrorCode, PluginError
from core.hooks import AvailabilityContext, hookimpl
from core.ids import VariantId
from core.inventory import reservations
from core.inventory.availability import channel_availability
from core.inventory.model import OwnerKind, ShownAvailability, StockStatus, stock_status
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import Shop, availability, listed_stock, make_shop


@dataclass(frozen=True)
class HoldBackSettings:
    units: int = 0


class HoldBackPlugin:
    """A real third-party plugin holding back a fixed number of units."""

    settings_class = HoldBackSettings

    @hookimpl
    async def omnicart_variant_availability(
        self,
        context: AvailabilityContext,
        quantities: Mapping[VariantId, int],
        settings: HoldBackSettings,
    ) -> dict[VariantId, int]:
        return {
            variant_id: quantity - settings.units for variant_id, quantity in quantities.items()
        }


class BrokenPlugin:
    @hookimpl
    def omnicart_variant_availability(
        self, quantities: Mapping[VariantId, int]
    ) -> dict[VariantId, int]:
        return {VariantId(-1): 0}


@pytest.fixture
def plugins() -> PluginHost:
    return PluginHost.load(extra={"hold-back": HoldBackPlugin(), "broken": BrokenPlugin()})


async def shown(runtime: Runtime, shop: Shop) -> ShownAvailability:
    async with runtime.reads.connect() as connection:
        channel = await runtime.channels.by_slug(shop.channel.slug)
        assert channel is not None
        result = await channel_availability(
            connection,
            runtime.plugins,
            channel=channel,
            variant_ids=[shop.variant_id],
            now=runtime.clock.now(),
        )
    return result[shop.variant_id]


def test_status_is_low_at_or_below_the_threshold_and_out_at_zero() -> None:
    assert stock_status(0, low_stock_threshold=5) is StockStatus.OUT_OF_STOCK
    assert stock_status(1, low_stock_threshold=5) is StockStatus.LOW_STOCK
    assert stock_status(5, low_stock_threshold=5) is StockStatus.LOW_STOCK
    assert stock_status(6, low_stock_threshold=5) is StockStatus.IN_STOCK
    assert stock_status(1, low_stock_threshold=0) is StockStatus.IN_STOCK


async def test_channel_availability_sums_the_supplying_locations_only(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    await make_shop(runtime, warehouse=100, slug="other")

    result = await availability(runtime, shop)

    assert result.quantity == 7
    assert [(a.location_id, a.priority, a.available) for a in result.locations] == [
        (shop.warehouse.id, 0, 3),
        (shop.store.id, 1, 4),
    ]


async def test_a_listing_reads_the_same_stock_with_its_variants(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    await make_shop(runtime, warehouse=100, slug="other")
    for owner_id, quantity, ttl_seconds in (("cart-1", 2, 60), ("cart-2", 4, 600)):
        await reservations.reserve_for_channel(
            runtime.uow(),
            channel_id=shop.channel.id,
            owner_kind=OwnerKind.CART,
            owner_id=owner_id,
            variant_id=shop.variant_id,
            quantity=quantity,
            ttl_seconds=ttl_seconds,
        )
    clock.set(clock.now() + timedelta(seconds=61))  # the first has expired, unswept

    listed = await listed_stock(runtime, shop)

    assert listed == (await availability(runtime, shop)).quantity == 3


async def test_a_new_channel_shows_exact_quantities_with_threshold_five(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=4)

    result = await shown(runtime, shop)

    assert shop.channel.stock_display is StockDisplay.EXACT
    assert shop.channel.low_stock_threshold == 5
    assert result == ShownAvailability(shop.variant_id, StockStatus.LOW_STOCK, 4)


async def test_a_status_only_channel_hides_the_quantity(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=4)

    channel = await channels.update_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        stock_display=StockDisplay.STATUS,
        low_stock_threshold=3,
    )

    assert (channel.stock_display, channel.low_stock_threshold) == (StockDisplay.STATUS, 3)
    assert await shown(runtime, shop) == ShownAvailability(
        shop.variant_id, StockStatus.IN_STOCK, None
    )


async def test_a_negative_threshold_is_refused(runtime: Runtime) -> None:
    shop = await make_shop(runtime)

    with pytest.raises(DomainError) as error:
        await channels.update_channel(
            runtime.uow(), channel_id=shop.channel.id, low_stock_threshold=-1
        )

    assert [(p.code, p.field) for p in error.value.problems] == [
        (ErrorCode.INVALID_QUANTITY, "low_stock_threshold")
    ]


async def test_the_marketplace_never_shows_the_last_units(runtime: Runtime) -> None:
    shop = await make_shop(
        runtime,
        warehouse=3,
        store=1,
        plugins=[EnabledPlugin("marketplace", {"safety_buffer_units": 2})],
    )

    assert (await shown(runtime, shop)).quantity == 2
    await channels.update_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        plugins=[EnabledPlugin("marketplace", {"safety_buffer_units": 5})],
    )
    assert await shown(runtime, shop) == ShownAvailability(
        shop.variant_id, StockStatus.OUT_OF_STOCK, 0
    )


async def test_plugins_may_only_lower_and_the_minimum_wins(runtime: Runtime) -> None:
    shop = await make_shop(
        runtime,
        warehouse=10,
        plugins=[
            EnabledPlugin("hold-back", {"units": -50}),
            EnabledPlugin("marketplace", {"safety_buffer_units": 3}),
            EnabledPlugin("web", {}),
        ],
    )

    assert (await shown(runtime, shop)).quantity == 7


async def test_a_plugin_answering_for_an_unknown_variant_fails_naming_it(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=1, plugins=[EnabledPlugin("broken", {})])

    with pytest.raises(PluginError) as error:
        await shown(runtime, shop)

    assert (error.value.plugin, error.value.hook) == ("broken", "omnicart_variant_availability")
