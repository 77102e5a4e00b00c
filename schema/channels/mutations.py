"""Channel and location mutations (staff, ``channels:write``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.channels import model, services
from core.channels.model import Address as AddressValue
from core.channels.model import EnabledPlugin
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, LocationId
from schema.channels.types import (
    CartMergePolicy,
    Channel,
    ChannelKind,
    Location,
    LocationKind,
    PaymentCaptureTiming,
    StockDisplay,
)
from schema.context import Context
from schema.errors import UserError
from schema.inputs import clearable, decode_id, decode_ids, given, given_as, payload_errors
from schema.permissions import CanWriteChannels

Info = strawberry.Info[Context, None]


# ---------------------------------------------------------------- inputs


@strawberry.input(description="A plugin to switch on in a channel.")
class ChannelPluginInput:
    name: str = strawberry.field(description="The plugin's installed name, e.g. 'web'.")
    settings: JSON = strawberry.field(
        default_factory=dict, description="The plugin's settings, a JSON object it validates."
    )


@strawberry.input(description="A location that supplies a channel.")
class ChannelLocationInput:
    location_id: strawberry.ID
    priority: int = strawberry.field(default=0, description="Lower is drawn on first.")


@strawberry.input
class ChannelCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and hyphens.")
    name: str
    kind: ChannelKind  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    currency: str = strawberry.field(description="ISO 4217 code every price here is in.")
    plugins: list[ChannelPluginInput] = strawberry.field(
        default_factory=list, description="Plugins to enable, in the order they run."
    )
    locations: list[ChannelLocationInput] = strawberry.field(
        default_factory=list, description="Locations that supply the channel."
    )
    stock_display: StockDisplay = strawberry.field(  # type: ignore[valid-type]
        default=model.StockDisplay.EXACT, description="Exact quantities or only a status."
    )
    low_stock_threshold: int = strawberry.field(
        default=model.DEFAULT_LOW_STOCK_THRESHOLD,
        description="At or below this (and above 0) availability is LOW_STOCK.",
    )
    reservation_ttl_seconds: int = strawberry.field(
        default=model.DEFAULT_RESERVATION_TTL_SECONDS,
        description="How long a cart holds stock after its last change (60..86400).",
    )
    cart_ttl_seconds: int = strawberry.field(
        default=model.DEFAULT_CART_TTL_SECONDS,
        description="How long an untouched cart lives (3600..31622400).",
    )
    cart_merge_policy: CartMergePolicy = strawberry.field(  # type: ignore[valid-type]
        default=model.MergePolicy.SUM, description="How a guest cart merges on login."
    )
    payment_capture: PaymentCaptureTiming = strawberry.field(  # type: ignore[valid-type]
        default=model.PaymentCapture.AT_FULFILMENT,
        description="When orders' payments are captured.",
    )
    return_window_days: int = strawberry.field(
        default=model.DEFAULT_RETURN_WINDOW_DAYS,
        description="Days after fulfilment in which customers may return goods (0..3650).",
    )


@strawberry.input(description="Fields left out (or null) keep their value.")
class ChannelUpdateInput:
    name: str | None = strawberry.UNSET
    kind: ChannelKind | None = strawberry.UNSET  # type: ignore[valid-type]  # strawberry enum
    currency: str | None = strawberry.field(
        default=strawberry.UNSET, description="Refused while the channel has prices."
    )
    plugins: list[ChannelPluginInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the enabled plugins when given."
    )
    locations: list[ChannelLocationInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the supplying locations when given."
    )
    stock_display: StockDisplay | None = strawberry.UNSET  # type: ignore[valid-type]
    low_stock_threshold: int | None = strawberry.UNSET
    reservation_ttl_seconds: int | None = strawberry.UNSET
    cart_ttl_seconds: int | None = strawberry.UNSET
    cart_merge_policy: CartMergePolicy | None = strawberry.UNSET  # type: ignore[valid-type]
    payment_capture: PaymentCaptureTiming | None = strawberry.UNSET  # type: ignore[valid-type]
    return_window_days: int | None = strawberry.UNSET


@strawberry.input
class AddressInput:
    line1: str = ""
    line2: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = strawberry.field(default="", description="ISO 3166-1 alpha-2, e.g. 'DE'.")


@strawberry.input
class LocationCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and hyphens.")
    name: str
    kind: LocationKind  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    address: AddressInput | None = None
    latitude: float | None = strawberry.field(default=None, description="With longitude.")
    longitude: float | None = strawberry.field(default=None, description="With latitude.")
    pickup_enabled: bool = False
    ship_from_store_enabled: bool = False


@strawberry.input(
    description="Fields left out keep their value, and so does null except on a "
    "coordinate, which null clears; the result needs both coordinates or neither."
)
class LocationUpdateInput:
    slug: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    kind: LocationKind | None = strawberry.UNSET  # type: ignore[valid-type]  # strawberry enum
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole address when given."
    )
    latitude: float | None = strawberry.UNSET
    longitude: float | None = strawberry.UNSET
    pickup_enabled: bool | None = strawberry.UNSET
    ship_from_store_enabled: bool | None = strawberry.UNSET


# ---------------------------------------------------------------- payloads


@strawberry.type
class ChannelCreatePayload:
    channel: Channel | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ChannelUpdatePayload:
    channel: Channel | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LocationCreatePayload:
    location: Location | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LocationUpdatePayload:
    location: Location | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- mutations

_CHANNEL_LIST_CODES = "UNKNOWN_PLUGIN, INVALID_PLUGIN_SETTINGS, DUPLICATE, NOT_FOUND, INVALID_ID"


@strawberry.type
class ChannelsMutation:
    @strawberry.mutation(
        permission_classes=[CanWriteChannels],
        description="Create a channel. Needs channels:write. Errors: INVALID_SLUG, "
        f"DUPLICATE_SLUG, REQUIRED, INVALID, INVALID_CURRENCY, {_CHANNEL_LIST_CODES}.",
    )
    async def channel_create(self, info: Info, input: ChannelCreateInput) -> ChannelCreatePayload:
        try:
            channel = await services.create_channel(
                info.context.runtime.uow(),
                slug=input.slug,
                name=input.name,
                kind=input.kind,
                currency=input.currency,
                plugins=_plugins(input.plugins),
                locations=_supply(input.locations),
                stock_display=input.stock_display,
                low_stock_threshold=input.low_stock_threshold,
                reservation_ttl_seconds=input.reservation_ttl_seconds,
                cart_ttl_seconds=input.cart_ttl_seconds,
                cart_merge_policy=input.cart_merge_policy,
                payment_capture=input.payment_capture,
                return_window_days=input.return_window_days,
            )
        except DomainError as error:
            return ChannelCreatePayload(errors=payload_errors(error))
        info.context.runtime.channels.forget()
        return ChannelCreatePayload(channel=Channel.from_model(channel))

    @strawberry.mutation(
        permission_classes=[CanWriteChannels],
        description="Change a channel. Needs channels:write. Errors: REQUIRED, INVALID, "
        f"INVALID_CURRENCY, CURRENCY_IN_USE, {_CHANNEL_LIST_CODES}.",
    )
    async def channel_update(
        self, info: Info, id: strawberry.ID, input: ChannelUpdateInput
    ) -> ChannelUpdatePayload:
        try:
            channel = await services.update_channel(
                info.context.runtime.uow(),
                channel_id=ChannelId(decode_id(id, "Channel", field="id")),
                name=given(input.name),
                kind=given(input.kind),
                currency=given(input.currency),
                plugins=given_as(input.plugins, _plugins),
                locations=given_as(input.locations, _supply),
                stock_display=given(input.stock_display),
                low_stock_threshold=given(input.low_stock_threshold),
                reservation_ttl_seconds=given(input.reservation_ttl_seconds),
                cart_ttl_seconds=given(input.cart_ttl_seconds),
                cart_merge_policy=given(input.cart_merge_policy),
                payment_capture=given(input.payment_capture),
                return_window_days=given(input.return_window_days),
            )
        except DomainError as error:
            return ChannelUpdatePayload(errors=payload_errors(error))
        info.context.runtime.channels.forget()
        return ChannelUpdatePayload(channel=Channel.from_model(channel))

    @strawberry.mutation(
        permission_classes=[CanWriteChannels],
        description="Create a warehouse or store. Needs channels:write. Errors: INVALID_SLUG, "
        "DUPLICATE_SLUG, REQUIRED, INVALID, INVALID_COORDINATES.",
    )
    async def location_create(
        self, info: Info, input: LocationCreateInput
    ) -> LocationCreatePayload:
        try:
            location = await services.create_location(
                info.context.runtime.uow(),
                slug=input.slug,
                name=input.name,
                kind=input.kind,
                address=_address(input.address) if input.address else services.NO_ADDRESS,
                latitude=input.latitude,
                longitude=input.longitude,
                pickup_enabled=input.pickup_enabled,
                ship_from_store_enabled=input.ship_from_store_enabled,
            )
        except DomainError as error:
            return LocationCreatePayload(errors=payload_errors(error))
        return LocationCreatePayload(location=Location.from_model(location))

    @strawberry.mutation(
        permission_classes=[CanWriteChannels],
        description="Change a location. Needs channels:write. Errors: NOT_FOUND, INVALID_ID, "
        "INVALID_SLUG, DUPLICATE_SLUG, REQUIRED, INVALID, INVALID_COORDINATES.",
    )
    async def location_update(
        self, info: Info, id: strawberry.ID, input: LocationUpdateInput
    ) -> LocationUpdatePayload:
        try:
            location = await services.update_location(
                info.context.runtime.uow(),
                location_id=LocationId(decode_id(id, "Location", field="id")),
                slug=given(input.slug),
                name=given(input.name),
                kind=given(input.kind),
                address=given_as(input.address, _address),
                latitude=clearable(input.latitude),
                longitude=clearable(input.longitude),
                pickup_enabled=given(input.pickup_enabled),
                ship_from_store_enabled=given(input.ship_from_store_enabled),
            )
        except DomainError as error:
            return LocationUpdatePayload(errors=payload_errors(error))
        return LocationUpdatePayload(location=Location.from_model(location))


def _plugins(plugins: Sequence[ChannelPluginInput]) -> list[EnabledPlugin]:
    enabled: list[EnabledPlugin] = []
    for index, plugin in enumerate(plugins):
        settings: Any = plugin.settings  # JSON: any value; only an object is settings
        if not isinstance(settings, dict):
            raise DomainError.single(
                ErrorCode.INVALID_PLUGIN_SETTINGS,
                "Plugin settings are a JSON object",
                f"plugins.{index}.settings",
            )
        enabled.append(EnabledPlugin(name=plugin.name, settings=settings))
    return enabled


def _supply(locations: Sequence[ChannelLocationInput]) -> list[services.LocationSupply]:
    ids = decode_ids(
        [supply.location_id for supply in locations], "Location", field="locations.{}.location_id"
    )
    return [
        services.LocationSupply(location_id=LocationId(key), priority=supply.priority)
        for key, supply in zip(ids, locations, strict=True)
    ]


def _address(address: AddressInput) -> AddressValue:
    return AddressValue(
        line1=address.line1,
        line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        country_code=address.country_code,
    )
