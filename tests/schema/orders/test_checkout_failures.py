"""A plugin failing during checkout: PLUGIN_FAILED naming it and nothing written; a
failure after the payment was authorised voids the authorisation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db import create_engine
from core.db.reads import Reads
from core.hooks import hookimpl
from core.payments.model import (
    Authorization,
    AuthorizationOutcome,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    TransactionOutcome,
)
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from tests.factories import GraphQLClient, postgres_dsn, row_counts, terminate_backends
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare


class Saboteur:
    """Raises in the hook named by ``armed``, and answers nothing in the others."""

    def __init__(self) -> None:
        self.armed: str | None = None

    def _strike(self, hook: str) -> None:
        if self.armed == hook:
            raise RuntimeError(f"{hook} broke")

    @hookimpl
    def omnicart_price_lines(self) -> None:
        self._strike("omnicart_price_lines")

    @hookimpl
    def omnicart_delivery_options(self) -> None:
        self._strike("omnicart_delivery_options")

    @hookimpl
    def omnicart_source_lines(self) -> None:
        self._strike("omnicart_source_lines")

    @hookimpl
    def omnicart_checkout_validate(self) -> None:
        self._strike("omnicart_checkout_validate")


async def stock(runtime: Runtime) -> list[Any]:
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT variant_id, location_id, on_hand, reserved FROM stock_levels ORDER BY 1, 2"
            )
        )
        return [tuple(row) for row in rows.all()]


@pytest.mark.parametrize(
    "hook",
    [
        "omnicart_price_lines",
        "omnicart_delivery_options",
        "omnicart_source_lines",
        "omnicart_checkout_validate",
        "omnicart_payment_authorize",
    ],
)
async def test_a_plugin_failing_in_checkout_is_named_and_nothing_is_written(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock, hook: str
) -> None:
    saboteur = Saboteur()
    runtime = Runtime.build(
        settings,
        engine=engine,
        reads=reads,
        clock=clock,
        plugins=PluginHost.load(extra={"saboteur": saboteur}),
    )
    failing_gateway = hook == "omnicart_payment_authorize"
    shop = await make_delivery_shop(
        runtime,
        stock={(0, "warehouse"): 4},
        extra_plugins=(
            EnabledPlugin("saboteur", {}),
            EnabledPlugin("test-gateway", {"mode": "fail"}) if failing_gateway else GATEWAY,
        ),
    )
    token = await make_cart(runtime, shop, (2,))
    app = create_app(settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
        before, levels = await row_counts(runtime), await stock(runtime)
        saboteur.armed = hook

        body = await gql(
            "mutation ($t: String!) { checkoutComplete(token: $t, idempotencyKey: "
            '"failing-checkout-0001", payment: {provider: "test-gateway"}) '
            "{ order { number } errors { code } } }",
            {"t": token},
        )

    [error] = body["errors"]
    plugin = "test-gateway" if failing_gateway else "saboteur"
    assert error["extensions"] == {"code": "PLUGIN_FAILED", "plugin": plugin}
    assert await row_counts(runtime) == before
    assert await stock(runtime) == levels


@dataclass
class RecordingProvider:
    """A payment provider that approves, lets a test break the database as it answers,
    and records every void."""

    provider = "recording-pay"
    on_authorize: Any = None
    voided: list[str] = field(default_factory=list)

    @hookimpl
    async def omnicart_payment_authorize(self, request: PaymentRequest) -> Authorization:
        if self.on_authorize is not None:
            await self.on_authorize()
        return Authorization(
            provider=self.provider,
            outcome=AuthorizationOutcome.APPROVED,
            amount=request.amount,
            reference=request.reference,
            provider_reference=f"rp_{request.reference}",
        )

    @hookimpl
    def omnicart_payment_void(self, authorization: Authorization) -> PaymentTransaction:
        self.voided.append(authorization.reference)
        return PaymentTransaction(
            kind=TransactionKind.VOID,
            provider=self.provider,
            outcome=TransactionOutcome.SUCCEEDED,
            amount=authorization.amount,
        )


@pytest.fixture
async def own_engine(database_url: str) -> AsyncIterator[tuple[AsyncEngine, list[int]]]:
    engine = create_engine(database_url, pool_size=5)
    pids: list[int] = []

    def opened(dbapi_connection: Any, _record: Any) -> None:
        pids.append(dbapi_connection.driver_connection.get_server_pid())

    event.listen(engine.sync_engine, "connect", opened)
    yield engine, pids
    await engine.dispose()


async def test_a_database_failure_after_the_authorisation_voids_it(
    settings: Settings,
    database_url: str,
    own_engine: tuple[AsyncEngine, list[int]],
    clock: FrozenClock,
    runtime: Runtime,
) -> None:
    dsn = postgres_dsn(database_url)  # a connection to break: PostgreSQL only
    engine, pids = own_engine
    provider = RecordingProvider()
    app_runtime = Runtime.build(
        settings,
        engine=engine,
        clock=clock,
        plugins=PluginHost.load(extra={"recording-pay": provider}),
    )
    shop = await make_delivery_shop(
        app_runtime,
        stock={(0, "warehouse"): 4},
        extra_plugins=(EnabledPlugin("recording-pay", {}),),
    )
    token = await make_cart(app_runtime, shop, (1,))
    app = create_app(settings, runtime=app_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
        before = await row_counts(runtime)

        async def restart() -> None:
            await terminate_backends(dsn, pids)

        provider.on_authorize = restart
        broken = await http.post(
            "/graphql",
            json={
                "query": "mutation ($t: String!) { checkoutComplete(token: $t, idempotencyKey: "
                '"voided-checkout-0001", payment: {provider: "recording-pay"}) '
                "{ order { number } errors { code } } }",
                "variables": {"t": token},
            },
        )
        provider.on_authorize = None
        retried = await checkout(gql, token, key="voided-checkout-0001", provider="recording-pay")

    assert broken.status_code == 503
    assert broken.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    # The failed attempt's authorisation was voided; the retry placed the one order.
    assert len(provider.voided) == 1
    assert retried["errors"] == [] and retried["replayed"] is False
    assert retried["order"]["number"] != provider.voided[0]
    assert retried["order"]["paymentStatus"] == "AUTHORIZED"
    assert (await row_counts(runtime))["orders"] == before["orders"] + 1
