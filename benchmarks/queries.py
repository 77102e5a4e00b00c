"""The benchmarked GraphQL documents, their targets, and checks that the answers are right."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import httpx

from benchmarks.carts import M1_DOCUMENT, M1_UNIT_PRICE_MINOR
from benchmarks.catalog import (
    CURRENCY,
    VARIANTS_PER_PRODUCT,
    price_minor_units,
    product_description,
    product_name,
    product_slug,
    stock_units,
    variant_sku,
)
from benchmarks.checkouts import C1_DOCUMENT, LINES_PER_CART, checkout_skus

LISTING_PAGE_SIZE: Final = 20
PRODUCT_PAGE_NUMBER: Final = 250


class AnswerError(RuntimeError):
    """The app answered a benchmark query wrongly; measuring it would be meaningless."""


@dataclass(frozen=True, slots=True)
class BenchmarkQuery:
    name: str
    description: str
    document: str
    target_requests_per_second: float
    # M1: a mutation with variables per request over the carts of benchmarks.carts.
    adds_to_carts: bool = False
    # C1: a checkout per request, each of its own cart (benchmarks.checkouts).
    checks_out: bool = False

    @property
    def fixed(self) -> bool:
        """The same body every request (the reads)."""
        return not (self.adds_to_carts or self.checks_out)


class RequestSource(Protocol):
    """Where a mutation's request bodies come from (M1's ``CartSet``, C1's
    ``CheckoutCarts``)."""

    def body(self, index: int) -> bytes: ...


Q1 = BenchmarkQuery(
    name="Q1",
    description=f"listing: products(first: {LISTING_PAGE_SIZE}), 4 variants each",
    document=(
        f"{{ products(first: {LISTING_PAGE_SIZE}) {{ edges {{ node {{ id name slug "
        "variants { id sku price { amount currency } availability { status quantity } } "
        "} } } }"
    ),
    target_requests_per_second=400.0,
)
Q2 = BenchmarkQuery(
    name="Q2",
    description=f'product page: product(slug: "{product_slug(PRODUCT_PAGE_NUMBER)}")',
    document=(
        f'{{ product(slug: "{product_slug(PRODUCT_PAGE_NUMBER)}") {{ id name slug description '
        "variants { id sku price { amount currency } availability { status quantity } } } }"
    ),
    target_requests_per_second=1000.0,
)
M1 = BenchmarkQuery(
    name="M1",
    description="cartLinesAdd of 1 unit to one of 100 carts, a fresh idempotency key each",
    document=M1_DOCUMENT,
    target_requests_per_second=500.0,
    adds_to_carts=True,
)
C1 = BenchmarkQuery(
    name="C1",
    description="checkoutComplete of a fresh 3-line cart (address, cheapest delivery, "
    "the test gateway), a cart and a key each",
    document=C1_DOCUMENT,
    target_requests_per_second=150.0,
    checks_out=True,
)
QUERIES: Final[Mapping[str, BenchmarkQuery]] = {query.name: query for query in (Q1, Q2, M1, C1)}
# C1 makes its carts first (a few minutes): run it with --queries C1 (or ...,C1).
DEFAULT_QUERIES: Final = "Q1,Q2,M1"


def request_body(query: BenchmarkQuery, source: RequestSource | None, number: int) -> bytes:
    """The JSON body of request ``number``: fixed for reads, from ``source`` for the
    mutations (M1: the next cart and a fresh key; C1: an unused cart)."""
    if query.fixed:
        return json.dumps({"query": query.document}).encode()
    if source is None:
        raise ValueError(f"{query.name} needs its carts (benchmarks.carts, benchmarks.checkouts)")
    return source.body(number)


def answer_problems(query: BenchmarkQuery, status: int, body: Any) -> list[str]:
    """What is wrong with one HTTP answer to ``query`` (empty when it is right)."""
    if status != 200:
        return [f"{query.name}: HTTP status {status}"]
    if not isinstance(body, dict):
        return [f"{query.name}: the body is not a JSON object"]
    if body.get("errors"):
        return [f"{query.name}: GraphQL errors {body['errors']!r}"]
    data = body.get("data")
    if not isinstance(data, dict):
        return [f"{query.name}: no data"]
    if query is Q1:
        return _listing_problems(data)
    if query is M1:
        return _cart_add_problems(data)
    if query is C1:
        return _checkout_problems(data)
    return _product_page_problems(data)


def check_answers(base_url: str, queries: Sequence[BenchmarkQuery]) -> None:
    """POST each read query once to a running server; raise AnswerError on any wrong answer.

    M1 and C1 change carts: ``benchmarks.accounting`` and ``benchmarks.checkout_ledger``
    check them.
    """
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        for query in queries:
            if not query.fixed:
                continue
            response = client.post("/graphql", json={"query": query.document})
            problems = answer_problems(query, response.status_code, response_json(response))
            if problems:
                raise AnswerError("; ".join(problems[:5]))


def response_json(response: httpx.Response) -> Mapping[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _listing_problems(data: Mapping[str, Any]) -> list[str]:
    edges = (data.get("products") or {}).get("edges")
    if not isinstance(edges, list) or len(edges) != LISTING_PAGE_SIZE:
        return [f"Q1: expected {LISTING_PAGE_SIZE} products, got {edges!r:.200}"]
    problems: list[str] = []
    seen: set[str] = set()
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else None
        if not isinstance(node, dict):
            problems.append(f"Q1: an edge without a node: {edge!r:.200}")
            continue
        problems += _product_problems("Q1", node, with_description=False)
        seen.add(str(node.get("slug")))
    if len(seen) != LISTING_PAGE_SIZE:
        problems.append("Q1: the page repeats products")
    return problems


def _product_page_problems(data: Mapping[str, Any]) -> list[str]:
    node = data.get("product")
    if not isinstance(node, dict):
        return [f"Q2: no product {product_slug(PRODUCT_PAGE_NUMBER)}"]
    problems = _product_problems("Q2", node, with_description=True)
    if node.get("slug") != product_slug(PRODUCT_PAGE_NUMBER):
        problems.append(f"Q2: got {node.get('slug')!r} instead of the product asked for")
    return problems


def _product_problems(name: str, node: Mapping[str, Any], *, with_description: bool) -> list[str]:
    slug = node.get("slug")
    number_text = slug.removeprefix("product-") if isinstance(slug, str) else ""
    if not number_text.isdigit():
        return [f"{name}: unexpected product slug {slug!r}"]
    number = int(number_text)
    problems: list[str] = []
    if not node.get("id"):
        problems.append(f"{name}: {slug} has no id")
    if node.get("name") != product_name(number):
        problems.append(f"{name}: {slug} is named {node.get('name')!r}")
    if with_description and node.get("description") != product_description(number):
        problems.append(f"{name}: {slug} has the wrong description")
    variants = node.get("variants")
    if not isinstance(variants, list) or len(variants) != VARIANTS_PER_PRODUCT:
        return [*problems, f"{name}: {slug} should have {VARIANTS_PER_PRODUCT} variants"]
    for position, variant in enumerate(variants):
        problems += _variant_problems(name, number, position, variant)
    return problems


def _variant_problems(name: str, number: int, position: int, variant: Any) -> list[str]:
    sku = variant_sku(number, position)
    expected_price = {"amount": _amount(price_minor_units(number, position)), "currency": CURRENCY}
    problems: list[str] = []
    if not isinstance(variant, dict) or not variant.get("id"):
        return [f"{name}: variant {sku} is missing or has no id"]
    if variant.get("sku") != sku:
        problems.append(
            f"{name}: expected {sku} at position {position}, got {variant.get('sku')!r}"
        )
    if variant.get("price") != expected_price:
        problems.append(f"{name}: {sku} costs {variant.get('price')!r}, not {expected_price!r}")
    expected_availability = _availability(
        stock_units(number, position, 1) + stock_units(number, position, 2)
    )
    if variant.get("availability") != expected_availability:
        problems.append(
            f"{name}: {sku} shows {variant.get('availability')!r}, not {expected_availability!r}"
        )
    return problems


def _cart_add_problems(data: Mapping[str, Any]) -> list[str]:
    payload = data.get("cartLinesAdd")
    if not isinstance(payload, dict):
        return ["M1: no cartLinesAdd payload"]
    if payload.get("errors") != []:
        return [f"M1: the payload has errors {payload.get('errors')!r}"]
    cart = payload.get("cart")
    if not isinstance(cart, dict):
        return ["M1: the payload has no cart"]
    problems: list[str] = []
    quantity = cart.get("totalQuantity")
    version = cart.get("version")
    if not isinstance(quantity, int) or quantity < 2:
        problems.append(f"M1: totalQuantity {quantity!r} (1 unit at creation plus this add)")
    elif cart.get("cost") != {
        "totalAmount": {"amount": _amount(quantity * M1_UNIT_PRICE_MINOR), "currency": CURRENCY}
    }:
        problems.append(f"M1: {quantity} units cost {cart.get('cost')!r}")
    if not isinstance(version, int) or version < 2:
        problems.append(f"M1: version {version!r} after a change")
    lines = cart.get("lines")
    if not isinstance(lines, list) or len(lines) != 1 or not lines[0].get("id"):
        problems.append(f"M1: expected one line, got {lines!r:.200}")
    return problems


def _checkout_problems(data: Mapping[str, Any]) -> list[str]:
    payload = data.get("checkoutComplete")
    if not isinstance(payload, dict):
        return ["C1: no checkoutComplete payload"]
    if payload.get("errors") != [] or payload.get("replayed") is not False:
        return [f"C1: errors {payload.get('errors')!r}, replayed {payload.get('replayed')!r}"]
    order = payload.get("order")
    if not isinstance(order, dict):
        return ["C1: the payload has no order"]
    problems: list[str] = []
    if (order.get("status"), order.get("paymentStatus")) != ("PLACED", "AUTHORIZED"):
        problems.append(
            f"C1: order {order.get('status')!r}, payment {order.get('paymentStatus')!r}"
        )
    lines = order.get("lines")
    skus = set(checkout_skus())
    if not isinstance(lines, list) or len(lines) != LINES_PER_CART:
        return [*problems, f"C1: expected {LINES_PER_CART} lines, got {lines!r:.200}"]
    subtotal = 0
    for line in lines:
        sku = line.get("sku") if isinstance(line, dict) else None
        if sku not in skus or line.get("quantity") != 1:
            problems.append(f"C1: unexpected line {line!r:.200}")
            continue
        product, variant = (int(part) for part in str(sku).removeprefix("SKU-").split("-"))
        subtotal += price_minor_units(product, variant)
        if line.get("unitPrice") != {"amount": _amount(price_minor_units(product, variant))}:
            problems.append(f"C1: {sku} costs {line.get('unitPrice')!r}")
    cost = order.get("cost") or {}
    delivery = (cost.get("deliveryAmount") or {}).get("amount")
    expected = {"amount": _amount(subtotal), "currency": CURRENCY}
    if cost.get("subtotalAmount") != expected:
        problems.append(f"C1: subtotal {cost.get('subtotalAmount')!r}, not {expected!r}")
    elif not isinstance(delivery, str) or cost.get("totalAmount") != {
        "amount": _amount(subtotal + _minor_units(delivery)),
        "currency": CURRENCY,
    }:
        problems.append(f"C1: total {cost.get('totalAmount')!r} with delivery {delivery!r}")
    return problems


def _minor_units(amount: str) -> int:
    units, _, cents = amount.partition(".")
    return int(units) * 100 + int(cents or 0)


# The benchmark channel's display rule, written out: exact quantities, LOW_STOCK at or
# below 5 (the default threshold), OUT_OF_STOCK at zero. Nothing is ever reserved.
_LOW_STOCK_THRESHOLD: Final = 5


def _availability(quantity: int) -> dict[str, Any]:
    if quantity <= 0:
        status = "OUT_OF_STOCK"
    elif quantity <= _LOW_STOCK_THRESHOLD:
        status = "LOW_STOCK"
    else:
        status = "IN_STOCK"
    return {"status": status, "quantity": quantity}


def _amount(minor_units: int) -> str:
    # Written out independently of core.money so that the check does not trust the code it checks.
    return f"{minor_units // 100}.{minor_units % 100:02d}"


def parse_query_names(text: str) -> Sequence[BenchmarkQuery]:
    """``"Q1,Q2,M1"`` to the queries, in the order given; unknown names raise ValueError."""
    names = [part.strip().upper() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in QUERIES]
    if unknown or not names:
        raise ValueError(f"unknown queries {unknown}; choose from {', '.join(QUERIES)}")
    return [QUERIES[name] for name in dict.fromkeys(names)]
