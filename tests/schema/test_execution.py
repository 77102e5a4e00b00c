"""FastExecutionContext answers exactly as strawberry's default executor.

Most tests run one standalone schema twice, once per executor, and compare the
serialised answers byte for byte: data in key order, and errors with their
messages, locations and paths. The last test does the same through HTTP with
the real schema and a migrated database.
"""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple, NewType

import httpx
import pytest
import strawberry
from graphql import FieldNode, GraphQLError, GraphQLField, GraphQLResolveInfo
from graphql.execution import ExperimentalIncrementalExecutionResults
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.scalar import ScalarDefinition

from core.catalog.tables import (
    CategoryRow,
    ProductImageRow,
    ProductListingRow,
    ProductRow,
    ProductSearchRow,
    VariantPriceRow,
    VariantRow,
)
from core.channels.tables import ChannelRow
from core.config import Settings
from core.runtime import Runtime
from schema.app import OmnicartGraphQL
from schema.execution import FastExecutionContext, preloaded
from schema.schema import build_schema

CREATED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
# A null where the type forbids one: the broken data is wrong on purpose.
NULL: Any = None
# A Decimal field holding the amount's exact string (what schema.money.Money holds).
AS_TEXT: Any = "12.50"

# ---------------------------------------------------------------------------
# A standalone schema covering every shape the fast path plans, and the ones
# it must leave to graphql-core.
# ---------------------------------------------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    NAVY = "navy"


Note = NewType("Note", str)


def _serialise_note(value: object) -> str | None:
    # Anything but "" serialises, so only the fast path's own checks keep
    # awaitables out; "" gives None, which graphql-core must report.
    return None if value == "" else str(value)


SCALARS: dict[object, ScalarDefinition] = {
    Note: strawberry.scalar(name="Note", serialize=_serialise_note, parse_value=str)
}


class Deny(BasePermission):
    message = "Not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class Option:
    name: str
    value: str | None

    @strawberry.field
    async def display(self) -> str:
        await asyncio.sleep(0)
        if self.value == "":
            raise ValueError("nothing to display")
        return f"{self.name}: {self.value or '-'}"


@strawberry.type
class Warehouse:
    code: str

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo[Any]) -> bool:
        # A user's check reads the info, so the fast path must not call it.
        return isinstance(obj, cls) and info.field_name == "warehouse"


@strawberry.type
class Variant(Node):
    sku: str
    colour: Colour
    price: Money | None
    options: list[Option]
    tags: list[str]
    codes: list[int | None] | None
    stock: int
    notes: list[Note]
    extras: list[Option | None]
    warehouse: Warehouse | None = None

    @strawberry.field
    def failing(self) -> str | None:
        raise ValueError("pricing plugin failed")

    @strawberry.field
    async def days_to_ship(self) -> int:
        await asyncio.sleep(0)
        if self.stock == 0:
            raise ValueError("out of stock")
        return 2


@strawberry.type
class Product(Node):
    name: str
    slug: str
    created_at: datetime
    description: str | None
    variants: list[Variant]
    weights: list[Decimal]
    tagline: Note
    secret: str | None = strawberry.field(default="hidden", permission_classes=[Deny])

    @strawberry.field
    def label(self, prefix: str = "") -> str:
        return prefix + self.name

    @strawberry.field
    async def rating(self) -> int | None:
        await asyncio.sleep(0)
        return len(self.name)

    @strawberry.field
    def featured(self) -> Variant | None:
        return self.variants[0] if self.variants else None


def _variant(key: str, **overrides: Any) -> Variant:
    fields: dict[str, Any] = {
        "id": strawberry.ID(f"V{key}"),
        "sku": f"SKU-{key}",
        "colour": Colour.NAVY,
        "price": Money(amount=Decimal("349.99"), currency="PLN"),
        "options": [Option(name="Size", value="M"), Option(name="Fit", value=None)],
        "tags": ["winter", "sale"],
        "codes": [1, None, 3],
        "stock": 7,
        "notes": ["fragile"],
        "extras": [Option(name="Gift", value="wrap"), None],
        "warehouse": Warehouse(code="WAW"),
    }
    fields.update(overrides)
    return Variant(**fields)


