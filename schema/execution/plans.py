"""What the fast path decided about a field, or a whole sub-selection, ahead of its values."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    TypeNameMetaFieldDef,
)
from graphql.execution.collect_fields import FieldDetailsList


class Declined(enum.Enum):
    """The fast path found something unusual before any side effect."""

    DECLINED = enum.auto()


DECLINED: Final = Declined.DECLINED


class Shape(enum.Enum):
    TYPENAME = enum.auto()
    LEAF = enum.auto()
    LEAF_LIST = enum.auto()
    OBJECT = enum.auto()
    OBJECT_LIST = enum.auto()


# The shapes as module constants: reading a member from its enum class goes through
# the metaclass (about 1,000 instructions), and the tree walk asks for several per field.
TYPENAME: Final = Shape.TYPENAME
LEAF: Final = Shape.LEAF
LEAF_LIST: Final = Shape.LEAF_LIST
OBJECT: Final = Shape.OBJECT
OBJECT_LIST: Final = Shape.OBJECT_LIST


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How to read and complete one field of one parent type, decided once."""

    shape: Shape
    python_name: str
    read: Callable[[Any, str], object]
    # As declared (possibly non-null): what graphql-core's error handling looks at.
    return_type: GraphQLOutputType
    item_type: GraphQLOutputType | None
    nullable: bool
    item_nullable: bool
    leaf_type: GraphQLScalarType | GraphQLEnumType | None
    object_type: GraphQLObjectType | None
    is_type_of: Callable[[Any, Any], object] | None
    # True when the attribute is a look-ahead's result: None means "not loaded".
    preloaded: bool = False
    # The Python type whose values the leaf type serialises to themselves (str for
    # String and ID, bool for Boolean, int for Int within 32 bits): no call needed.
    unchanged: type | None = None
    # A strawberry enum: its Python class, and the names it serialised members to
    # (a pure function of the member, so remembered for the schema's lifetime).
    enum_class: type | None = None
    enum_names: dict[Any, str] = field(default_factory=dict)
    # Objects: the classes whose instances graphql-core accepts for this type, each
    # with whether its instances have a ``__dict__`` (see ``objects.accepts_object``);
    # only filled when ``memoisable``.
    accepted: dict[type, bool] = field(default_factory=dict)
    memoisable: bool = False


PlansByType = dict[GraphQLObjectType, dict[str, FieldPlan | None]]
PlannedField = tuple[str, FieldDetailsList, FieldPlan | None]


@dataclass(frozen=True, slots=True)
class Tree:
    """A sub-selection made only of plain attribute fields, down to its leaves.

    ``fields`` holds, per response name, the field's plan (None for
    ``__typename``) and, for an object or a list of objects, the tree of its
    own sub-selection.
    """

    type_name: str
    fields: tuple[tuple[str, FieldPlan | None, Tree | None], ...]
    # Only leaves and ``__typename`` (a price, an availability): completed in the
    # parent's frame, without a call of its own.
    leaves_only: bool = False


TYPENAME_PLAN: Final = FieldPlan(
    shape=TYPENAME,
    python_name="__typename",
    read=getattr,
    return_type=TypeNameMetaFieldDef.type,
    item_type=None,
    nullable=False,
    item_nullable=False,
    leaf_type=None,
    object_type=None,
    is_type_of=None,
)
