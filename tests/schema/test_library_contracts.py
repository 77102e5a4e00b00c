"""The library internals schema/ relies on are still there and still behave as relied on.

The fast executor (schema/execution/) overrides and calls methods graphql-core marks
private and recognises functions strawberry generates; schema/lookahead.py and
schema/protection.py read private attributes of strawberry. None of it is public API,
so pyproject.toml pins graphql-core and strawberry-graphql to the minor versions these
tests pass on. A failure names the library, its installed version, what changed and
which module relies on it: adapt that module (tests/schema/test_execution.py must pass
too) before raising the pin, and TESTED_VERSIONS in schema/execution/requirements.py
with it.
"""

from __future__ import annotations

import enum
import inspect
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, cast

import pytest
import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    TypeNameMetaFieldDef,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from schema.execution import FastExecutionContext
from schema.execution.objects import INSTANCE_OVERRIDES
from schema.execution.planning import (
    BASIC_RESOLVER_NAME,
    UNCHANGED_BY_SERIALISER,
    info_free_is_type_of,
    plan_field,
)
from schema.execution.requirements import (
    GRAPHQL_CORE,
    REQUIREMENTS,
    STRAWBERRY,
    TESTED_VERSIONS,
    Requirement,
    VersionRange,
    installed_versions,
)
from schema.execution.tree_execution import KNOWN_IS_AWAITABLE

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
EXECUTOR = "the fast executor (schema/execution/)"


def _changed(distribution: str, what: str, relied_on_by: str = EXECUTOR) -> str:
    version = installed_versions().get(distribution, "(version unknown)")
    return (
        f"{distribution} {version}: {what} changed, and {relied_on_by} relies on it. "
        "Adapt the code (or keep the pin in pyproject.toml) before raising the pin."
    )


# ---------------------------------------------------------------------------
# A small schema: plain fields, an interface, an enum, a Decimal, a resolver.
# ---------------------------------------------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    NAVY = "navy"


class Deny(strawberry.BasePermission):
    message = "Not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Variant:
    sku: str
    colour: Colour
    amount: Decimal
    tags: list[str]


@strawberry.type
class Product(Node):
    name: str
    variants: list[Variant]
    secret: str | None = strawberry.field(default=None, permission_classes=[Deny])

    @strawberry.field
    def label(self) -> str:
        return self.name


class RawInfo(NamedTuple):
    """What ``info._raw_info`` gave a resolver (schema/lookahead.py reads it)."""

    value: Any


@strawberry.type
class Query:
    @strawberry.field
    def products(self, info: strawberry.Info) -> list[Product]:
        if isinstance(info.context, list):
            info.context.append(RawInfo(info._raw_info))
        variant = Variant(sku="S-1", colour=Colour.NAVY, amount=Decimal("1.50"), tags=["a"])
        return [
            Product(id=strawberry.ID(str(number)), name=f"P{number}", variants=[variant])
            for number in range(3)
        ]


PLAIN_QUERY = "{ products { id name variants { sku colour amount tags } } }"


def _schema(
    execution_context_class: type[StrawberryGraphQLCoreExecutionContext] | None = None,
    *,
    extensions: list[Any] | None = None,
    config: StrawberryConfig | None = None,
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        execution_context_class=execution_context_class,
        extensions=extensions or [],
        config=config,
    )


def _object_type(schema: strawberry.Schema, name: str) -> GraphQLObjectType:
    found = schema._schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


class Collected(NamedTuple):
    field_details_list: FieldDetailsList
    parts: Any


class RecordingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Puts itself, and what collecting each sub-selection gave, in the context (a list)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context_value.append(self)

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Any:
        collected = super().collect_subfields(return_type, field_details_list)
        self.context_value.append(Collected(field_details_list, collected))
        return collected


class InfoCountingExecutionContext(FastExecutionContext):
    """Counts, in the context (a list), the resolve infos graphql-core builds."""

    def build_resolve_info(self, *args: Any) -> GraphQLResolveInfo[Any]:
        self.context_value.append("info")
        return super().build_resolve_info(*args)


class ResolveHook(SchemaExtension):
    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        return _next(root, info, *args, **kwargs)


async def _recorded(schema: strawberry.Schema, query: str = PLAIN_QUERY) -> list[Any]:
    recorded: list[Any] = []
    result = await schema.execute(query, context_value=recorded)
    assert result.errors is None, result.errors
    return recorded


# ---------------------------------------------------------------------------
# Versions and pins
# ---------------------------------------------------------------------------


