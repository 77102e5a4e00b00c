from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core.catalog.services import set_variant_price
from core.channels import queries, services
from core.channels.model import Address, ChannelKind, EnabledPlugin, LocationKind
from core.channels.tables import ChannelPluginRow
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, LocationId
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import make_channel, make_location, make_product, row_counts


@dataclass(frozen=True)
class LoyaltySettings:
    points_per_unit: int
    label: str = "Points"


class LoyaltyPlugin:
    """A real plugin with validated settings and no hooks."""

    settings_class = LoyaltySettings


@pytest.fixture
def plugins() -> PluginHost:
    return PluginHost.load(extra={"loyalty": LoyaltyPlugin()})


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


# ---------------------------------------------------------------- channels


async def test_a_created_channel_has_its_plugins_and_supplying_locations(runtime: Runtime) -> None:
    north = await make_location(runtime, slug="north")
    south = await make_location(runtime, slug="south")

    channel = await services.create_channel(
        runtime.uow(),
        slug="eu-web",
        name="EU web shop",
        kind=ChannelKind.WEB,
        currency="EUR",
        plugins=[EnabledPlugin("loyalty", {"points_per_unit": 2}), EnabledPlugin("web", {})],
        locations=[
            services.LocationSupply(south.id, priority=1),
            services.LocationSupply(north.id, priority=0),
        ],
    )

    assert channel.slug == "eu-web"
    assert channel.currency == "EUR"
    assert channel.plugin_names == ("loyalty", "web")
    assert channel.plugins[0].settings == {"points_per_unit": 2}
    async with runtime.engine.connect() as connection:
        stored = await queries.channel_by_slug(connection, "eu-web")
        links = await queries.channel_locations_by_channel_id(connection, [channel.id])
    assert stored == channel
    assert [link.location_id for link in links[channel.id]] == [north.id, south.id]


async def test_every_problem_of_a_channel_is_reported_and_nothing_is_written(
    runtime: Runtime,
) -> None:
    await make_channel(runtime, slug="web")
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.create_channel(
            runtime.uow(),
            slug="web",
            name=" ",
            kind=ChannelKind.WEB,
            currency="usd",
            plugins=[
                EnabledPlugin("nonexistent", {}),
                EnabledPlugin("loyalty", {"points_per_unit": "many"}),
                EnabledPlugin("loyalty", {"points_per_unit": 1}),
            ],
            locations=[services.LocationSupply(LocationId(999_999))],
        )

    assert codes(error) == {
        (ErrorCode.DUPLICATE_SLUG, "slug"),
        (ErrorCode.REQUIRED, "name"),
        (ErrorCode.INVALID_CURRENCY, "currency"),
        (ErrorCode.UNKNOWN_PLUGIN, "plugins.0.name"),
        (ErrorCode.INVALID_PLUGIN_SETTINGS, "plugins.1.settings.points_per_unit"),
        (ErrorCode.DUPLICATE, "plugins.2.name"),
        (ErrorCode.NOT_FOUND, "locations.0.location_id"),
    }
    assert await row_counts(runtime) == before


@pytest.mark.parametrize("slug", ["", "Web", "-web", "web-", "web shop", "wéb", "a" * 65])
async def test_a_badly_formed_slug_is_refused(runtime: Runtime, slug: str) -> None:
    with pytest.raises(DomainError) as error:
        await services.create_channel(
            runtime.uow(), slug=slug, name="Web", kind=ChannelKind.WEB, currency="USD"
        )

    assert codes(error) == {(ErrorCode.INVALID_SLUG, "slug")}


async def test_listing_a_location_twice_is_refused(runtime: Runtime) -> None:
    location = await make_location(runtime)

    with pytest.raises(DomainError) as error:
        await make_channel(runtime, locations=[location, location])

    assert codes(error) == {(ErrorCode.DUPLICATE, "locations.1.location_id")}


async def test_updating_a_channel_replaces_its_plugins_and_locations(runtime: Runtime) -> None:
    old = await make_location(runtime, slug="old")
    new = await make_location(runtime, slug="new")
    channel = await make_channel(
        runtime, plugins=[EnabledPlugin("web", {})], locations=[old], currency="USD"
    )

    updated = await services.update_channel(
        runtime.uow(),
        channel_id=channel.id,
        name="Renamed",
        kind=ChannelKind.MOBILE,
        currency="EUR",
        plugins=[EnabledPlugin("loyalty", {"points_per_unit": 3})],
        locations=[services.LocationSupply(new.id, priority=5)],
    )

    assert (updated.name, updated.kind, updated.currency) == ("Renamed", ChannelKind.MOBILE, "EUR")
    assert updated.plugin_names == ("loyalty",)
    async with runtime.engine.connect() as connection:
        links = await queries.channel_locations_by_channel_id(connection, [channel.id])
    assert [(link.location_id, link.priority) for link in links[channel.id]] == [(new.id, 5)]


async def test_fields_left_unset_keep_their_value(runtime: Runtime) -> None:
    channel = await make_channel(runtime, plugins=[EnabledPlugin("web", {})], currency="GBP")

    updated = await services.update_channel(runtime.uow(), channel_id=channel.id, name="New")

    assert updated.name == "New"
    assert (updated.currency, updated.plugin_names, updated.kind) == ("GBP", ("web",), channel.kind)


