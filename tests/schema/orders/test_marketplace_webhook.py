"""POST /channels/{channel}/marketplace-orders (issue 15, point 2): the marketplace
adapter's signed JSON goes through the same import as marketplaceOrderImport."""

from __future__ import annotations

import httpx
import orjson

from core.channels.model import ChannelKind
from core.runtime import Runtime
from plugins.marketplace.orders import signature_of
from tests.factories import make_channel, row_counts
from tests.factories.marketplace import (
    SECRET,
    WEBHOOK,
    make_marketplace,
    order_input,
    post_order,
)


async def test_a_signed_order_is_imported_once(runtime: Runtime, client: httpx.AsyncClient) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})

    first = await post_order(client, order_input())
    again = await post_order(client, order_input())

    assert first.status_code == 201
    number = first.json()["orderNumber"]
    assert number.startswith("OC-") and first.json()["replayed"] is False
    assert again.status_code == 200
    assert again.json() == {"orderNumber": number, "replayed": True}
    counts = await row_counts(runtime)
    assert counts["orders"] == 1 and counts["reservations"] == 1


async def test_a_bad_or_missing_signature_is_refused_and_writes_nothing(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    before = await row_counts(runtime)

    forged = await post_order(client, order_input(), secret="guessed")
    unsigned = await client.post(WEBHOOK, content=orjson.dumps(order_input()))

    for refused in (forged, unsigned):
        assert refused.status_code == 401
        [error] = refused.json()["errors"]
        assert error["code"] == "MARKETPLACE_ORDER_REJECTED"
    assert await row_counts(runtime) == before


async def test_a_refused_import_answers_its_codes_on_the_input_paths(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 1})
    before = await row_counts(runtime)

    unknown = await post_order(client, order_input(lines=(("NOPE", 1, "1.00"),)))
    short = await post_order(client, order_input(lines=(("BOOT-1", 3, "1.00"),)))

    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {
            "code": "UNKNOWN_SKU",
            "message": "No variant has SKU 'NOPE'",
            "path": ["lines", "0", "sku"],
        }
    ]
    assert short.status_code == 422
    assert [(e["code"], e["path"]) for e in short.json()["errors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "0"])
    ]
    assert await row_counts(runtime) == before


async def test_unknown_channels_malformed_and_oversized_bodies_are_refused(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    await make_channel(runtime, slug="web", kind=ChannelKind.WEB, currency="PLN")
    before = await row_counts(runtime)
    malformed = b'{"externalId": 7}'

    nowhere = await post_order(client, order_input(), url="/channels/nowhere/marketplace-orders")
    web = await post_order(client, order_input(), url="/channels/web/marketplace-orders")
    unreadable = await client.post(
        WEBHOOK,
        content=malformed,
        headers={"x-marketplace-signature": signature_of(malformed, SECRET)},
    )
    huge = await client.post(WEBHOOK, content=b" " * (300 * 1024))

    assert nowhere.status_code == 404
    assert nowhere.json()["errors"][0]["code"] == "UNKNOWN_CHANNEL"
    assert web.status_code == 404
    assert web.json()["errors"][0]["code"] == "NOT_A_MARKETPLACE_CHANNEL"
    assert unreadable.status_code == 400
    assert unreadable.json()["errors"][0]["code"] == "MARKETPLACE_ORDER_REJECTED"
    assert huge.status_code == 413
    assert await row_counts(runtime) == before
