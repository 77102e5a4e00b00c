"""Deciding, once per field of a schema, whether the fast path can read it as a plain attribute."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    TypeNameMetaFieldDef,
)
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_int, serialize_string
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.execution.plans import (
    LEAF,
    LEAF_LIST,
    OBJECT,
    OBJECT_LIST,
    TYPENAME_PLAN,
    FieldPlan,
    PlansByType,
)
from schema.execution.preloading import PRELOADED

# strawberry's generated ``is_type_of`` for types implementing an interface: it
# only looks at the value and never at its ``_info`` argument (strawberry 0.341,
# schema_converter.py, both ``_get_is_type_of``). Any other ``is_type_of`` (a
# user's classmethod) might read the info, so those objects take the normal path.
INFO_FREE_IS_TYPE_OF: Final = frozenset(
    {
        "GraphQLCoreConverter.from_object.<locals>._get_is_type_of.<locals>.is_type_of",
        "GraphQLCoreConverter._get_is_type_of.<locals>.is_type_of",
    }
)
_STRAWBERRY_CONVERTER_MODULE: Final = GraphQLCoreConverter.__module__

# The only default resolver strawberry builds that reads the attribute and
# nothing else; its ``_resolver`` sibling (also ``_is_default``) runs exception
# handlers or field extensions around the read.
BASIC_RESOLVER_NAME: Final = "_get_basic_result"

# Stored on the GraphQLSchema: plans live exactly as long as the schema and are
# bounded by its fields, and no process-wide cache is needed. (A module-level
# WeakKeyDictionary would never drop an entry: the plans reference the schema's
# types, whose field thunks reference the schema back.)
_PLANS_ATTRIBUTE: Final = "_omnicart_fast_field_plans"

# Serialisers that return a value of this exact type as it is (graphql-core's, and
# the builtin str; Int only within 32 bits, checked where it is used).
UNCHANGED_BY_SERIALISER: Final[Mapping[object, type]] = {
    str: str,  # strawberry's Decimal (a Money amount is already its exact string)
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
    serialize_int: int,
}


def schema_plans(schema: GraphQLSchema) -> PlansByType:
    plans: PlansByType | None = schema.__dict__.get(_PLANS_ATTRIBUTE)
    if plans is None:
        plans = {}
        setattr(schema, _PLANS_ATTRIBUTE, plans)
    return plans


def info_free_is_type_of(
    object_type: GraphQLObjectType,
) -> tuple[bool, Callable[[Any, Any], object] | None]:
    """Whether objects of this type complete without info, and the check to run."""
    is_type_of = object_type.is_type_of
    if is_type_of is None:
        return True, None
    if (
        getattr(is_type_of, "__module__", None) == _STRAWBERRY_CONVERTER_MODULE
        and getattr(is_type_of, "__qualname__", None) in INFO_FREE_IS_TYPE_OF
    ):
        return True, is_type_of
    return False, None


def plan_field(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, field_name: str
) -> FieldPlan | None:
    """The plan for a plain attribute field, or None when graphql-core must run it."""
    field_def: GraphQLField | None = schema.get_field(parent_type, field_name)
    if field_def is None:
        return None
    if field_def is TypeNameMetaFieldDef:
        return TYPENAME_PLAN
    strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(strawberry_field, StrawberryField):
        return None
    if strawberry_field.permission_classes or strawberry_field.extensions:
        return None
    metadata: Mapping[str, Any] = strawberry_field.metadata or {}
    attribute = metadata.get(PRELOADED)
    # A look-ahead field may take arguments: its attribute is the answer when none is
    # written (``TreeExecutionContext._plan`` declines any node with arguments, so
    # they reach the resolver).
    if field_def.args and attribute is None:
        return None
    if attribute is None:
        resolve = field_def.resolve
        if not getattr(resolve, "_is_default", False):
            return None
        if getattr(resolve, "__name__", None) != BASIC_RESOLVER_NAME:
            return None
        if not strawberry_field.is_basic_field or strawberry_field.arguments:
            return None

    return_type = field_def.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    item_type: GraphQLOutputType | None = None
    item_nullable = False
    if isinstance(inner, GraphQLList):
        item_type = inner.of_type
        item_nullable = not isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    else:
        named = inner

    leaf_type: GraphQLScalarType | GraphQLEnumType | None = None
    object_type: GraphQLObjectType | None = None
    is_type_of: Callable[[Any, Any], object] | None = None
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        leaf_type = named
        shape = LEAF if item_type is None else LEAF_LIST
    elif isinstance(named, GraphQLObjectType):
        info_free, is_type_of = info_free_is_type_of(named)
        if not info_free:
            return None
        object_type = named
        shape = OBJECT if item_type is None else OBJECT_LIST
    else:
        # Abstract types resolve their runtime type with the info; lists of lists
        # are rare enough not to be worth their own path.
        return None

    if attribute is not None:
        if object_type is None:
            return None  # look-ahead relations are objects or lists of them
        return FieldPlan(
            shape=shape,
            python_name=attribute,
            read=getattr,
            return_type=return_type,
            item_type=item_type,
            nullable=nullable,
            item_nullable=item_nullable,
            leaf_type=leaf_type,
            object_type=object_type,
            is_type_of=is_type_of,
            preloaded=True,
            memoisable=_class_decides_acceptance(object_type, is_type_of),
        )
    unchanged, enum_class = _leaf_shortcuts(leaf_type)
    return FieldPlan(
        shape=shape,
        python_name=strawberry_field.python_name,
        read=strawberry_field.default_resolver,
        return_type=return_type,
        item_type=item_type,
        nullable=nullable,
        item_nullable=item_nullable,
        leaf_type=leaf_type,
        object_type=object_type,
        is_type_of=is_type_of,
        unchanged=unchanged,
        enum_class=enum_class,
        memoisable=object_type is not None and _class_decides_acceptance(object_type, is_type_of),
    )


def _class_decides_acceptance(
    object_type: GraphQLObjectType, is_type_of: Callable[[Any, Any], object] | None
) -> bool:
    """Whether a value's class (and its own ``__dict__``) decides if it is accepted.

    graphql-core accepts a value for an object type when it is not awaitable, not
    an Exception and, for strawberry's ``is_type_of``, not cast to another type and
    an instance of one of the type's classes. Those ``isinstance`` checks depend on
    the value's class alone when every class checked against has the plain
    metaclass: the builtins do, and so must the strawberry classes.
    """
    if is_type_of is None:
        return True
    definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryObjectDefinition):
        return False
    checked = [definition.origin, *(interface.origin for interface in definition.interfaces)]
    if definition.concrete_of is not None:
        checked.append(definition.concrete_of.origin)
    return all(type(klass) is type for klass in checked)


def _leaf_shortcuts(
    leaf_type: GraphQLScalarType | GraphQLEnumType | None,
) -> tuple[type | None, type | None]:
    """The type a leaf serialises unchanged, and the enum class whose names to remember."""
    if isinstance(leaf_type, GraphQLScalarType):
        return UNCHANGED_BY_SERIALISER.get(leaf_type.coerce_output_value), None
    if type(leaf_type) is CustomGraphQLEnumType:
        # strawberry's enum type: a member serialises to the name of the first value
        # equal to the member's value, whatever else happens.
        wrapped: object = getattr(leaf_type, "wrapped_cls", None)
        if isinstance(wrapped, type) and issubclass(wrapped, enum.Enum):
            return None, wrapped
    return None, None