def _product(key: str, **overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "id": strawberry.ID(f"P{key}"),
        "name": f"Jacket {key}",
        "slug": f"jacket-{key}",
        "created_at": CREATED_AT,
        "description": None,
        "variants": [_variant(f"{key}-0"), _variant(f"{key}-1", colour=Colour.RED, price=None)],
        "weights": [Decimal("1.250"), Decimal("0.5")],
        "tagline": "Warm all winter",
    }
    fields.update(overrides)
    return Product(**fields)


def _with_own_await(variant: Variant) -> Variant:
    # graphql-core's is_awaitable looks for the attribute, so this one is "awaitable".
    variant.__dict__["__await__"] = lambda: iter(())
    return variant


def _late(value: object) -> asyncio.Future[object]:
    # A future rather than a coroutine: left unselected, it warns about nothing.
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _broken_products() -> list[Product | None]:
    """One problem per product; the list's items are nullable, so each nulls alone."""
    return [
        _product("ok"),
        _product("null-name", name=None),
        _product("null-sku", variants=[_variant("a"), _variant("b", sku=None)]),
        _product("bad-stock", variants=[_variant("c", stock="many")]),
        _product("error-value", slug=ValueError("slug withdrawn")),
        _product("late", name=_late("Late jacket")),
        _product("wrong-type", variants=[_variant("d"), Option(name="not", value="a variant")]),
        _product("null-item", variants=[_variant("e"), None]),
        _product("bad-codes", variants=[_variant("f", codes=[1, "two"])]),
        _product("null-tag", variants=[_variant("g", tags=["a", None])]),
        _product("bad-weights", weights=[Decimal("1"), "heavy"]),
        _product("tuple", variants=(_variant("h"),), weights=(Decimal("2"),)),
        _product("sold-out", variants=[_variant("i"), _variant("j", stock=0)]),
        # Int is 32-bit; an enum may also be given by its value.
        _product(
            "huge-stock", variants=[_variant("u", stock=2**31), _variant("w", stock=-(2**31))]
        ),
        _product("colour-by-value", variants=[_variant("v", colour="red")]),
        # A Decimal given as its exact string, as our Money amounts are.
        _product(
            "amount-as-text", variants=[_variant("aa", price=Money(amount=AS_TEXT, currency="PLN"))]
        ),
        # Instances of a class already accepted, made unlike it through their own dict.
        _product("own-await", variants=[_variant("x"), _with_own_await(_variant("y"))]),
        _product("cast-away", variants=[_variant("z"), strawberry.cast(Product, _variant("c"))]),
        _product(
            "bad-extras", variants=[_variant("k", extras=[None, Option(name=NULL, value="x")])]
        ),
        _product("blank-extra", variants=[_variant("l", extras=[Option(name="Note", value="")])]),
        _product("null-amount", variants=[_variant("m", price=Money(amount=NULL, currency="PLN"))]),
        _product("error-price", variants=[_variant("n", price=ValueError("price withdrawn"))]),
        _product(
            "late-price",
            variants=[_variant("o", price=_late(Money(amount=Decimal(1), currency="EUR")))],
        ),
        _product("late-variants", variants=_late([_variant("p")])),
        _product("blank-tagline", tagline=""),
        _product("blank-note", variants=[_variant("t", notes=["ok", ""])]),
        _product("late-variant", variants=[_variant("q"), _late(_variant("r"))]),
        _product(
            "late-tags",
            variants=[_variant("s", tags=_late(["x"]), codes=[_late(1)], notes=[_late("late")])],
        ),
        None,
    ]


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [_product(str(number)) for number in range(3)]

    @strawberry.field
    def broken(self) -> list[Product | None]:
        return _broken_products()

    @strawberry.field
    def strict(self) -> list[Product]:
        """A non-null item with a non-null problem nulls the whole list."""
        return [_product("1"), _product("2", name=None)]

    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None:
        everything: list[Node] = [_product("1"), _variant("1-0")]
        return next((node for node in everything if node.id == id), None)

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [_product("1"), _variant("2-0")]


class QuietSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: StrawberryExecutionContext | None = None,
    ) -> None:
        # The errors are the subject of these tests; logging them is noise.
        return None


class Executors(NamedTuple):
    fast: strawberry.Schema
    default: strawberry.Schema


def _schema(
    execution_context_class: type[StrawberryGraphQLCoreExecutionContext],
    *,
    incremental: bool = False,
    extensions: list[Any] | None = None,
) -> strawberry.Schema:
    return QuietSchema(
        query=Query,
        execution_context_class=execution_context_class,
        extensions=extensions or [],
        config=StrawberryConfig(
            scalar_map=SCALARS, enable_experimental_incremental_execution=incremental
        ),
    )


def _executors(*, incremental: bool = False) -> Executors:
    return Executors(
        fast=_schema(FastExecutionContext, incremental=incremental),
        default=_schema(StrawberryGraphQLCoreExecutionContext, incremental=incremental),
    )


@pytest.fixture(scope="module")
def executors() -> Executors:
    return _executors()


def _serialised(result: ExecutionResult) -> str:
    errors = [error.formatted for error in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors})


async def _both(
    executors: Executors, query: str, variables: dict[str, Any] | None = None
) -> tuple[str, str]:
    fast = await executors.fast.execute(query, variable_values=variables)
    default = await executors.default.execute(query, variable_values=variables)
    return _serialised(fast), _serialised(default)


# ---------------------------------------------------------------------------
# Named cases
# ---------------------------------------------------------------------------

PRODUCT_FIELDS = """
  id name slug createdAt description weights tagline label(prefix: "Buy ") rating
  variants {
    id sku colour stock tags codes notes daysToShip price { amount currency }
    options { name value display } extras { name display }
  }
"""


class Case(NamedTuple):
    query: str
    variables: dict[str, Any] | None = None
    # Whether the answer has errors, so that no case passes by failing on both sides.
    has_errors: bool = False


CASES = {
    "every-shape": Case("{ products {" + PRODUCT_FIELDS + "} }"),
    "aliases": Case(
        "{ items: products { key: id title: name again: name variants { code: sku } } }"
    ),
    "named-and-inline-fragments": Case(
        """
        query { products { ...Card ... on Product { variants { ...Line } } ... { slug } } }
        fragment Card on Product { id name variants { price { amount } } }
        fragment Line on Variant { sku price { currency } }
        """
    ),
    "merged-sub-selections": Case(
        "{ products { variants { sku price { amount } } variants { id price { currency } } } }"
    ),
    "include-and-skip": Case(
        """
        query ($yes: Boolean!, $no: Boolean!) {
          products {
            id @include(if: $yes)
            name @skip(if: $yes)
            slug @include(if: $no)
            variants @skip(if: $no) { sku @include(if: $yes) stock }
            ... @include(if: $no) { description }
            ... on Product @skip(if: $no) { createdAt }
          }
        }
        """,
        {"yes": True, "no": False},
    ),
    "typename": Case(
        "{ __typename products { __typename kind: __typename variants { __typename } } }"
    ),
    "nullable-nulls": Case("{ products { description variants { price { amount } } } }"),
    "non-null-propagation": Case("{ strict { id name } }", has_errors=True),
    "every-broken-value": Case(
        "{ broken {" + PRODUCT_FIELDS + " variants { warehouse { code } } } }", has_errors=True
    ),
    "resolver-errors": Case("{ products { id variants { sku failing } } }", has_errors=True),
    "interface": Case(
        """
        { node(id: "P1") { __typename id ... on Product { name variants { sku } } }
          nodes { id ... on Variant { sku price { amount } } ... on Product { slug } } }
        """
    ),
    "arguments": Case('{ products { label(prefix: "New: ") plain: label } }'),
    "permission": Case("{ products { id secret } }", has_errors=True),
    "user-is-type-of": Case("{ products { variants { warehouse { code } } } }"),
}


@pytest.mark.parametrize("name", CASES)
async def test_answers_are_byte_identical_to_the_default_executor(
    executors: Executors, name: str
) -> None:
    case = CASES[name]

    fast, default = await _both(executors, case.query, case.variables)

    assert fast == default
    assert ('"errors": []' not in fast) == case.has_errors, fast