async def test_the_currency_cannot_change_while_the_channel_has_prices(runtime: Runtime) -> None:
    channel = await make_channel(runtime, currency="USD")
    await make_product(runtime, channel=channel, price="5.00")

    with pytest.raises(DomainError) as error:
        await services.update_channel(runtime.uow(), channel_id=channel.id, currency="EUR")

    assert codes(error) == {(ErrorCode.CURRENCY_IN_USE, "currency")}
    async with runtime.engine.connect() as connection:
        stored = await queries.channel_by_slug(connection, channel.slug)
    assert stored is not None
    assert stored.currency == "USD"


async def test_updating_an_unknown_channel_is_not_found(runtime: Runtime) -> None:
    channel = await make_channel(runtime)

    with pytest.raises(DomainError) as error:
        await services.update_channel(
            runtime.uow(), channel_id=ChannelId(channel.id + 1), name="Nope"
        )

    assert codes(error) == {(ErrorCode.NOT_FOUND, "id")}


async def test_refused_plugin_settings_leave_the_old_ones(runtime: Runtime) -> None:
    channel = await make_channel(
        runtime, plugins=[EnabledPlugin("loyalty", {"points_per_unit": 1})]
    )

    with pytest.raises(DomainError) as error:
        await services.update_channel(
            runtime.uow(),
            channel_id=channel.id,
            plugins=[EnabledPlugin("loyalty", {"points_per_unit": 1, "colour": "red"})],
        )

    assert codes(error) == {(ErrorCode.INVALID_PLUGIN_SETTINGS, "plugins.0.settings.colour")}
    async with runtime.engine.connect() as connection:
        settings = (
            await connection.execute(select(table_of(ChannelPluginRow).c.settings))
        ).scalar_one()
    assert settings == {"points_per_unit": 1}


async def test_a_price_set_after_a_currency_change_must_use_the_new_currency(
    runtime: Runtime,
) -> None:
    channel = await make_channel(runtime, currency="USD")
    made = await make_product(runtime, channel=channel, price=None)
    await services.update_channel(runtime.uow(), channel_id=channel.id, currency="JPY")

    with pytest.raises(DomainError) as error:
        await set_variant_price(
            runtime.uow(),
            variant_id=made.variants[0].id,
            channel_id=channel.id,
            price=Money.parse("1.00", "USD"),
        )

    assert codes(error) == {(ErrorCode.CURRENCY_MISMATCH, "price.currency")}


# ---------------------------------------------------------------- locations


async def test_a_created_location_keeps_its_address_and_coordinates(runtime: Runtime) -> None:
    address = Address("Hauptstr. 1", "", "10115", "Berlin", "DE")

    location = await services.create_location(
        runtime.uow(),
        slug="berlin-store",
        name="Berlin store",
        kind=LocationKind.STORE,
        address=address,
        latitude=52.52,
        longitude=13.405,
        pickup_enabled=True,
    )

    assert location.address == address
    assert location.coordinates is not None
    assert (location.coordinates.latitude, location.coordinates.longitude) == (52.52, 13.405)
    assert (location.pickup_enabled, location.ship_from_store_enabled) == (True, False)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (52.5, None, "longitude"),
        (None, 13.4, "latitude"),
        (91.0, 0.0, "latitude"),
        (0.0, -180.5, "longitude"),
        (float("nan"), 0.0, "latitude"),
    ],
)
async def test_coordinates_must_be_both_or_neither_and_in_range(
    runtime: Runtime, latitude: float | None, longitude: float | None, field: str
) -> None:
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await make_location(runtime, latitude=latitude, longitude=longitude)

    assert codes(error) == {(ErrorCode.INVALID_COORDINATES, field)}
    assert await row_counts(runtime) == before


async def test_a_location_slug_is_unique_and_the_country_code_checked(runtime: Runtime) -> None:
    await make_location(runtime, slug="depot")

    with pytest.raises(DomainError) as error:
        await make_location(runtime, slug="depot", address=Address("", "", "", "", "Germany"))

    assert codes(error) == {
        (ErrorCode.DUPLICATE_SLUG, "slug"),
        (ErrorCode.INVALID, "address.country_code"),
    }


async def test_clearing_one_coordinate_of_a_located_store_is_refused(runtime: Runtime) -> None:
    location = await make_location(runtime, latitude=1.0, longitude=2.0)

    with pytest.raises(DomainError) as error:
        await services.update_location(runtime.uow(), location_id=location.id, latitude=None)

    assert codes(error) == {(ErrorCode.INVALID_COORDINATES, "latitude")}


async def test_updating_a_location_changes_only_what_is_given(runtime: Runtime) -> None:
    location = await make_location(runtime, slug="depot", latitude=1.0, longitude=2.0)

    updated = await services.update_location(
        runtime.uow(),
        location_id=location.id,
        slug="main-depot",
        latitude=None,
        longitude=None,
        ship_from_store_enabled=True,
    )

    assert (updated.slug, updated.name, updated.coordinates) == ("main-depot", "Depot", None)
    assert updated.ship_from_store_enabled is True


async def test_a_location_cannot_take_another_ones_slug(runtime: Runtime) -> None:
    await make_location(runtime, slug="first")
    second = await make_location(runtime, slug="second")

    with pytest.raises(DomainError) as error:
        await services.update_location(runtime.uow(), location_id=second.id, slug="first")

    assert codes(error) == {(ErrorCode.DUPLICATE_SLUG, "slug")}


async def test_updating_an_unknown_location_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await services.update_location(runtime.uow(), location_id=LocationId(1), name="Gone")

    assert codes(error) == {(ErrorCode.NOT_FOUND, "id")}
