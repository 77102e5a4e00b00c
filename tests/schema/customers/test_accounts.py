"""Customer accounts through GraphQL: register, log in, me, log out, password change."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from core.clock import FrozenClock
from core.customers import services
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import (
    FROZEN_AT,
    GraphQLClient,
    StatementCounter,
    bearer,
    log_in_customer,
    make_customer,
    row_counts,
    staff_token,
)

REGISTER = """
mutation ($input: CustomerRegisterInput!) {
  customerRegister(input: $input) {
    customer { id email name createdAt }
    errors { field code message }
  }
}
"""

LOGIN = """
mutation ($input: CustomerLoginInput!) {
  customerLogin(input: $input) {
    token expiresAt
    customer { id email name }
    errors { field code message }
  }
}
"""

LOGOUT = "mutation { customerLogout { errors { field code message } } }"

PASSWORD_CHANGE = """
mutation ($input: CustomerPasswordChangeInput!) {
  customerPasswordChange(input: $input) {
    customer { email }
    errors { field code message }
  }
}
"""

ME = "{ me { id email name createdAt } }"

NODE = "query ($id: ID!) { node(id: $id) { id ... on Customer { email } } }"

CHANNEL_CREATE = """
mutation {
  channelCreate(input: {slug: "eu-web", name: "EU web", kind: WEB, currency: "EUR"}) {
    channel { slug }
    errors { code }
  }
}
"""


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


async def test_a_shopper_registers_logs_in_reads_me_and_logs_out(gql: GraphQLClient) -> None:
    registered = await gql(
        REGISTER,
        {"input": {"email": "Ann@Example.com", "password": "correct horse battery", "name": "Ann"}},
    )
    login = await gql(
        LOGIN, {"input": {"email": "ann@example.com", "password": "correct horse battery"}}
    )
    token = login["data"]["customerLogin"]["token"]

    me = await gql(ME, headers=bearer(token))
    logout = await gql(LOGOUT, headers=bearer(token))
    me_after_logout = await gql(ME, headers=bearer(token))

    customer = registered["data"]["customerRegister"]["customer"]
    assert registered["data"]["customerRegister"]["errors"] == []
    assert customer["email"] == "ann@example.com"
    assert customer["createdAt"] == FROZEN_AT.isoformat()
    assert login["data"]["customerLogin"]["errors"] == []
    assert token.startswith("omcs_")
    assert (
        login["data"]["customerLogin"]["expiresAt"] == (FROZEN_AT + timedelta(days=30)).isoformat()
    )
    assert login["data"]["customerLogin"]["customer"]["id"] == customer["id"]
    assert me == {"data": {"me": customer}}
    assert logout == {"data": {"customerLogout": {"errors": []}}}
    assert me_after_logout["data"] == {"me": None}
    assert codes(me_after_logout) == ["UNAUTHENTICATED"]


async def test_me_is_null_without_a_token(gql: GraphQLClient, runtime: Runtime) -> None:
    await make_customer(runtime)

    body = await gql(ME)

    assert body == {"data": {"me": None}}


async def test_an_expired_session_is_unauthenticated(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime, lifetime=timedelta(hours=2))

    clock.set(FROZEN_AT + timedelta(hours=2))
    body = await gql(ME, headers=bearer(issued.token))

    assert body["data"] == {"me": None}
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_the_session_lifetime_comes_from_the_settings(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime)
    assert runtime.settings.customer_session_seconds == 30 * 24 * 3600

    body = await gql(
        LOGIN, {"input": {"email": "ann@example.com", "password": "correct horse battery"}}
    )

    expires_at = body["data"]["customerLogin"]["expiresAt"]
    assert expires_at == (FROZEN_AT + timedelta(seconds=30 * 24 * 3600)).isoformat()


async def test_an_email_taken_in_another_case_is_refused_and_writes_nothing(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime, email="ann@example.com")
    before = await row_counts(runtime)

    body = await gql(
        REGISTER,
        {"input": {"email": "ANN@example.COM", "password": "another password", "name": "Ann"}},
    )

    assert body["data"]["customerRegister"] == {
        "customer": None,
        "errors": [
            {
                "field": ["input", "email"],
                "code": "EMAIL_TAKEN",
                "message": "An account with this email already exists",
            }
        ],
    }
    assert await row_counts(runtime) == before


async def test_registration_problems_point_at_their_input_fields(gql: GraphQLClient) -> None:
    body = await gql(REGISTER, {"input": {"email": "ann@", "password": "ann@", "name": ""}})

    errors = body["data"]["customerRegister"]["errors"]
    assert [(error["field"], error["code"]) for error in errors] == [
        (["input", "email"], "INVALID_EMAIL"),
        (["input", "password"], "PASSWORD_TOO_WEAK"),
        (["input", "name"], "REQUIRED"),
    ]


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")

    wrong_password = await gql(
        LOGIN, {"input": {"email": "ann@example.com", "password": "wrong horse battery"}}
    )
    unknown_email = await gql(
        LOGIN, {"input": {"email": "bob@example.com", "password": "correct horse battery"}}
    )

    assert wrong_password == unknown_email
    assert wrong_password["data"]["customerLogin"] == {
        "token": None,
        "expiresAt": None,
        "customer": None,
        "errors": [
            {
                "field": None,
                "code": "INVALID_CREDENTIALS",
                "message": "The email or password is wrong",
            }
        ],
    }


@pytest.mark.parametrize("credential", ["none", "garbage", "staff", "revoked", "expired"])
@pytest.mark.parametrize("operation", ["logout", "password change"])
async def test_account_mutations_need_a_live_customer_session(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, credential: str, operation: str
) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime, lifetime=timedelta(hours=1))
    headers = {
        "none": {},
        "garbage": bearer("omcs_abcdefgh_" + "x" * 43),
        "staff": bearer(await staff_token(runtime)),
        "revoked": bearer(issued.token),
        "expired": bearer(issued.token),
    }[credential]
    if credential == "revoked":
        await services.log_out(runtime.uow(), session_id=issued.session_id)
    if credential == "expired":
        clock.set(FROZEN_AT + timedelta(hours=1))
    before = await row_counts(runtime)

    if operation == "logout":
        body = await gql(LOGOUT, headers=headers)
    else:
        variables = {"input": {"currentPassword": "correct horse battery", "newPassword": "x" * 9}}
        body = await gql(PASSWORD_CHANGE, variables, headers=headers)

    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
    assert await row_counts(runtime) == before


async def test_a_staff_token_is_not_a_customer(gql: GraphQLClient, runtime: Runtime) -> None:
    token = await staff_token(runtime)

    body = await gql(ME, headers=bearer(token))

    assert body["data"] == {"me": None}
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_a_customer_token_cannot_run_staff_mutations(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime)
    before = await row_counts(runtime)

    body = await gql(CHANNEL_CREATE, headers=bearer(issued.token))

    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
    assert await row_counts(runtime) == before


async def test_changing_the_password_logs_out_other_devices_but_not_this_one(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime, password="correct horse battery")
    phone = (await log_in_customer(runtime)).token
    web = (await log_in_customer(runtime)).token

    changed = await gql(
        PASSWORD_CHANGE,
        {"input": {"currentPassword": "correct horse battery", "newPassword": "purple monkey"}},
        headers=bearer(phone),
    )

    assert changed == {
        "data": {"customerPasswordChange": {"customer": {"email": "ann@example.com"}, "errors": []}}
    }
    assert (await gql(ME, headers=bearer(phone)))["data"]["me"]["email"] == "ann@example.com"
    assert codes(await gql(ME, headers=bearer(web))) == ["UNAUTHENTICATED"]
    relogin = await gql(LOGIN, {"input": {"email": "ann@example.com", "password": "purple monkey"}})
    assert relogin["data"]["customerLogin"]["errors"] == []


async def test_a_wrong_current_password_is_a_user_error_on_its_field(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_customer(runtime)
    phone = (await log_in_customer(runtime)).token

    body = await gql(
        PASSWORD_CHANGE,
        {"input": {"currentPassword": "wrong horse battery", "newPassword": "purple monkey"}},
        headers=bearer(phone),
    )

    assert body["data"]["customerPasswordChange"] == {
        "customer": None,
        "errors": [
            {
                "field": ["input", "currentPassword"],
                "code": "INVALID_CREDENTIALS",
                "message": "The current password is wrong",
            }
        ],
    }


async def test_node_resolves_a_customer_for_themself_only(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    ann = await make_customer(runtime, email="ann@example.com")
    bob = await make_customer(runtime, email="bob@example.com")
    ann_token = (await log_in_customer(runtime, email="ann@example.com")).token
    ann_id = to_global_id("Customer", ann.id)
    bob_id = to_global_id("Customer", bob.id)

    own = await gql(NODE, {"id": ann_id}, headers=bearer(ann_token))
    other = await gql(NODE, {"id": bob_id}, headers=bearer(ann_token))
    anonymous = await gql(NODE, {"id": ann_id})

    assert own == {"data": {"node": {"id": ann_id, "email": "ann@example.com"}}}
    assert other == {"data": {"node": None}}
    assert anonymous == {"data": {"node": None}}


async def test_me_reads_its_session_in_one_statement(
    gql: GraphQLClient, runtime: Runtime, count_statements: StatementCounter
) -> None:
    await make_customer(runtime)
    token = (await log_in_customer(runtime)).token
    count_statements.reset()

    body = await gql("{ me { email } alias: me { name } }", headers=bearer(token))

    assert body["data"] == {"me": {"email": "ann@example.com"}, "alias": {"name": "Ann Lee"}}
    assert count_statements.count == 1


async def test_tokens_and_passwords_never_reach_the_log(
    gql: GraphQLClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password, new_password = "correct horse battery", "purple monkey dishwasher"

    await gql(REGISTER, {"input": {"email": "ann@example.com", "password": password, "name": "A"}})
    await gql(LOGIN, {"input": {"email": "ann@example.com", "password": "wrong horse battery"}})
    login = await gql(LOGIN, {"input": {"email": "ann@example.com", "password": password}})
    token = login["data"]["customerLogin"]["token"]
    await gql(ME, headers=bearer(token))
    await gql(
        PASSWORD_CHANGE,
        {"input": {"currentPassword": password, "newPassword": new_password}},
        headers=bearer(token),
    )
    await gql(LOGOUT, headers=bearer(token))
    await gql(ME, headers=bearer(token))

    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [str(record.args) for record in caplog.records]
    )
    assert "customer logged in" in logged
    secret_part = token[len("omcs_abcdefgh_") :]
    for secret in (token, secret_part, password, new_password, "wrong horse battery"):
        assert secret not in logged
