"""A refused quantity names the input line that asked for it (``lines.<i>.quantity``), so a
client adding or changing several lines at once can show the refusal beside that line."""

from __future__ import annotations

import pytest

from core.carts import services
from core.carts.services import Caller, CartLimits, LineInput, LineQuantity
from core.catalog import services as catalog
from core.errors import DomainError, ErrorCode
from core.runtime import Runtime
from tests.factories import Store, make_store, row_counts


def fields(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[ErrorCode, str | None]]:
    return [(problem.code, problem.field) for problem in error.value.problems]


async def cart_of(runtime: Runtime, store: Store, *quantities: int) -> str:
    created = await services.create_cart(
        runtime.uow(),
        channel_id=store.channel.id,
        lines=[LineInput(store.variants[i], q) for i, q in enumerate(quantities)],
    )
    assert created.token
    return created.token


async def test_an_add_short_of_stock_names_the_line_asking_for_it(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=3, stock=10)
    token = await cart_of(runtime, store, 1)
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=token,
            lines=[LineInput(store.variants[1], 1), LineInput(store.variants[2], 11)],
        )
    assert fields(error) == [(ErrorCode.INSUFFICIENT_STOCK, "lines.1.quantity")]
    # The same variant twice adds up; the first line naming it carries the refusal.
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=token,
            lines=[
                LineInput(store.variants[1], 1),
                LineInput(store.variants[0], 5),
                LineInput(store.variants[0], 5),
            ],
        )
    assert fields(error) == [(ErrorCode.INSUFFICIENT_STOCK, "lines.1.quantity")]
    assert await row_counts(runtime) == before


async def test_a_new_cart_short_of_stock_names_the_line(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=2, stock=10)
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.create_cart(
            runtime.uow(),
            channel_id=store.channel.id,
            lines=[LineInput(store.variants[0], 1), LineInput(store.variants[1], 20)],
        )
    assert fields(error) == [(ErrorCode.INSUFFICIENT_STOCK, "lines.1.quantity")]
    assert await row_counts(runtime) == before


async def test_an_add_past_a_lines_limit_names_the_line(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=2, stock=10)
    token = await cart_of(runtime, store, 4)

    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=token,
            lines=[LineInput(store.variants[1], 1), LineInput(store.variants[0], 2)],
            limits=CartLimits(max_line_quantity=5),
        )
    assert fields(error) == [(ErrorCode.INVALID_QUANTITY, "lines.1.quantity")]


async def test_a_raised_quantity_refused_names_the_line_of_the_request(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=2, stock=10)
    token = await cart_of(runtime, store, 1, 1)
    read = await services.read_cart(runtime.uow(), token, Caller())
    assert read is not None
    first, second = read.cart.lines
    before = await row_counts(runtime)

    # The request lists the lines in its own order: the second input line is the cart's first.
    with pytest.raises(DomainError) as error:
        await services.update_lines(
            runtime.uow(),
            token=token,
            lines=[LineQuantity(second.id, 2), LineQuantity(first.id, 11)],
        )
    assert fields(error) == [(ErrorCode.INSUFFICIENT_STOCK, "lines.1.quantity")]
    assert await row_counts(runtime) == before

    await catalog.set_listing(
        runtime.uow(),
        product_id=read.sale_info[first.variant_id].product_id,
        channel_id=store.channel.id,
        is_published=False,
    )
    with pytest.raises(DomainError) as error:
        await services.update_lines(runtime.uow(), token=token, lines=[LineQuantity(first.id, 2)])
    assert fields(error) == [(ErrorCode.NOT_SOLD_IN_CHANNEL, "lines.0.quantity")]
    # Lowering a line of a variant no longer sold is still allowed.
    lowered = await services.update_lines(
        runtime.uow(), token=token, lines=[LineQuantity(second.id, 1), LineQuantity(first.id, 0)]
    )
    assert [line.variant_id for line in lowered.cart.cart.lines] == [second.variant_id]