async def test_null_in_a_non_null_field_nulls_the_nearest_nullable_parent(
    executors: Executors,
) -> None:
    query = "{ broken { id name } }"

    result = await executors.fast.execute(query)

    assert result.data is not None
    assert result.data["broken"][1] is None
    assert result.errors is not None
    [error] = [error for error in result.errors if error.path == ["broken", 1, "name"]]
    assert error.message == "Cannot return null for non-nullable field Product.name."
    assert error.formatted["locations"] == [{"line": 1, "column": 15}]


async def test_non_null_error_in_a_list_item_propagates_to_the_nullable_product(
    executors: Executors,
) -> None:
    query = "{ broken { slug variants { sku } } }"

    result = await executors.fast.execute(query)

    assert result.data is not None
    assert result.data["broken"][2] is None
    assert result.data["broken"][0] == {
        "slug": "jacket-ok",
        "variants": [{"sku": "SKU-ok-0"}, {"sku": "SKU-ok-1"}],
    }
    assert result.errors is not None
    paths = [error.path for error in result.errors]
    assert ["broken", 2, "variants", 1, "sku"] in paths
    assert ["broken", 4, "slug"] in paths


async def test_scalar_values_are_serialised_as_the_default_executor_does(
    executors: Executors,
) -> None:
    query = "{ products { createdAt weights variants { colour price { amount } } } }"

    result = await executors.fast.execute(query)

    assert result.errors is None
    assert result.data is not None
    product = result.data["products"][0]
    assert product["createdAt"] == "2026-01-02T03:04:05+00:00"
    assert product["weights"] == ["1.250", "0.5"]
    assert product["variants"][0] == {"colour": "NAVY", "price": {"amount": "349.99"}}
    assert product["variants"][1] == {"colour": "RED", "price": None}


class CountingExecutionContext(FastExecutionContext):
    """Records, in the request's context (a list), each field given resolve info."""

    def build_resolve_info(
        self, field_def: GraphQLField, field_nodes: list[FieldNode], *args: Any
    ) -> GraphQLResolveInfo[Any]:
        self.context_value.append(field_nodes[0].name.value)
        return super().build_resolve_info(field_def, field_nodes, *args)


async def test_plain_attribute_fields_build_no_resolve_info() -> None:
    schema = _schema(CountingExecutionContext)
    built_infos: list[str] = []
    query = "{ products { id name variants { sku tags price { amount } options { name } } } }"

    result = await schema.execute(query, context_value=built_infos)

    assert result.errors is None
    assert built_infos == ["products"]


