"""The omnicart command: tokens, seeding, migrating and the demo's README queries."""

from __future__ import annotations

import asyncio
import gc
import re
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.carts import services as carts
from core.carts.services import Caller, LineInput
from core.channels import services as channels
from core.clock import FrozenClock
from core.config import Settings
from core.db import table_of
from core.demo.seed import seed_demo
from core.events.outbox import outbox_table as outbox
from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.inventory.tables import ReservationRow
from core.runtime import Runtime
from schema.cli import SERVING_GC_THRESHOLD, app_from_environ, main
from tests.factories import GraphQLClient, make_customer, make_location, make_shop, stored

README = Path(__file__).parents[2] / "README.md"
CREATE_CATEGORY = """mutation { categoryCreate(input: {slug: "hats", name: "Hats"}) {
  category { slug } errors { code } } }"""


@pytest.fixture
def command_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNICART_DATABASE_URL", settings.database_url)


async def run(*argv: str) -> int:
    # The command runs its own event loop, so it needs a thread of its own here.
    return await asyncio.to_thread(main, list(argv))


@pytest.mark.usefixtures("command_env", "engine")
async def test_create_token_prints_only_a_token_that_authorises_its_scopes(
    gql: GraphQLClient, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = await run("staff", "create-token", "--name", "importer", "--scope", "catalog:write")
    token = capsys.readouterr().out

    assert exit_code == 0
    assert re.fullmatch(r"omst_[a-z0-9]{8}_[A-Za-z0-9_-]{43}\n", token)
    body = await gql(CREATE_CATEGORY, headers={"Authorization": f"Bearer {token.strip()}"})
    assert body["data"]["categoryCreate"] == {"category": {"slug": "hats"}, "errors": []}


@pytest.mark.usefixtures("command_env", "engine")
async def test_a_revoked_token_no_longer_authorises(
    gql: GraphQLClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await run("staff", "create-token", "--name", "temp", "--scope", "catalog:write")
    token = capsys.readouterr().out.strip()
    prefix = token.split("_")[1]

    exit_code = await run("staff", "revoke-token", prefix)

    body = await gql(CREATE_CATEGORY, headers={"Authorization": f"Bearer {token}"})
    assert exit_code == 0
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await run("staff", "list-tokens")
    assert "revoked" in capsys.readouterr().out


@pytest.mark.usefixtures("command_env", "engine")
async def test_an_unknown_scope_is_refused_and_prints_no_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = await run("staff", "create-token", "--name", "x", "--scope", "everything")

    captured = capsys.readouterr()
    assert exit_code == 2
    assert captured.out == ""
    assert "everything" in captured.err


async def test_a_bad_setting_stops_the_command_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OMNICART_MAX_PAGE_SIZE", "lots")

    exit_code = await run("migrate")

    assert exit_code == 2
    assert "OMNICART_MAX_PAGE_SIZE" in capsys.readouterr().err


@pytest.mark.usefixtures("command_env", "engine")
async def test_seed_demo_loads_once(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    first = await run("seed", "--demo")
    first_output = capsys.readouterr().out
    second = await run("seed", "--demo")

    assert (first, second) == (0, 0)
    assert "150 products" in first_output
    assert "not seeded" in capsys.readouterr().out


@pytest.mark.usefixtures("command_env", "engine")
async def test_inventory_sweep_releases_expired_reservations_and_prunes_old_events(
    runtime: Runtime, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command runs on the real clock: these expired long ago, this one has not;
    # the events of all these changes are older than the outbox keeps them.
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    shop = await make_shop(runtime, warehouse=5)
    for owner in ("cart-1", "cart-2"):
        await reserve_for_channel(
            runtime.uow(),
            channel_id=shop.channel.id,
            owner_kind=OwnerKind.CART,
            owner_id=owner,
            variant_id=shop.variant_id,
            quantity=2,
            ttl_seconds=60,
        )
    await reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.ORDER,
        owner_id="order-1",
        variant_id=shop.variant_id,
        quantity=1,
        ttl_seconds=60,
    )
    # Move it into the future, so only it stays active.
    reservations = table_of(ReservationRow)
    async with runtime.engine.begin() as connection:
        await connection.execute(
            reservations.update()
            .where(reservations.c.owner_id == "order-1")
            .values(expires_at=datetime(2100, 1, 1, tzinfo=UTC))
        )

    async with runtime.engine.connect() as connection:
        old_events = (await connection.execute(select(func.count(outbox.c.id)))).scalar_one()

    first = await run("inventory", "sweep")
    first_output = capsys.readouterr().out
    second = await run("inventory", "sweep")

    assert (first, second) == (0, 0)
    # SQLite keeps the newest row whatever its age (core.maintenance.prune_outbox).
    pruned = old_events - 1 if runtime.engine.dialect.name == "sqlite" else old_events
    assert first_output == (f"released 2 expired reservations\npruned {pruned} outbox events\n")
    # The sweep's own events are recent: kept (and the old newest row goes now, on SQLite).
    assert capsys.readouterr().out == (
        f"released 0 expired reservations\npruned {old_events - pruned} outbox events\n"
    )
    assert [r.owner_id for r in (await stored(runtime)).reservations] == ["order-1"]


@pytest.mark.usefixtures("command_env", "engine")
async def test_carts_sweep_deletes_expired_guest_carts_and_frees_their_stock(
    runtime: Runtime, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command runs on the real clock. Carts last an hour here and holds four, so
    # carts changed two hours ago have expired while their holds have not.
    shop = await make_shop(runtime, warehouse=10)
    await channels.update_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        cart_ttl_seconds=3600,
        reservation_ttl_seconds=4 * 3600,
    )
    customer = await make_customer(runtime)
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    ancient = await carts.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        caller=Caller(customer.id),
        idempotency_key="customer-cart-create-2020",
    )
    clock.set(datetime.now(UTC) - timedelta(hours=2))
    guest = await carts.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 2)]
    )
    owned = await carts.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[LineInput(shop.variant_id, 1)],
        caller=Caller(customer.id),
    )
    clock.set(datetime.now(UTC))
    live = await carts.create_cart(runtime.uow(), channel_id=shop.channel.id)
    assert ancient.token and guest.token and owned.token and live.token

    first = await run("carts", "sweep")
    first_output = capsys.readouterr().out
    second = await run("carts", "sweep")

    assert (first, second) == (0, 0)
    assert first_output == (
        "deleted 1 expired guest carts, released 2 reservations, "
        "dropped 1 old idempotency records\n"
    )
    assert capsys.readouterr().out == (
        "deleted 0 expired guest carts, released 0 reservations, "
        "dropped 0 old idempotency records\n"
    )
    assert await carts.read_cart(runtime.uow(), guest.token, Caller()) is None
    # The customer's carts are kept, holding nothing; the live cart is untouched.
    kept = await carts.read_cart(runtime.uow(), owned.token, Caller(customer.id))
    assert kept is not None and [line.quantity for line in kept.cart.lines] == [1]
    assert await carts.read_cart(runtime.uow(), ancient.token, Caller(customer.id))
    assert await carts.read_cart(runtime.uow(), live.token, Caller()) is not None
    assert (await stored(runtime)).reservations == []


