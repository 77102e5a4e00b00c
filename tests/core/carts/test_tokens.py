"""Cart tokens: a token matches only its own digest, compared in constant time."""

from __future__ import annotations

import hmac
import inspect

from core.carts import tokens


def test_a_token_matches_only_its_own_digest() -> None:
    token = tokens.new_token()
    stored = tokens.digest(token)
    near_miss = token[:-1] + ("A" if token[-1] != "A" else "B")
    candidates = [near_miss, tokens.new_token(), "", "omct_", token.upper(), token]

    accepted = [candidate for candidate in candidates if tokens.same_digest(stored, candidate)]

    assert accepted == [token]


def test_the_digests_are_compared_with_hmac_compare_digest() -> None:
    token = tokens.new_token()
    stored = tokens.digest(token)
    compared: list[tuple[bytes, bytes]] = []

    def watched(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return hmac.compare_digest(a, b)

    matched = tokens.same_digest(stored, token, compare=watched)

    assert matched
    assert compared == [(stored.encode(), stored.encode())]
    default = inspect.signature(tokens.same_digest).parameters["compare"].default
    assert default is hmac.compare_digest