def _pinned(distribution: str) -> str:
    dependencies: list[str] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    for dependency in dependencies:
        name = dependency.split("[")[0].split(">")[0].split("<")[0].split("=")[0].split("~")[0]
        if name.strip() == distribution:
            return dependency[len(name) :].strip()
    raise AssertionError(f"pyproject.toml does not list {distribution}")


@pytest.mark.parametrize("tested", TESTED_VERSIONS, ids=lambda tested: tested.distribution)
def test_pyproject_pins_the_versions_the_executor_was_tested_with(tested: VersionRange) -> None:
    pinned = _pinned(tested.distribution)

    assert pinned == tested.specifier, (
        f"pyproject.toml pins {tested.distribution}{pinned}, but the fast executor was "
        f"tested with {tested.specifier} (TESTED_VERSIONS in schema/execution/requirements.py)"
    )


@pytest.mark.parametrize("tested", TESTED_VERSIONS, ids=lambda tested: tested.distribution)
def test_the_installed_versions_are_the_tested_ones(tested: VersionRange) -> None:
    version = installed_versions().get(tested.distribution)

    assert version is not None and tested.admits(version), (
        f"{tested.distribution} {version} is installed; the fast executor was tested with "
        f"{tested.specifier}, so the server answers through graphql-core's own executor"
    )


# ---------------------------------------------------------------------------
# What the start-up check looks at (schema/execution/requirements.py)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda requirement: requirement.name)
def test_each_attribute_the_executor_uses_is_still_there(requirement: Requirement) -> None:
    met = requirement.is_met()

    assert met, _changed(requirement.distribution, requirement.name)


# ---------------------------------------------------------------------------
# graphql-core
# ---------------------------------------------------------------------------


async def test_the_executor_keeps_what_it_was_built_with() -> None:
    schema = _schema(RecordingExecutionContext)

    executor = (await _recorded(schema))[0]

    assert executor.schema is schema._schema, _changed(GRAPHQL_CORE, "Executor.schema")
    assert isinstance(executor.operation, OperationDefinitionNode), _changed(
        GRAPHQL_CORE, "Executor.operation"
    )
    assert executor.fragment_definitions == {}, _changed(
        GRAPHQL_CORE, "Executor.fragment_definitions"
    )
    assert isinstance(executor.context_value, list), _changed(
        GRAPHQL_CORE, "Executor.context_value"
    )


async def test_collecting_a_sub_selection_is_memoised_and_gives_three_parts() -> None:
    schema = _schema(RecordingExecutionContext)

    collected = [entry for entry in await _recorded(schema) if isinstance(entry, Collected)]

    variants = [
        entry.parts
        for entry in collected
        if entry.field_details_list[0].node.name.value == "variants"
    ]
    assert len(variants) == 3 and all(parts is variants[0] for parts in variants), _changed(
        GRAPHQL_CORE, "Executor.collect_subfields (memoised per field details list)"
    )
    grouped_field_set, new_defer_usages, _forbidden = variants[0]
    assert list(grouped_field_set) == ["sku", "colour", "amount", "tags"], _changed(
        GRAPHQL_CORE, "Executor.collect_subfields (grouped field set, defer usages, forbidden)"
    )
    assert not new_defer_usages
    details = grouped_field_set["sku"][0]
    assert details.node.name.value == "sku" and details.defer_usage is None, _changed(
        GRAPHQL_CORE, "FieldDetails.node and FieldDetails.defer_usage"
    )


def test_typename_is_the_meta_field_definition() -> None:
    schema = _schema()

    found = schema._schema.get_field(_object_type(schema, "Product"), "__typename")

    assert found is TypeNameMetaFieldDef, _changed(
        GRAPHQL_CORE, "GraphQLSchema.get_field(type, '__typename')"
    )


def test_the_builtin_scalars_serialise_with_the_functions_the_executor_knows() -> None:
    serialisers = {
        GraphQLString: (str, "text"),
        GraphQLID: (str, "V1"),
        GraphQLBoolean: (bool, True),
        GraphQLInt: (int, 7),
    }

    for scalar, (python_type, value) in serialisers.items():
        serialise = scalar.coerce_output_value
        assert UNCHANGED_BY_SERIALISER.get(serialise) is python_type, _changed(
            GRAPHQL_CORE, f"{scalar.name}.coerce_output_value (serialize_*)"
        )
        assert serialise(value) is value, _changed(
            GRAPHQL_CORE, f"{scalar.name}.coerce_output_value returning {python_type} unchanged"
        )
    assert (GRAPHQL_MIN_INT, GRAPHQL_MAX_INT) == (-(2**31), 2**31 - 1)


