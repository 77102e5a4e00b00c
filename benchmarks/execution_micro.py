"""Micro-benchmark: strawberry's default executor against FastExecutionContext.

No database and no HTTP: a standalone schema shaped like the Q1 listing (20
products with 4 variants each, every nested field a plain attribute, products
and variants implementing Node like ours), executed in-process with the parser
and validation caches our schema uses, so the numbers are execution alone.

    .venv/bin/python benchmarks/execution_micro.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from decimal import Decimal

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import FastExecutionContext

LISTING = """
query Listing {
  products(first: 20) {
    id
    name
    slug
    variants {
      id
      sku
      price { amount currency }
    }
  }
}
"""


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class ProductVariant(Node):
    sku: str
    price: Money | None


@strawberry.type
class Product(Node):
    name: str
    slug: str
    variants: list[ProductVariant]


def _catalog() -> list[Product]:
    return [
        Product(
            id=strawberry.ID(f"UHJvZHVjdDo{index}"),
            name=f"Winter jacket {index}",
            slug=f"winter-jacket-{index}",
            variants=[
                ProductVariant(
                    id=strawberry.ID(f"VmFyaWFudDo{index}-{position}"),
                    sku=f"JKT-{index:03}-{position}",
                    price=Money(amount=Decimal("349.99"), currency="PLN"),
                )
                for position in range(4)
            ],
        )
        for index in range(20)
    ]


def build(
    execution_context_class: type[StrawberryGraphQLCoreExecutionContext],
) -> strawberry.Schema:
    catalog = _catalog()

    @strawberry.type
    class Query:
        @strawberry.field
        async def products(self, first: int = 20) -> list[Product]:
            return catalog[:first]

    return strawberry.Schema(
        query=Query,
        extensions=[lambda: ParserCache(maxsize=16), lambda: ValidationCache(maxsize=16)],
        execution_context_class=execution_context_class,
    )


async def microseconds_per_request(schema: strawberry.Schema, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        result = await schema.execute(LISTING)
        assert result.errors is None
    return (time.perf_counter() - started) / requests * 1e6


async def main(requests: int, rounds: int) -> None:
    schemas = {
        "strawberry default": build(StrawberryGraphQLCoreExecutionContext),
        "FastExecutionContext": build(FastExecutionContext),
    }
    answers = [(await schema.execute(LISTING)).data for schema in schemas.values()]
    assert answers[0] == answers[1], "the two executors disagree"
    timings: dict[str, list[float]] = {name: [] for name in schemas}
    for _ in range(rounds):
        # Interleaved, so a noisy neighbour slows both sides alike.
        for name, schema in schemas.items():
            timings[name].append(await microseconds_per_request(schema, requests))
    for name, samples in timings.items():
        print(
            f"{name:>22}: median {statistics.median(samples):7.1f} us/request"
            f"  (best {min(samples):7.1f}, {rounds} rounds of {requests})"
        )
    default, fast = (statistics.median(samples) for samples in timings.values())
    print(f"{'speed-up':>22}: {default / fast:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.rounds))