class SeenFields(SchemaExtension):
    """A resolve hook: strawberry runs it as middleware around every field."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__()
        self.seen = seen

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        self.seen.append(".".join(str(key) for key in info.path.as_list()))
        return _next(root, info, *args, **kwargs)


async def test_resolve_hooks_still_see_every_field() -> None:
    seen_fast: list[str] = []
    seen_default: list[str] = []
    fast = _schema(FastExecutionContext, extensions=[lambda: SeenFields(seen_fast)])
    default = _schema(
        StrawberryGraphQLCoreExecutionContext, extensions=[lambda: SeenFields(seen_default)]
    )
    query = "{ products { id variants { sku price { amount } } } }"

    fast_result = await fast.execute(query)
    default_result = await default.execute(query)

    assert _serialised(fast_result) == _serialised(default_result)
    assert seen_fast == seen_default
    assert "products.0.variants.0.price.amount" in seen_fast


async def _incremental_frames(schema: strawberry.Schema, query: str) -> list[Any]:
    result: Any = await schema.execute(query)
    assert isinstance(result, ExperimentalIncrementalExecutionResults)
    frames: list[Any] = [result.initial_result.formatted]
    frames.extend([frame.formatted async for frame in result.subsequent_results])
    return frames


async def test_deferred_fragments_are_delivered_as_by_the_default_executor() -> None:
    executors = _executors(incremental=True)
    query = """
    { products { id ... @defer(label: "more") { name variants { sku price { amount } } } }
      broken { slug ... @defer { variants { sku } } }
      streamed: products { variants @stream(initialCount: 1) { sku options { name } } } }
    """

    fast = await _incremental_frames(executors.fast, query)
    default = await _incremental_frames(executors.default, query)

    assert json.dumps(fast) == json.dumps(default)
    assert len(fast) > 1


# ---------------------------------------------------------------------------
# Generated selections
# ---------------------------------------------------------------------------

# (field as written, its response-name stem, the type of its selection or None)
SELECTABLE: dict[str, list[tuple[str, str, str | None]]] = {
    "Query": [
        ("products", "products", "Product"),
        ("broken", "broken", "Product"),
        ("strict", "strict", "Product"),
        ('node(id: "P1")', "nodeP1", "Node"),
        ('node(id: "V1-0")', "nodeV1", "Node"),
        ("nodes", "nodes", "Node"),
    ],
    "Node": [("id", "id", None)],
    "Product": [
        ("id", "id", None),
        ("name", "name", None),
        ("slug", "slug", None),
        ("createdAt", "createdAt", None),
        ("description", "description", None),
        ("weights", "weights", None),
        ("tagline", "tagline", None),
        ("rating", "rating", None),
        ("secret", "secret", None),
        ('label(prefix: "x")', "labelX", None),
        ("variants", "variants", "Variant"),
        ("featured", "featured", "Variant"),
    ],
    "Variant": [
        ("id", "id", None),
        ("sku", "sku", None),
        ("colour", "colour", None),
        ("tags", "tags", None),
        ("codes", "codes", None),
        ("stock", "stock", None),
        ("notes", "notes", None),
        ("failing", "failing", None),
        ("daysToShip", "daysToShip", None),
        ("price", "price", "Money"),
        ("extras", "extras", "Option"),
        ("options", "options", "Option"),
        ("warehouse", "warehouse", "Warehouse"),
    ],
    "Money": [("amount", "amount", None), ("currency", "currency", None)],
    "Option": [("name", "name", None), ("value", "value", None), ("display", "display", None)],
    "Warehouse": [("code", "code", None)],
}
CONCRETE = {"Node": ["Product", "Variant"]}
DIRECTIVES = [
    "",
    "",
    "",
    " @include(if: $yes)",
    " @skip(if: $yes)",
    " @include(if: $no)",
    " @skip(if: $no)",
    " @include(if: true)",
]


@st.composite
def _selection_set(draw: st.DrawFn, type_name: str, depth: int, fragments: list[str]) -> str:
    """A selection on ``type_name``; fragments and object fields each cost a level."""
    kinds = ["field", "field", "field", "typename"] + (["inline", "named"] if depth else [])
    items: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        directive = draw(st.sampled_from(DIRECTIVES))
        kind = draw(st.sampled_from(kinds))
        if kind == "typename":
            alias = draw(st.sampled_from(["", "kindA: ", "kindB: "]))
            items.append(f"{alias}__typename{directive}")
        elif kind == "field":
            fields = SELECTABLE[type_name]
            if not depth:
                # Query has no leaves: its object fields then nest at depth 0.
                fields = [field for field in fields if field[2] is None] or fields
            written, stem, target = draw(st.sampled_from(fields))
            # An alias names one field with one argument, so merging stays valid.
            alias = draw(st.sampled_from(["", f"{stem}A: ", f"{stem}B: "]))
            if not alias and written != stem:
                alias = f"{stem}: "
            sub = ""
            if target is not None:
                sub = " { " + draw(_selection_set(target, max(depth - 1, 0), fragments)) + " }"
            items.append(f"{alias}{written}{directive}{sub}")
        else:
            condition = draw(st.sampled_from([type_name, *CONCRETE.get(type_name, [])]))
            body = draw(_selection_set(condition, depth - 1, fragments))
            if kind == "inline":
                on = f" on {condition}"
                if condition == type_name:
                    on = draw(st.sampled_from([on, ""]))
                items.append(f"...{on}{directive} {{ {body} }}")
            else:
                name = f"F{len(fragments)}"
                fragments.append(f"fragment {name} on {condition} {{ {body} }}")
                items.append(f"...{name}{directive}")
    return " ".join(items)


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, dict[str, bool]]:
    fragments: list[str] = []
    body = draw(_selection_set("Query", 3, fragments))
    variables = {"yes": draw(st.booleans()), "no": draw(st.booleans())}
    # Every declared variable must be used, whatever the draw.
    query = (
        "query Generated($yes: Boolean!, $no: Boolean!) {"
        " __typename @include(if: $yes) @skip(if: $no) " + body + " } " + " ".join(fragments)
    )
    return query, variables


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_documents())
async def test_generated_selections_answer_like_the_default_executor(
    executors: Executors, document: tuple[str, dict[str, bool]]
) -> None:
    query, variables = document

    fast, default = await _both(executors, query, variables)

    assert fast == default
    assert '"Cannot query field' not in fast, query


# ---------------------------------------------------------------------------
# The real schema, through HTTP
# ---------------------------------------------------------------------------


async def _seed_catalog(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            insert(ChannelRow).values(id=1, slug="web", name="Web", kind="web", currency="PLN")
        )
        await connection.execute(
            insert(CategoryRow).values(id=1, slug="coats", name="Coats", description="", position=0)
        )
        for number in range(1, 4):
            await connection.execute(
                insert(ProductRow).values(
                    id=number,
                    slug=f"jacket-{number}",
                    name=f"Jacket {number}",
                    description="warm",
                    category_id=1,
                    created_at=CREATED_AT,
                    updated_at=CREATED_AT,
                )
            )
            await connection.execute(
                insert(ProductSearchRow).values(
                    product_id=number, name=f"Jacket {number}", skus="", description="warm"
                )
            )
            await connection.execute(
                insert(ProductListingRow).values(channel_id=1, product_id=number, is_published=True)
            )
            await connection.execute(
                insert(ProductImageRow).values(
                    product_id=number, position=0, url=f"https://img.example/{number}.jpg", alt=""
                )
            )
            for position in range(2):
                variant_id = number * 10 + position
                await connection.execute(
                    insert(VariantRow).values(
                        id=variant_id,
                        product_id=number,
                        sku=f"JKT-{number}-{position}",
                        name="",
                        position=position,
                        options=[{"name": "Size", "value": "M" if position else "L"}],
                    )
                )
                if position == 0:
                    await connection.execute(
                        insert(VariantPriceRow).values(
                            channel_id=1,
                            variant_id=variant_id,
                            amount_minor=34999 + number,
                            currency="PLN",
                        )
                    )


REAL_CASES = {
    "listing": Case(
        """
        query Listing($withImages: Boolean!) {
          products(first: 2) {
            totalCount
            edges { cursor node { ...Card } }
            nodes { __typename id title: name images @include(if: $withImages) { url alt } }
            pageInfo { hasNextPage endCursor }
          }
        }
        fragment Card on Product {
          id name slug createdAt category { name }
          variants { id sku options { name value } price { amount currency } }
          variants { priceAgain: price { amount } availability { status quantity } }
        }
        """,
        {"withImages": True},
    ),
    "product-page": Case(
        '{ product(slug: "jacket-2") { id name variants { sku price { amount } } } }'
    ),
    "node": Case(
        '{ node(id: "UHJvZHVjdDox") { __typename id ... on Product { slug variants { sku } } } }'
    ),
    "bad-input": Case("{ products(first: 1000) { nodes { name } } }", has_errors=True),
}


@pytest.fixture
async def default_http(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    schema = build_schema(settings, execution_context_class=StrawberryGraphQLCoreExecutionContext)
    transport = httpx.ASGITransport(app=OmnicartGraphQL(schema, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("name", REAL_CASES)
async def test_the_api_answers_byte_identically_with_the_default_executor(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    default_http: httpx.AsyncClient,
    name: str,
) -> None:
    await _seed_catalog(engine)
    case = REAL_CASES[name]
    body = {"query": case.query, "variables": case.variables or {}}

    fast = await client.post("/graphql", json=body)
    default = await default_http.post("/graphql", json=body)

    assert fast.status_code == default.status_code == 200
    assert fast.content == default.content
    assert (b'"errors"' in fast.content) == case.has_errors, fast.content


def test_the_schema_uses_the_fast_executor_by_default(settings: Settings) -> None:
    schema = build_schema(settings)

    assert schema.execution_context_class is FastExecutionContext


def test_none_chooses_strawberrys_own_executor(settings: Settings) -> None:
    schema = build_schema(settings, execution_context_class=None)

    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext


@strawberry.type
class _Leaf:
    name: str


@strawberry.type
class _Parent:
    preloaded_leaves: strawberry.Private[list[_Leaf] | None] = None
    resolver_calls: strawberry.Private[list[str]] = strawberry.field(default_factory=list)

    @strawberry.field(metadata=preloaded("preloaded_leaves"))
    def leaves(self) -> list[_Leaf]:
        self.resolver_calls.append("leaves")
        return self.preloaded_leaves or [_Leaf(name="loaded by the resolver")]


async def test_a_preloaded_relation_is_read_without_its_resolver_and_falls_back_when_absent() -> (
    None
):
    ahead = _Parent(preloaded_leaves=[_Leaf(name="looked ahead")])
    behind = _Parent()

    @strawberry.type
    class Query:
        @strawberry.field
        def parents(self) -> list[_Parent]:
            return [ahead, behind]

    fast = strawberry.Schema(query=Query, execution_context_class=FastExecutionContext)
    default = strawberry.Schema(query=Query)
    document = "{ parents { leaves { name } } }"

    fast_result = await fast.execute(document)
    calls_after_fast = (list(ahead.resolver_calls), list(behind.resolver_calls))
    default_result = await default.execute(document)

    assert (
        fast_result.data
        == default_result.data
        == {
            "parents": [
                {"leaves": [{"name": "looked ahead"}]},
                {"leaves": [{"name": "loaded by the resolver"}]},
            ]
        }
    )
    assert calls_after_fast == ([], ["leaves"])


# ---------------------------------------------------------------------------
# Objects selecting only leaves, completed in the calling frame
# ---------------------------------------------------------------------------


@strawberry.type
class _Price:
    amount: Decimal
    currency: str
    label: str | None = None


@strawberry.type
class _Line:
    sku: str
    price: _Price | None
    prices: list[_Price | None]
    strict_prices: list[_Price]


def _price(**overrides: Any) -> _Price:
    fields: dict[str, Any] = {"amount": Decimal("1.50"), "currency": "PLN", "label": "net"}
    fields.update(overrides)
    return _Price(**fields)


def _lines() -> list[_Line]:
    # A list String refuses, a null in a non-null leaf, and one a nullable leaf refuses.
    refused = _price(currency=["not", "a", "string"])
    missing = _price(currency=NULL)
    odd_label = _price(label={"not": "a string"})
    return [
        _Line(sku="ok", price=_price(), prices=[_price(), None], strict_prices=[_price()]),
        _Line(
            sku="declines",
            price=missing,
            prices=[_price(), refused, missing, odd_label, None, _price(currency="EUR")],
            strict_prices=[_price(), odd_label],
        ),
        _Line(sku="strict", price=refused, prices=[], strict_prices=[_price(), missing]),
    ]


@strawberry.type
class _LeafQuery:
    @strawberry.field
    def lines(self) -> list[_Line]:
        return _lines()


@pytest.mark.parametrize(
    "selection",
    [
        "amount currency label",
        "__typename currency kind: __typename amount",
        "label amount",
        "currency @include(if: true) amount",
    ],
)
async def test_leaf_only_objects_that_decline_answer_like_the_default_executor(
    selection: str,
) -> None:
    fast = QuietSchema(query=_LeafQuery, execution_context_class=FastExecutionContext)
    default = QuietSchema(query=_LeafQuery)
    query = (
        f"{{ lines {{ sku price {{ {selection} }} prices {{ {selection} }}"
        f" strictPrices {{ {selection} }} }} }}"
    )

    fast_result = await fast.execute(query)
    default_result = await default.execute(query)

    assert _serialised(fast_result) == _serialised(default_result)
    assert default_result.errors, "every selection meets at least one declining leaf"


async def test_leaf_only_objects_build_no_resolve_info() -> None:
    schema = QuietSchema(query=_LeafQuery, execution_context_class=CountingExecutionContext)
    built_infos: list[str] = []

    result = await schema.execute(
        "{ lines { sku price { amount } prices { __typename amount } } }",
        context_value=built_infos,
    )

    assert result.data is not None
    assert result.data["lines"][0] == {
        "sku": "ok",
        "price": {"amount": "1.50"},
        "prices": [{"__typename": "Price", "amount": "1.50"}, None],
    }
    # Only the root field: every amount is a Decimal, so no object declines.
    assert built_infos == ["lines"]


# ---------------------------------------------------------------------------
# Plain attributes all the way down, completed as one tree
# ---------------------------------------------------------------------------


@strawberry.type
class _Shelf:
    label: str
    parents: list[_Parent]


async def test_a_decline_deep_in_a_plain_tree_runs_only_the_resolver_it_needs() -> None:
    loaded = [_Parent(preloaded_leaves=[_Leaf(name=f"ahead {n}")]) for n in range(3)]
    missing = _Parent()
    shelves = [
        _Shelf(label="all loaded", parents=loaded[:2]),
        _Shelf(label="one missing", parents=[loaded[2], missing]),
        _Shelf(label="loaded again", parents=loaded[:1]),
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def shelves(self) -> list[_Shelf]:
            return shelves

    fast = strawberry.Schema(query=Query, execution_context_class=CountingExecutionContext)
    default = strawberry.Schema(query=Query)
    document = "{ shelves { label parents { __typename leaves { name } } } }"
    built_infos: list[str] = []

    fast_result = await fast.execute(document, context_value=built_infos)
    calls_after_fast = [list(parent.resolver_calls) for parent in [*loaded, missing]]
    default_result = await default.execute(document, context_value=[])

    assert _serialised(fast_result) == _serialised(default_result)
    assert calls_after_fast == [[], [], [], ["leaves"]]
    # The root, and the one relation that was not loaded ahead.
    assert built_infos == ["shelves", "leaves"]


# ---------------------------------------------------------------------------
# Trees shared between requests of one parsed document
# ---------------------------------------------------------------------------


class TreeCountingExecutionContext(FastExecutionContext):
    """Counts, in the request's context (a list), the trees built from scratch."""

    def _build_tree(self, *args: Any) -> Any:
        self.context_value.append("built")
        return super()._build_tree(*args)


