"""The till's payment providers (issue 15) on their own: cash approves exactly when
enough was tendered and gives the difference back; the card terminal declines its
documented test card only; refunds are paid from the drawer or back to the card."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given
from hypothesis import strategies as st

from core.money import Money
from core.payments.model import AuthorizationOutcome, PaymentRequest, TransactionKind
from plugins.card_present.settings import CardPresentSettings
from plugins.card_present.terminal import DECLINED_CARD
from plugins.card_present.terminal import omnicart_payment_authorize as card_authorize
from plugins.card_present.terminal import omnicart_payment_refund as card_refund
from plugins.cash.drawer import SHORT
from plugins.cash.drawer import omnicart_payment_authorize as cash_authorize
from plugins.cash.drawer import omnicart_payment_refund as cash_refund
from plugins.cash.settings import CashSettings

minor_units = st.integers(min_value=1, max_value=10**9)


def request(total: int, data: Mapping[str, object]) -> PaymentRequest:
    return PaymentRequest(provider="x", amount=Money(total, "PLN"), reference="OC-1", data=data)


@given(total=minor_units, tendered=st.integers(min_value=0, max_value=2 * 10**9))
def test_cash_approves_exactly_when_enough_was_tendered(total: int, tendered: int) -> None:
    given_cash = Money(tendered, "PLN").amount_string()

    answer = cash_authorize(request(total, {"tendered": given_cash}))

    if tendered >= total:
        assert answer.outcome is AuthorizationOutcome.APPROVED
        assert answer.change == Money(tendered - total, "PLN")
    else:
        assert answer.outcome is AuthorizationOutcome.DECLINED
        assert (answer.decline_code, answer.change) == (SHORT, None)


def test_cash_without_a_tendered_amount_is_short() -> None:
    cases: list[dict[str, object]] = [{}, {"tendered": 50}, {"tendered": "fifty"}]
    cases.append({"tendered": "1.001"})
    for data in cases:
        assert cash_authorize(request(100, data)).decline_code == SHORT


@given(card=st.from_regex(r"[1-9][0-9]{11,18}", fullmatch=True))
def test_the_terminal_declines_only_its_test_card(card: str) -> None:
    answer = card_authorize(request(100, {"card": card}), CardPresentSettings())

    declined = answer.outcome is AuthorizationOutcome.DECLINED
    assert declined == (card == DECLINED_CARD)


def test_refunds_come_from_the_drawer_or_go_back_to_the_card() -> None:
    authorised = card_authorize(
        request(100, {"card": "4242 4242 4242 4242"}), CardPresentSettings()
    )
    cash = cash_refund(Money(100, "PLN"), CashSettings())
    card = card_refund(authorised, Money(100, "PLN"))

    assert (cash.kind, cash.provider, cash.message) == (
        TransactionKind.REFUND,
        "cash",
        "Paid back in cash from the drawer",
    )
    assert (card.kind, card.provider) == (TransactionKind.REFUND, "card-present")
    assert card.message == "Refund to the card"
