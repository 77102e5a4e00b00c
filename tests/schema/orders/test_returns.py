"""Returns and refunds through GraphQL (issue 14): what may be returned, received and
refunded, and what is refused without writing anything."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from core.clock import FrozenClock
from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.orders import OWNER_ORDER
from tests.factories.returns import (
    REFUND_CREATE,
    RETURN_CREATE,
    RETURN_RECEIVE,
    Collected,
    collected_order,
    location_id,
    movements,
    on_hand,
)


async def make_return(done: Collected, quantity: int, channel: str | None = None) -> Any:
    lines = [{"orderLineId": done.line_id, "quantity": quantity, "reason": "too small"}]
    body = await done.staff(
        RETURN_CREATE, {"order": done.order["id"], "lines": lines, "channel": channel}
    )
    return body["data"]["returnCreate"]


async def receive(done: Collected, made: Any, quantity: int, *, at: str = "centre") -> Any:
    lines = [
        {
            "returnLineId": made["return"]["lines"][0]["id"],
            "quantity": quantity,
            "disposition": "RESTOCK",
        }
    ]
    variables = {
        "return": made["return"]["id"],
        "location": location_id(done.shop, at),
        "lines": lines,
    }
    body = await done.staff(RETURN_RECEIVE, variables)
    return body["data"]["returnReceive"]


async def test_returning_more_than_was_collected_is_refused_and_writes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    first = await make_return(done, 1)

    too_many = await make_return(done, 2)

    assert first["errors"] == []
    assert first["return"]["status"] == "REQUESTED"
    assert [(e["code"], e["field"]) for e in too_many["errors"]] == [
        ("RETURN_QUANTITY_EXCEEDED", ["lines", "0", "quantity"])
    ]
    after = first["order"]
    assert [r["lines"][0]["quantity"] for r in after["returns"]] == [1]
    order = (await gql(OWNER_ORDER, {"token": done.order_token}))["data"]["orderByToken"]
    assert order["version"] == after["version"]


async def test_a_line_that_is_not_the_orders_is_refused(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    other_line = "T3JkZXJMaW5lOjk5OTk="  # OrderLine:9999, not the order's

    body = await done.staff(
        RETURN_CREATE,
        {"order": done.order["id"], "lines": [{"orderLineId": other_line, "quantity": 1}]},
    )

    assert [e["code"] for e in body["data"]["returnCreate"]["errors"]] == ["UNKNOWN_ORDER_LINE"]


async def test_receiving_more_than_was_returned_is_refused_and_writes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    made = await make_return(done, 1)
    before = await on_hand(runtime)

    refused = await receive(done, made, 2)

    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("RECEIVE_QUANTITY_EXCEEDED", ["lines", "0", "quantity"])
    ]
    assert await on_hand(runtime) == before
    assert await movements(runtime, ("return", "write_off")) == []


async def test_two_receipts_of_one_return_line_at_once_restock_it_once(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    made = await make_return(done, 2)

    answers = await asyncio.gather(receive(done, made, 2), receive(done, made, 2))

    accepted = [a for a in answers if a["errors"] == []]
    refused = [a for a in answers if a["errors"]]
    assert len(accepted) == 1 and len(refused) == 1
    assert [e["code"] for e in refused[0]["errors"]] == ["RECEIVE_QUANTITY_EXCEEDED"]
    assert accepted[0]["return"]["status"] == "RECEIVED"
    assert (await on_hand(runtime))["centre-store"] == (3, 0)  # 3 - 2 collected + 2 back
    [movement] = await movements(runtime, ("return",))
    assert movement[:3] == ("centre-store", "return", 2)
    assert movement[3].startswith("Return ") and "received at Centre store" in movement[3]


async def test_a_write_off_records_its_reason_and_leaves_stock_alone(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    made = await make_return(done, 1)
    before = await on_hand(runtime)
    lines = [
        {
            "returnLineId": made["return"]["lines"][0]["id"],
            "quantity": 1,
            "disposition": "WRITE_OFF",
            "note": "sole torn",
        }
    ]

    body = await done.staff(
        RETURN_RECEIVE,
        {
            "return": made["return"]["id"],
            "location": location_id(done.shop, "centre"),
            "lines": lines,
        },
    )

    payload = body["data"]["returnReceive"]
    assert payload["errors"] == []
    assert payload["return"]["lines"] == [{"received": 1, "restocked": 0, "writtenOff": 1}]
    assert await on_hand(runtime) == before
    [(slug, kind, delta, reason)] = await movements(runtime, ("return", "write_off"))
    assert (slug, kind, delta) == ("centre-store", "write_off", 0)
    assert "sole torn" in reason and reason.startswith("Return ")


async def test_refunds_are_partial_idempotent_by_key_and_never_exceed_the_capture(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    order_id = done.order["id"]
    total = done.order["cost"]["totalAmount"]
    assert done.order["paymentStatus"] == "CAPTURED"

    def refund(key: str, amount: str, reason: str = "goodwill") -> Any:
        variables = {
            "order": order_id,
            "key": key,
            "amount": {"amount": amount, "currency": "PLN"},
            "reason": reason,
        }
        return done.staff(REFUND_CREATE, variables)

    first = (await refund("refund-0001", "10.00"))["data"]["refundCreate"]
    again = (await refund("refund-0001", "10.00"))["data"]["refundCreate"]
    reused = (await refund("refund-0001", "11.00"))["data"]["refundCreate"]
    too_much = (await refund("refund-0002", total["amount"]))["data"]["refundCreate"]
    rest = str(int(total["amount"].split(".")[0]) - 10) + ".00"
    last = (await refund("refund-0003", rest))["data"]["refundCreate"]

    assert first["errors"] == [] and first["replayed"] is False
    assert first["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert again["errors"] == [] and again["replayed"] is True
    assert again["refund"] == first["refund"]
    assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert [(e["code"], e["field"]) for e in too_much["errors"]] == [
        ("REFUND_EXCEEDS_CAPTURED", ["amount"])
    ]
    assert last["errors"] == []
    assert last["order"]["paymentStatus"] == "REFUNDED"
    assert [r["amount"]["amount"] for r in last["order"]["refunds"]] == ["10.00", rest]
    assert last["order"]["history"][-1]["paymentStatus"] == "REFUNDED"


async def test_a_refund_by_lines_pays_back_their_price(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)

    body = await done.staff(
        REFUND_CREATE,
        {
            "order": done.order["id"],
            "key": "refund-lines-1",
            "lines": [{"orderLineId": done.line_id, "quantity": 1}],
            "reason": "returned",
        },
    )

    payload = body["data"]["refundCreate"]
    assert payload["errors"] == []
    assert payload["refund"]["amount"] == {"amount": "60.00", "currency": "PLN"}


async def test_a_guest_returns_online_within_the_window_and_not_after_it(
    runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    done = await collected_order(runtime, gql)
    lines = [{"orderLineId": done.line_id, "quantity": 1}]

    within = (await gql(RETURN_CREATE, {"token": done.order_token, "lines": lines}))["data"]
    clock.advance(timedelta(days=31))
    late = (await gql(RETURN_CREATE, {"token": done.order_token, "lines": lines}))["data"]
    wrong = (await gql(RETURN_CREATE, {"token": "not-a-token", "lines": lines}))["data"]

    assert within["returnCreate"]["errors"] == []
    assert within["returnCreate"]["return"]["channel"]["slug"] == "shop"
    assert [e["code"] for e in late["returnCreate"]["errors"]] == ["RETURN_WINDOW_CLOSED"]
    assert [e["code"] for e in wrong["returnCreate"]["errors"]] == ["ORDER_NOT_FOUND"]


async def test_a_location_scoped_token_receives_only_at_its_own_store(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    made = await make_return(done, 1)
    far_staff = gql.with_headers(
        **bearer(
            await staff_token(runtime, Scope.ORDERS_MANAGE, name="far", locations=["far-store"])
        )
    )

    async def run(at: str) -> Any:
        variables = {
            "return": made["return"]["id"],
            "location": location_id(done.shop, at),
            "lines": [
                {
                    "returnLineId": made["return"]["lines"][0]["id"],
                    "quantity": 1,
                    "disposition": "RESTOCK",
                }
            ],
        }
        return await far_staff(RETURN_RECEIVE, variables)

    elsewhere = await run("centre")
    own = await run("far")

    assert [e["extensions"]["code"] for e in elsewhere["errors"]] == ["FORBIDDEN"]
    assert "errors" not in own, own
    assert own["data"]["returnReceive"]["errors"] == []
    assert (await on_hand(runtime))["far-store"] == (1, 0)
