"""A cart's shipping and billing address (issue 13): set, cleared, guarded like every cart
change, kept by every other change, by resuming and by merging."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.carts import services
from core.carts.events import CART_TOPIC
from core.carts.merge import merge_guest_cart
from core.carts.services import (
    Caller,
    Guard,
    LineInput,
    MailingAddress,
    MailingAddressInput,
)
from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.errors import DomainError, ErrorCode
from core.runtime import Runtime
from tests.factories import (
    Shop,
    World,
    availability,
    make_shop,
    make_world,
    row_counts,
    stored,
    stored_events,
)

HOME = MailingAddressInput(
    first_name=" Ann ",
    last_name="Lee",
    line1="Hauptstraße 5",
    postal_code="10115",
    city="Berlin",
    country_code="de",
    phone="+49 30 1234567",
)
OFFICE = MailingAddressInput(
    first_name="Ann",
    last_name="Lee",
    company="Lee GmbH",
    line1="Friedrichstraße 1",
    postal_code="10117",
    city="Berlin",
    country_code="DE",
)
STORED_HOME = MailingAddress(
    first_name="Ann",
    last_name="Lee",
    line1="Hauptstraße 5",
    postal_code="10115",
    city="Berlin",
    country_code="DE",
    phone="+49 30 1234567",
)
KEY = "6d0f3c1e-2b8a-4f57-9e21-3c4d5e6f7a8b"


async def world_of(runtime: Runtime) -> World:
    return await make_world(
        runtime, web_policy=MergePolicy.SUM, mobile_policy=MergePolicy.SUM, mobile_buffer=0
    )


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


async def new_cart(runtime: Runtime, quantity: int = 1) -> tuple[str, Shop]:
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, quantity)]
    )
    assert created.token is not None
    return created.token, shop


async def test_a_shipping_address_is_stored_and_another_device_reads_it(runtime: Runtime) -> None:
    token, shop = await new_cart(runtime)
    events_before = len(await stored_events(runtime))
    held_before = (await stored(runtime)).reservations

    result = await services.set_shipping_address(runtime.uow(), token=token, address=HOME)

    assert result.cart.cart.shipping_address == STORED_HOME
    assert result.cart.cart.billing_address is None
    assert result.cart.cart.version == 2 and not result.replayed
    elsewhere = await services.read_cart(runtime.uow(), token, Caller())
    assert elsewhere is not None
    assert elsewhere.cart.shipping_address == STORED_HOME
    assert elsewhere.cart.version == 2
    written = (await stored_events(runtime))[events_before:]
    assert [(event.topic, event.payload["version"]) for event in written] == [(CART_TOPIC, 2)]
    # No stock moves.
    assert (await stored(runtime)).reservations == held_before
    assert (await availability(runtime, shop)).quantity == 9


async def test_shipping_and_billing_are_set_and_cleared_independently(runtime: Runtime) -> None:
    token, _ = await new_cart(runtime)
    await services.set_shipping_address(runtime.uow(), token=token, address=HOME)

    billed = await services.set_billing_address(runtime.uow(), token=token, address=OFFICE)

    assert billed.cart.cart.shipping_address == STORED_HOME
    assert billed.cart.cart.billing_address is not None
    assert billed.cart.cart.billing_address.company == "Lee GmbH"
    cleared = await services.set_shipping_address(runtime.uow(), token=token, address=None)
    assert cleared.cart.cart.shipping_address is None
    assert cleared.cart.cart.billing_address == billed.cart.cart.billing_address
    assert cleared.cart.cart.version == 4
    read = await services.read_cart(runtime.uow(), token, Caller())
    assert read is not None and read.cart.shipping_address is None
    assert read.cart.billing_address == billed.cart.cart.billing_address


async def test_an_invalid_address_reports_every_field_and_writes_nothing(
    runtime: Runtime,
) -> None:
    token, _ = await new_cart(runtime)
    await services.set_billing_address(runtime.uow(), token=token, address=OFFICE)
    before = await row_counts(runtime)
    events_before = len(await stored_events(runtime))
    bad = MailingAddressInput(
        first_name="",
        last_name="Lee",
        line1="Hauptstraße 5",
        postal_code="10115!",
        city="Berlin",
        country_code="XX",
        phone="12",
    )

    with pytest.raises(DomainError) as error:
        await services.set_billing_address(
            runtime.uow(), token=token, address=bad, guard=Guard(idempotency_key=KEY)
        )

    assert codes(error) == {
        (ErrorCode.REQUIRED, "address.first_name"),
        (ErrorCode.INVALID_POSTAL_CODE, "address.postal_code"),
        (ErrorCode.INVALID_COUNTRY_CODE, "address.country_code"),
        (ErrorCode.INVALID_PHONE, "address.phone"),
    }
    assert await row_counts(runtime) == before
    assert len(await stored_events(runtime)) == events_before
    read = await services.read_cart(runtime.uow(), token, Caller())
    assert read is not None and read.cart.version == 2
    assert read.cart.billing_address is not None and read.cart.billing_address.company == "Lee GmbH"
    # The key was not used up by the refused request.
    made = await services.set_billing_address(
        runtime.uow(), token=token, address=HOME, guard=Guard(idempotency_key=KEY)
    )
    assert not made.replayed and made.cart.cart.billing_address == STORED_HOME


async def test_a_retried_request_applies_once_and_a_reused_key_is_refused(
    runtime: Runtime,
) -> None:
    token, _ = await new_cart(runtime)
    guard = Guard(idempotency_key=KEY)
    first = await services.set_shipping_address(
        runtime.uow(), token=token, address=HOME, guard=guard
    )

    # The same address spelt as the client may resend it: the same request.
    again = await services.set_shipping_address(
        runtime.uow(),
        token=token,
        address=replace(HOME, first_name="Ann", country_code="DE "),
        guard=guard,
    )

    assert again.replayed and not first.replayed
    assert again.cart.cart.version == first.cart.cart.version == 2
    assert again.cart.cart.shipping_address == STORED_HOME
    with pytest.raises(DomainError) as error:
        await services.set_shipping_address(runtime.uow(), token=token, address=OFFICE, guard=guard)
    assert codes(error) == {(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotency_key")}
    with pytest.raises(DomainError) as error:
        await services.set_billing_address(runtime.uow(), token=token, address=HOME, guard=guard)
    assert codes(error) == {(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotency_key")}


async def test_a_stale_version_or_a_lapsed_cart_is_refused(
    runtime: Runtime, clock: FrozenClock
) -> None:
    token, shop = await new_cart(runtime)
    await services.set_shipping_address(
        runtime.uow(), token=token, address=HOME, guard=Guard(expected_version=1)
    )

    with pytest.raises(DomainError) as error:
        await services.set_shipping_address(
            runtime.uow(), token=token, address=OFFICE, guard=Guard(expected_version=1)
        )

    assert codes(error) == {(ErrorCode.CART_VERSION_CONFLICT, "expected_version")}
    with pytest.raises(DomainError) as error:
        await services.set_billing_address(runtime.uow(), token="omct_nope", address=HOME)
    assert codes(error) == {(ErrorCode.INVALID_CART_TOKEN, "token")}
    clock.advance(timedelta(seconds=shop.channel.cart_ttl_seconds + 1))
    with pytest.raises(DomainError) as error:
        await services.set_billing_address(runtime.uow(), token=token, address=HOME)
    assert codes(error) == {(ErrorCode.CART_EXPIRED, "token")}
    read = await services.read_cart(runtime.uow(), token, Caller())
    assert read is not None and read.cart.shipping_address == STORED_HOME
    assert read.cart.billing_address is None


async def test_other_changes_keep_the_addresses(runtime: Runtime) -> None:
    token, shop = await new_cart(runtime)
    await services.set_shipping_address(runtime.uow(), token=token, address=HOME)
    await services.set_billing_address(runtime.uow(), token=token, address=OFFICE)
    variant_id = shop.variant_id

    # An add of one variant (on PostgreSQL the one-statement add), an email, a clear.
    added = await services.add_lines(runtime.uow(), token=token, lines=[LineInput(variant_id, 2)])
    emailed = await services.update_email(runtime.uow(), token=token, email="ann@example.com")
    cleared = await services.clear_cart(runtime.uow(), token=token)

    for result in (added, emailed, cleared):
        assert result.cart.cart.shipping_address == STORED_HOME
        assert result.cart.cart.billing_address is not None
        assert result.cart.cart.billing_address.company == "Lee GmbH"
    read = await services.read_cart(runtime.uow(), token, Caller())
    assert read is not None and read.cart.version == 6
    assert read.cart.shipping_address == STORED_HOME
    assert read.cart.billing_address == cleared.cart.cart.billing_address


async def test_resuming_in_another_channel_keeps_the_addresses(runtime: Runtime) -> None:
    world = await world_of(runtime)
    created = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[0], 1)]
    )
    assert created.token is not None
    await services.set_shipping_address(runtime.uow(), token=created.token, address=HOME)

    resumed = await services.resume_cart(
        runtime.uow(), token=created.token, channel_id=world.mobile.id
    )

    assert resumed.cart.cart.cart.channel_id == world.mobile.id
    assert resumed.cart.cart.cart.shipping_address == STORED_HOME
    read = await services.read_cart(runtime.uow(), created.token, Caller())
    assert read is not None and read.cart.shipping_address == STORED_HOME


async def test_a_merge_keeps_the_customers_addresses_and_takes_the_guests_where_none(
    runtime: Runtime,
) -> None:
    world = await world_of(runtime)
    customer = world.customer.id
    mine = await services.create_cart(
        runtime.uow(),
        channel_id=world.web.id,
        lines=[LineInput(world.variants[0], 1)],
        caller=Caller(customer),
    )
    guest = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[1], 1)]
    )
    assert mine.token is not None and guest.token is not None
    await services.set_shipping_address(
        runtime.uow(), token=mine.token, address=OFFICE, caller=Caller(customer)
    )
    await services.set_shipping_address(runtime.uow(), token=guest.token, address=HOME)
    await services.set_billing_address(runtime.uow(), token=guest.token, address=HOME)

    merged = await merge_guest_cart(runtime.uow(), customer_id=customer, guest_token=guest.token)

    survivor = merged.cart.cart
    assert survivor.id == mine.cart.cart.id
    assert survivor.shipping_address is not None
    assert survivor.shipping_address.company == "Lee GmbH"
    assert survivor.billing_address == STORED_HOME
    read = await services.read_cart(runtime.uow(), mine.token, Caller(customer))
    assert read is not None
    assert read.cart.shipping_address == survivor.shipping_address
    assert read.cart.billing_address == STORED_HOME
    assert read.cart.version == survivor.version


async def test_a_guest_cart_that_becomes_the_customers_keeps_its_addresses(
    runtime: Runtime,
) -> None:
    world = await world_of(runtime)
    guest = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[0], 1)]
    )
    assert guest.token is not None
    await services.set_billing_address(runtime.uow(), token=guest.token, address=HOME)

    merged = await merge_guest_cart(
        runtime.uow(), customer_id=world.customer.id, guest_token=guest.token
    )

    assert merged.cart.cart.id == guest.cart.cart.id
    assert merged.cart.cart.billing_address == STORED_HOME
    assert merged.cart.cart.shipping_address is None
    read = await services.read_cart(runtime.uow(), guest.token, Caller(world.customer.id))
    assert read is not None and read.cart.billing_address == STORED_HOME


async def test_a_merged_guest_cart_no_longer_takes_an_address(runtime: Runtime) -> None:
    world = await world_of(runtime)
    await services.create_cart(
        runtime.uow(),
        channel_id=world.web.id,
        lines=[LineInput(world.variants[0], 1)],
        caller=Caller(world.customer.id),
    )
    guest = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[1], 1)]
    )
    assert guest.token is not None
    await merge_guest_cart(runtime.uow(), customer_id=world.customer.id, guest_token=guest.token)

    with pytest.raises(DomainError) as error:
        await services.set_shipping_address(runtime.uow(), token=guest.token, address=HOME)

    assert codes(error) == {(ErrorCode.CART_NOT_ACTIVE, "token")}