def readme_queries() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


async def test_the_readme_example_queries_answer_on_the_demo_data(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await seed_demo(runtime)
    queries = readme_queries()

    bodies = [
        await gql(query, {}, headers={"Omnicart-Channel": "marketplace"}) for query in queries
    ]

    assert len(queries) >= 3
    for body in bodies:
        assert "errors" not in body, body
        assert body["data"]
    listing = bodies[0]["data"]["products"]["edges"]
    assert len(listing) == 10
    assert all(edge["node"]["variants"][0]["price"]["currency"] == "PLN" for edge in listing)


def test_a_worker_collects_garbage_less_often_and_skips_what_startup_loaded(
    command_env: None,
) -> None:
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        app_from_environ()

        assert gc.get_threshold()[0] == SERVING_GC_THRESHOLD
        assert gc.get_freeze_count() > frozen
        # Cyclic garbage made while serving is still collected.
        cycle: list[object] = []
        cycle.append(cycle)
        alive = weakref.ref(_Cyclic(cycle))
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


class _Cyclic:
    def __init__(self, other: object) -> None:
        self.self = self
        self.other = other


@pytest.mark.usefixtures("command_env", "engine")
async def test_a_token_scoped_to_locations_lists_them(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_location(runtime, slug="store-a")
    await make_location(runtime, slug="store-b")

    scoped = await run(
        "staff", "create-token", "--name", "till", "--scope", "orders:manage",
        "--location", "store-b", "--location", "store-a",
    )  # fmt: skip
    unscoped = await run("staff", "create-token", "--name", "office", "--scope", "orders:read")
    capsys.readouterr()
    await run("staff", "list-tokens")

    listed = [line.split("\t")[1:] for line in capsys.readouterr().out.splitlines()]
    assert (scoped, unscoped) == (0, 0)
    assert listed == [
        ["till", "orders:manage", "store-a,store-b", "active"],
        ["office", "orders:read", "*", "active"],
    ]


@pytest.mark.usefixtures("command_env", "engine")
async def test_an_unknown_location_is_refused_and_creates_nothing(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_location(runtime, slug="store-a")

    exit_code = await run(
        "staff", "create-token", "--name", "till", "--scope", "orders:manage",
        "--location", "store-a", "--location", "nowhere",
    )  # fmt: skip

    captured = capsys.readouterr()
    assert exit_code == 2
    assert captured.out == ""
    assert "nowhere" in captured.err
    await run("staff", "list-tokens")
    assert capsys.readouterr().out == ""