def test_a_schema_keeps_attributes_set_on_it() -> None:
    schema = GraphQLSchema()

    schema.__dict__["omnicart_probe"] = 1

    assert getattr(schema, "omnicart_probe", None) == 1, _changed(
        GRAPHQL_CORE, "GraphQLSchema (the executor keeps its plans on it)"
    )


# ---------------------------------------------------------------------------
# strawberry
# ---------------------------------------------------------------------------


async def test_strawberry_gives_the_executor_a_known_is_awaitable_and_no_middleware() -> None:
    executor = (await _recorded(_schema(RecordingExecutionContext)))[0]

    assert executor.is_awaitable in KNOWN_IS_AWAITABLE, _changed(
        STRAWBERRY, "the is_awaitable passed to the executor (strawberry.execution)"
    )
    manager = executor.middleware_manager
    assert manager is None or not manager.middlewares, _changed(
        STRAWBERRY, "Executor.middleware_manager without resolve hooks"
    )


async def test_an_extension_with_a_resolve_hook_becomes_middleware() -> None:
    schema = _schema(RecordingExecutionContext, extensions=[ResolveHook])

    executor = (await _recorded(schema))[0]

    assert executor.middleware_manager is not None and executor.middleware_manager.middlewares, (
        _changed(STRAWBERRY, "extensions with a resolve hook as graphql-core middleware")
    )


def test_a_plain_field_resolves_through_the_basic_resolver_and_its_default_resolver() -> None:
    reads: list[tuple[object, str]] = []

    def default_resolver(source: object, name: str) -> object:
        reads.append((source, name))
        return getattr(source, name)

    schema = _schema(config=StrawberryConfig(default_resolver=default_resolver))
    field = _object_type(schema, "Variant").fields["sku"]
    strawberry_field = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    source = Variant(sku="S-9", colour=Colour.RED, amount=Decimal(1), tags=[])

    assert field.resolve is not None
    answer = field.resolve(source, cast(Any, None))  # a basic field never reads the info

    assert isinstance(strawberry_field, StrawberryField), _changed(
        STRAWBERRY, "GraphQLField.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]"
    )
    assert getattr(field.resolve, "_is_default", False), _changed(
        STRAWBERRY, "the default resolver's _is_default marker"
    )
    assert field.resolve.__name__ == BASIC_RESOLVER_NAME, _changed(
        STRAWBERRY,
        f"the basic field resolver's name ({field.resolve.__name__}, was {BASIC_RESOLVER_NAME})",
    )
    assert answer == "S-9" and reads == [(source, strawberry_field.python_name)], _changed(
        STRAWBERRY, "StrawberryField.get_result of a basic field (default_resolver(source, name))"
    )
    assert strawberry_field.default_resolver is default_resolver, _changed(
        STRAWBERRY, "StrawberryField.default_resolver"
    )


def test_fields_with_a_resolver_or_a_permission_are_not_planned() -> None:
    schema = _schema()
    product = _object_type(schema, "Product")

    planned = {name: plan_field(schema._schema, product, name) for name in ("label", "secret")}

    assert planned == {"label": None, "secret": None}, _changed(
        STRAWBERRY,
        "how resolvers and permission classes show on a field "
        "(resolve name, StrawberryField.permission_classes, StrawberryField.extensions)",
    )


def test_the_is_type_of_strawberry_generates_for_an_interface_needs_no_info() -> None:
    schema = _schema()
    product = _object_type(schema, "Product")
    definition = product.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    one = Product(id=strawberry.ID("1"), name="P", variants=[])
    cast_away = strawberry.cast(Variant, Product(id=strawberry.ID("2"), name="Q", variants=[]))

    info_free, is_type_of = info_free_is_type_of(product)

    assert info_free and is_type_of is not None, _changed(
        STRAWBERRY,
        "the is_type_of GraphQLCoreConverter.from_object generates "
        f"({getattr(product.is_type_of, '__qualname__', None)})",
    )
    assert is_type_of(one, None) is True and is_type_of(cast_away, None) is False, _changed(
        STRAWBERRY, "the generated is_type_of (called without info)"
    )
    assert isinstance(definition, StrawberryObjectDefinition), _changed(
        STRAWBERRY, "GraphQLObjectType.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]"
    )
    assert definition.origin is Product and definition.interfaces[0].origin is Node, _changed(
        STRAWBERRY, "StrawberryObjectDefinition.origin and .interfaces"
    )