def _cached_parse_schema(execution_context_class: type[Any]) -> strawberry.Schema:
    # As the app's Protection does: the same query text gets the same parsed document.
    parser = ParserCache(maxsize=16)
    return _schema(execution_context_class, extensions=[lambda: parser])


async def test_requests_of_one_directive_free_document_share_its_trees() -> None:
    schema = _cached_parse_schema(TreeCountingExecutionContext)
    query = "{ products { id name variants { sku price { amount currency } } } }"
    first: list[str] = []
    second: list[str] = []

    one = await schema.execute(query, context_value=first)
    two = await schema.execute(query, context_value=second)

    assert first and not second  # the second request built no tree
    assert _serialised(two) == _serialised(one)
    assert _serialised(two) == _serialised(await _executors().default.execute(query))


@pytest.mark.parametrize(
    "query",
    [
        CASES["include-and-skip"].query,
        # Directives only on fragments: every field of the tree is a plain attribute.
        """
        query ($yes: Boolean!, $no: Boolean!) {
          products { id ... @include(if: $yes) { name } ...Skus @skip(if: $no) }
        }
        fragment Skus on Product { variants { sku } }
        """,
    ],
    ids=["on-fields", "on-fragments"],
)
async def test_skip_and_include_follow_each_requests_variables(query: str) -> None:
    fast = _cached_parse_schema(FastExecutionContext)
    default = _executors().default

    for variables in (
        {"yes": True, "no": False},
        {"yes": False, "no": True},
        {"yes": True, "no": True},
        {"yes": True, "no": False},
    ):
        answer = await fast.execute(query, variable_values=variables)
        expected = await default.execute(query, variable_values=variables)
        assert _serialised(answer) == _serialised(expected), variables