def test_cast_and_definitions_live_where_the_executor_looks() -> None:
    product = Product(id=strawberry.ID("1"), name="P", variants=[])

    strawberry.cast(Node, product)

    assert TYPE_CAST_ATTRIBUTE in vars(product), _changed(
        STRAWBERRY, "strawberry.cast (TYPE_CAST_ATTRIBUTE in the instance __dict__)"
    )
    assert "__strawberry_definition__" in vars(Product), _changed(
        STRAWBERRY, "the __strawberry_definition__ class attribute"
    )
    assert {TYPE_CAST_ATTRIBUTE, "__strawberry_definition__"} <= INSTANCE_OVERRIDES


def test_an_enum_is_strawberrys_enum_type_serialising_members_to_names() -> None:
    schema = _schema()
    colour = schema._schema.get_type("Colour")

    assert isinstance(colour, GraphQLEnumType)
    assert type(colour) is CustomGraphQLEnumType, _changed(STRAWBERRY, "CustomGraphQLEnumType")
    assert getattr(colour, "wrapped_cls", None) is Colour, _changed(
        STRAWBERRY, "CustomGraphQLEnumType.wrapped_cls"
    )
    assert colour.coerce_output_value(Colour.NAVY) == "NAVY"


def test_a_decimal_serialises_with_str() -> None:
    schema = _schema()
    amount = _object_type(schema, "Variant").fields["amount"].type
    assert isinstance(amount, GraphQLNonNull) and isinstance(amount.of_type, GraphQLScalarType)

    serialise = amount.of_type.coerce_output_value

    assert serialise is str and UNCHANGED_BY_SERIALISER[str] is str, _changed(
        STRAWBERRY, "the Decimal scalar's serialiser (str)"
    )


async def test_plain_fields_are_answered_without_resolve_info() -> None:
    # Every internal above at once: with any of them changed, the fast path declines
    # plain fields and graphql-core builds an info for each (answers stay correct).
    schema = _schema(InfoCountingExecutionContext)

    infos = [entry for entry in await _recorded(schema) if entry == "info"]

    assert infos == ["info"], (
        f"{STRAWBERRY} {installed_versions().get(STRAWBERRY)} or {GRAPHQL_CORE} "
        f"{installed_versions().get(GRAPHQL_CORE)}: plain fields got resolve infos (only "
        "`products` has a resolver), so the fast executor declined them: one of the "
        "internals the other tests here cover changed"
    )


# ---------------------------------------------------------------------------
# schema/lookahead.py and schema/protection.py
# ---------------------------------------------------------------------------


async def test_info_carries_graphql_cores_resolve_info() -> None:
    raw = [entry.value for entry in await _recorded(_schema()) if isinstance(entry, RawInfo)]

    nodes = getattr(raw[0], "field_nodes", None)
    assert nodes and nodes[0].name.value == "products", _changed(
        STRAWBERRY, "Info._raw_info.field_nodes", "schema/lookahead.py"
    )
    assert getattr(raw[0], "fragments", None) == {}, _changed(
        STRAWBERRY, "Info._raw_info.fragments", "schema/lookahead.py"
    )


def test_a_strawberry_schema_holds_its_graphql_core_schema() -> None:
    schema = _schema()

    assert isinstance(schema._schema, GraphQLSchema), _changed(
        STRAWBERRY, "Schema._schema", "schema/protection.py"
    )


class RecordingMaskErrors(MaskErrors):
    def __init__(self, processed: list[object]) -> None:
        super().__init__()
        self.processed = processed

    def _process_result(self, result: object) -> None:
        self.processed.append(result)
        super()._process_result(result)


async def test_error_masking_goes_through_the_hooks_protection_overrides() -> None:
    processed: list[object] = []
    schema = _schema(extensions=[lambda: RecordingMaskErrors(processed)])

    result = await schema.execute("{ products { secret } }")

    assert result.errors and len(processed) == 1, _changed(
        STRAWBERRY, "MaskErrors._process_result", "schema/protection.py"
    )
    parameters = list(inspect.signature(MaskErrors._process_errors).parameters)
    assert parameters == ["self", "errors"], _changed(
        STRAWBERRY, "MaskErrors._process_errors(errors)", "schema/protection.py"
    )


def test_the_limiters_validator_factories_take_what_the_schema_passes() -> None:
    depth = list(inspect.signature(depth_validator).parameters)
    aliases = list(inspect.signature(aliases_validator).parameters)

    assert depth[:3] == ["max_depth", "should_ignore", "callback"], _changed(
        STRAWBERRY, "query_depth_limiter.create_validator", "schema/schema.py"
    )
    assert aliases == ["max_alias_count"], _changed(
        STRAWBERRY, "max_aliases.create_validator", "schema/schema.py"
    )
