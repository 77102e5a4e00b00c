"""A graphql-core executor that reads plain attribute fields without resolve info.

Hot reads return strawberry objects whose nested fields are plain attributes
(DESIGN.md, Performance). For those fields strawberry's default resolver only
calls ``getattr``, yet graphql-core still builds a ``GraphQLResolveInfo``, calls
three Python frames of resolver and walks ``complete_value`` for every one of
them: over half the execution time of a listing (benchmarks/execution_micro.py).

``FastExecutionContext.execute_fields`` reads such a field itself when its
value can be completed without any decision that needs the info: a leaf (and
``__typename``), a list of leaves, an object or a list of objects. For each
field it either produces the complete answer without a side effect, or declines
before doing anything observable and lets graphql-core's ``execute_field`` run
the field from the start (reading the attribute a second time, harmless for a
plain attribute). Everything unusual declines: directives or arguments on the
field, a resolver, field extensions or permissions, awaitables, ``Exception``
values, abstract types, objects whose ``is_type_of`` might need the info, a
null for a non-null type, a value its scalar refuses, resolve middleware
(strawberry extensions with a ``resolve`` hook). So errors, their paths and
locations, null propagation, ``@defer`` and ``@stream`` stay graphql-core's own.

An object whose sub-selection is plain attribute fields all the way down (a
listing's connection, its edges, products, variants, prices and availability)
is answered as one tree, outside any delivery group and when no ``@defer``
starts in it: no path, no per-field dispatch, one recursive walk. Reading
attributes, checking values and serialising leaves have no side effect, so when
anything in the tree declines, the object takes graphql-core's path from the
start and nothing observable happened before; the tree is then not tried again
in that request (its data needs resolvers).

Whether graphql-core accepts a value as an object (not awaitable, not an
Exception, strawberry's ``is_type_of``) depends on its class and on what its own
``__dict__`` overrides, so once an instance of a plain class was accepted for a
field, the next ones cost a dict lookup (``_accepts_object``).

Once a sub-selection has started executing, a field cannot decline any more;
from there on the code mirrors graphql-core 3.3.2's ``execute_fields``,
``execute_field``, ``complete_iterable_value`` and ``complete_list_item_value``
(error handling, settling in the background, gathering). The tests in
tests/schema/test_execution.py compare both executors on generated selections,
errors included; they are the check to rerun when graphql-core changes.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast

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
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.language import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from graphql.pyutils.is_awaitable import is_awaitable as default_is_awaitable
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    serialize_boolean,
    serialize_id,
    serialize_int,
    serialize_string,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

# strawberry's generated ``is_type_of`` for types implementing an interface: it
# only looks at the value and never at its ``_info`` argument (strawberry 0.341,
# schema_converter.py, both ``_get_is_type_of``). Any other ``is_type_of`` (a
# user's classmethod) might read the info, so those objects take the normal path.
_INFO_FREE_IS_TYPE_OF: Final = frozenset(
    {
        "GraphQLCoreConverter.from_object.<locals>._get_is_type_of.<locals>.is_type_of",
        "GraphQLCoreConverter._get_is_type_of.<locals>.is_type_of",
    }
)
_STRAWBERRY_CONVERTER_MODULE: Final = GraphQLCoreConverter.__module__

# The only default resolver strawberry builds that reads the attribute and
# nothing else; its ``_resolver`` sibling (also ``_is_default``) runs exception
# handlers or field extensions around the read.
_BASIC_RESOLVER_NAME: Final = "_get_basic_result"

# Stored on the GraphQLSchema: plans live exactly as long as the schema and are
# bounded by its fields, and no process-wide cache is needed. (A module-level
# WeakKeyDictionary would never drop an entry: the plans reference the schema's
# types, whose field thunks reference the schema back.)
_PLANS_ATTRIBUTE: Final = "_omnicart_fast_field_plans"

_LIST_TYPES: Final = (list, tuple)

# Field metadata naming the attribute a resolver returns when the object arrived
# with the relation already loaded (a look-ahead): ``preloaded("preloaded_variants")``.
# The fast path reads that attribute like a plain field and, when it is None (not
# loaded), declines so that the resolver runs and falls back to a DataLoader. Such a
# field may have arguments; the attribute must then be its answer when none is given.
PRELOADED: Final = "omnicart.preloaded"


def preloaded(attribute: str) -> dict[str, str]:
    """``strawberry.field(metadata=preloaded("attr"))`` for a look-ahead relation."""
    return {PRELOADED: attribute}


_KNOWN_IS_AWAITABLE: Final = (optimized_is_awaitable, default_is_awaitable)

# What an instance's own ``__dict__`` may hold that changes whether it is accepted as
# an object: an ``__await__`` (is_awaitable uses hasattr), strawberry's cast marker,
# a strawberry definition of its own (for generic types).
_INSTANCE_OVERRIDES: Final = frozenset(
    {"__await__", TYPE_CAST_ATTRIBUTE, "__strawberry_definition__"}
)

# What a class (below ``object``) may define that makes its instances' attribute
# lookup or ``isinstance`` differ from Python's own, or answers those lookups itself.
_CLASS_OVERRIDES: Final = frozenset(
    {"__getattribute__", "__getattr__", "__class__", "__await__", TYPE_CAST_ATTRIBUTE}
)

# Never awaitable and never an Exception: the common leaf values skip both checks.
_NEVER_AWAITABLE: Final = frozenset({str, int, float, bool})

# Serialisers that return a value of this exact type as it is (graphql-core's, and
# the builtin str; Int only within 32 bits, checked where it is used).
_UNCHANGED_BY_SERIALISER: Final[Mapping[object, type]] = {
    str: str,  # strawberry's Decimal (a Money amount is already its exact string)
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
    serialize_int: int,
}


class _Declined(enum.Enum):
    """The fast path found something unusual before any side effect."""

    DECLINED = enum.auto()


_DECLINED: Final = _Declined.DECLINED


class _Shape(enum.Enum):
    TYPENAME = enum.auto()
    LEAF = enum.auto()
    LEAF_LIST = enum.auto()
    OBJECT = enum.auto()
    OBJECT_LIST = enum.auto()


# The shapes as module constants: reading a member from its enum class goes through
# the metaclass (about 1,000 instructions), and the tree walk asks for several per field.
_TYPENAME: Final = _Shape.TYPENAME
_LEAF: Final = _Shape.LEAF
_LEAF_LIST: Final = _Shape.LEAF_LIST
_OBJECT: Final = _Shape.OBJECT
_OBJECT_LIST: Final = _Shape.OBJECT_LIST


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """How to read and complete one field of one parent type, decided once."""

    shape: _Shape
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
    # with whether its instances have a ``__dict__`` (see ``_accepts_object``); only
    # filled when ``memoisable``.
    accepted: dict[type, bool] = field(default_factory=dict)
    memoisable: bool = False


PlansByType = dict[GraphQLObjectType, dict[str, _FieldPlan | None]]
_PlannedField = tuple[str, FieldDetailsList, _FieldPlan | None]


@dataclass(frozen=True, slots=True)
class _Tree:
    """A sub-selection made only of plain attribute fields, down to its leaves.

    ``fields`` holds, per response name, the field's plan (None for
    ``__typename``) and, for an object or a list of objects, the tree of its
    own sub-selection.
    """

    type_name: str
    fields: tuple[tuple[str, _FieldPlan | None, _Tree | None], ...]
    # Only leaves and ``__typename`` (a price, an availability): completed in the
    # parent's frame, without a call of its own.
    leaves_only: bool = False


_TYPENAME_PLAN: Final = _FieldPlan(
    shape=_TYPENAME,
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


_SHARED_TREES_ATTRIBUTE: Final = "_omnicart_fast_shared_trees"
# Operations whose trees a schema keeps; more are dropped all at once (a client
# sending endless distinct documents must not grow memory).
_SHARED_OPERATIONS: Final = 512
SharedTrees = dict[tuple[Any, ...], "_Tree | None"]


def _shared_trees_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> SharedTrees | None:
    """The trees of ``operation`` every request of it can use, or None.

    A tree is what collecting the operation's selections gives, planned against the
    schema: it depends on the document, the schema and, through ``@skip`` and
    ``@include`` (or fragment arguments), on the variables. With no directive and no
    fragment argument anywhere in the document it depends on the document alone, so
    requests of the same parsed operation share them instead of collecting and
    planning again. The entry keeps the operation, so its id is not reused.
    """
    by_operation: dict[int, tuple[OperationDefinitionNode, SharedTrees | None]] | None = (
        schema.__dict__.get(_SHARED_TREES_ATTRIBUTE)
    )
    if by_operation is None:
        by_operation = {}
        setattr(schema, _SHARED_TREES_ATTRIBUTE, by_operation)
    found = by_operation.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    if len(by_operation) >= _SHARED_OPERATIONS:
        by_operation.clear()
    variable_free = (
        not operation.directives
        and not any(
            _depends_on_variables(node.selection_set) for node in (operation, *fragments.values())
        )
        and not any(fragment.directives for fragment in fragments.values())
    )
    trees: SharedTrees | None = {} if variable_free else None
    by_operation[id(operation)] = (operation, trees)
    return trees


def _depends_on_variables(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if selection.directives:
            return True
        if isinstance(selection, FragmentSpreadNode):
            if getattr(selection, "arguments", None):
                return True
        elif _depends_on_variables(getattr(selection, "selection_set", None)):
            return True
    return False


def _schema_plans(schema: GraphQLSchema) -> PlansByType:
    plans: PlansByType | None = schema.__dict__.get(_PLANS_ATTRIBUTE)
    if plans is None:
        plans = {}
        setattr(schema, _PLANS_ATTRIBUTE, plans)
    return plans


def _info_free_is_type_of(
    object_type: GraphQLObjectType,
) -> tuple[bool, Callable[[Any, Any], object] | None]:
    """Whether objects of this type complete without info, and the check to run."""
    is_type_of = object_type.is_type_of
    if is_type_of is None:
        return True, None
    if (
        getattr(is_type_of, "__module__", None) == _STRAWBERRY_CONVERTER_MODULE
        and getattr(is_type_of, "__qualname__", None) in _INFO_FREE_IS_TYPE_OF
    ):
        return True, is_type_of
    return False, None


def _plan_field(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, field_name: str
) -> _FieldPlan | None:
    """The plan for a plain attribute field, or None when graphql-core must run it."""
    field_def: GraphQLField | None = schema.get_field(parent_type, field_name)
    if field_def is None:
        return None
    if field_def is TypeNameMetaFieldDef:
        return _TYPENAME_PLAN
    strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(strawberry_field, StrawberryField):
        return None
    if strawberry_field.permission_classes or strawberry_field.extensions:
        return None
    metadata: Mapping[str, Any] = strawberry_field.metadata or {}
    attribute = metadata.get(PRELOADED)
    # A look-ahead field may take arguments: its attribute is the answer when none is
    # written (``_plan`` declines any node with arguments, so they reach the resolver).
    if field_def.args and attribute is None:
        return None
    if attribute is None:
        resolve = field_def.resolve
        if not getattr(resolve, "_is_default", False):
            return None
        if getattr(resolve, "__name__", None) != _BASIC_RESOLVER_NAME:
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
        shape = _LEAF if item_type is None else _LEAF_LIST
    elif isinstance(named, GraphQLObjectType):
        info_free, is_type_of = _info_free_is_type_of(named)
        if not info_free:
            return None
        object_type = named
        shape = _OBJECT if item_type is None else _OBJECT_LIST
    else:
        # Abstract types resolve their runtime type with the info; lists of lists
        # are rare enough not to be worth their own path.
        return None

    if attribute is not None:
        if object_type is None:
            return None  # look-ahead relations are objects or lists of them
        return _FieldPlan(
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
    return _FieldPlan(
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
        return _UNCHANGED_BY_SERIALISER.get(leaf_type.coerce_output_value), None
    if type(leaf_type) is CustomGraphQLEnumType:
        # strawberry's enum type: a member serialises to the name of the first value
        # equal to the member's value, whatever else happens.
        wrapped: object = getattr(leaf_type, "wrapped_cls", None)
        if isinstance(wrapped, type) and issubclass(wrapped, enum.Enum):
            return None, wrapped
    return None, None


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, reading plain attribute fields without resolve info."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Strawberry turns extensions with a ``resolve`` hook into middleware; they
        # expect to see every field, so with any of them everything runs normally.
        # The plans remember which classes are accepted as objects, as graphql-core's
        # own and strawberry's ``is_awaitable`` decide (strawberry always passes its own).
        self._fast_enabled = (manager is None or not manager.middlewares) and (
            self.is_awaitable in _KNOWN_IS_AWAITABLE
        )
        self._plans = _schema_plans(self.schema)
        # Per request, by identity: graphql-core memoises the grouped field set of
        # a selection, so the 80 variants of a listing share one entry. The set is
        # kept in the entry so its id cannot be reused while the executor lives.
        self._planned_sets: dict[
            int, tuple[GroupedFieldSet, GraphQLObjectType, tuple[_PlannedField, ...]]
        ] = {}
        # Per request, keyed like graphql-core's collect_subfields memo: the tree of
        # an object's sub-selection when it is plain attributes all the way down,
        # else None (also once a value has declined it: its data needs resolvers,
        # so the next values of this request go the field-by-field way at once).
        # The field details list is kept in the entry for the same reason.
        self._trees: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, _Tree | None]] = {}
        # Across requests of the same parsed operation (the parse cache hands out one
        # document per query text): the trees, when nothing in its document depends
        # on variables (no directive at all). See _shared_trees_of.
        self._shared_trees = _shared_trees_of(
            self.schema, self.operation, self.fragment_definitions
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: DeliveryGroupMap | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not self._fast_enabled:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        planned_fields = self._planned_field_set(parent_type, grouped_field_set)
        parent_name = parent_type.name
        # graphql-core's execute_fields, with leaves answered in place: no path,
        # no call into execute_field, and a result that is never awaitable.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        append_awaitable = awaitable_fields.append
        try:
            for response_name, field_details_list, plan in planned_fields:
                if plan is not None:
                    shape = plan.shape
                    if shape is _LEAF:
                        completed = _read_leaf(plan, source_value, is_awaitable)
                        if completed is not _DECLINED:
                            results[response_name] = completed
                            continue
                    elif shape is _TYPENAME:
                        # What TypeNameMetaFieldDef resolves to; String! keeps it as is.
                        results[response_name] = parent_name
                        continue
                field_path = Path(path, response_name, parent_name)
                result: Any = _DECLINED
                if plan is not None and plan.shape is not _LEAF:
                    result = self._execute_planned(
                        plan, source_value, field_details_list, field_path, position_context
                    )
                if result is _DECLINED:
                    result = self.execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        append_awaitable(response_name)
        except Exception:
            if awaitable_fields:
                # Pending siblings may fail too; settle them rather than orphan them.
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather_fields(results, awaitable_fields)

    def _planned_field_set(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[_PlannedField, ...]:
        key = id(grouped_field_set)
        cached = self._planned_sets.get(key)
        if cached is not None and cached[0] is grouped_field_set and cached[1] is parent_type:
            return cached[2]
        planned_fields = tuple(
            (response_name, field_details_list, self._plan(parent_type, field_details_list))
            for response_name, field_details_list in grouped_field_set.items()
        )
        self._planned_sets[key] = (grouped_field_set, parent_type, planned_fields)
        return planned_fields

    def _pure_tree(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Tree | None:
        """The tree of an object's sub-selection if it is plain attributes throughout.

        Only for objects outside any delivery group: with no new defer usage at
        any level either, every variant of graphql-core's
        execute_collected_subfields just calls execute_fields. When collecting a
        sub-selection raises, there is no tree: graphql-core's path collects it
        again and raises where it always has.
        """
        key = (object_type, id(field_details_list))
        cached = self._trees.get(key)
        if cached is not None and cached[0] is field_details_list:
            return cached[1]
        shared = self._shared_trees
        shared_key: tuple[Any, ...] | None = None
        if shared is not None and all(d.defer_usage is None for d in field_details_list):
            # The nodes belong to the operation the shared entry keeps alive: their
            # ids are not reused while it lasts.
            shared_key = (object_type, *[id(details.node) for details in field_details_list])
            if shared_key in shared:
                tree = shared[shared_key]
                self._trees[key] = (field_details_list, tree)
                return tree
        tree = None
        try:
            tree = self._build_tree(object_type, field_details_list)
        except Exception:  # raised again by graphql-core's path, where it belongs
            tree = None
        self._trees[key] = (field_details_list, tree)
        if shared_key is not None and shared is not None:
            shared[shared_key] = tree
        return tree

    def _build_tree(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Tree | None:
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        fields: list[tuple[str, _FieldPlan | None, _Tree | None]] = []
        for response_name, details, plan in self._planned_field_set(object_type, grouped_field_set):
            if plan is None:
                return None
            shape = plan.shape
            if shape is _TYPENAME:
                fields.append((response_name, None, None))
            elif shape is _LEAF or shape is _LEAF_LIST:
                fields.append((response_name, plan, None))
            else:
                assert plan.object_type is not None
                subtree = self._pure_tree(plan.object_type, details)
                if subtree is None:
                    return None
                fields.append((response_name, plan, subtree))
        leaves_only = all(subtree is None for _name, _plan, subtree in fields)
        return _Tree(object_type.name, tuple(fields), leaves_only)

    def _declined(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> None:
        self._trees[(object_type, id(field_details_list))] = (field_details_list, None)

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: DeliveryGroupMap | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # Every object graphql-core or this class completes comes through here, its
        # value already accepted for ``return_type``.
        if self._fast_enabled and position_context is None:
            tree = self._pure_tree(return_type, field_details_list)
            if tree is not None:
                completed = _complete_tree(tree, result, self.is_awaitable)
                if completed is not _DECLINED:
                    return cast(dict[str, Any], completed)
                self._declined(return_type, field_details_list)
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _FieldPlan | None:
        for details in field_details_list:
            node = details.node
            # @include/@skip were applied while collecting; any directive left on
            # the node (@stream, a custom one) or an argument needs graphql-core.
            if node.directives or node.arguments:
                return None
        field_name = field_details_list[0].node.name.value
        by_name = self._plans.get(parent_type)
        if by_name is None:
            by_name = self._plans[parent_type] = {}
        try:
            return by_name[field_name]
        except KeyError:
            plan = by_name[field_name] = _plan_field(self.schema, parent_type, field_name)
            return plan

    def _execute_planned(
        self,
        plan: _FieldPlan,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        try:
            value = plan.read(source, plan.python_name)
        except Exception:  # graphql-core reports it when it reads the field again
            return _DECLINED
        if value is None or value is Undefined:
            if plan.preloaded:
                return _DECLINED  # not loaded ahead: the resolver loads it
            return None if plan.nullable else _DECLINED
        shape = plan.shape
        if shape is _OBJECT:
            return self._complete_object(plan, value, field_details_list, path, position_context)
        if shape is _LEAF_LIST:
            return _complete_leaf_list(plan, value, self.is_awaitable)
        if shape is _OBJECT_LIST:
            return self._complete_object_list(
                plan, value, field_details_list, path, position_context
            )
        return _DECLINED

    def _accepts_object(self, plan: _FieldPlan, value: Any) -> bool:
        return _accepts_object(plan, value, self.is_awaitable)

    def _complete_object(
        self,
        plan: _FieldPlan,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        if not self._accepts_object(plan, value):
            return _DECLINED
        object_type = plan.object_type
        assert object_type is not None
        # From here on, graphql-core's execute_field after complete_value: a
        # completed object is never None, so the non-null check cannot fire.
        try:
            completed = self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, plan.return_type, field_details_list, path)
        return completed

    def _complete_object_list(
        self,
        plan: _FieldPlan,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        # Exact types: a subclass could be an async iterable, or refuse iteration.
        if type(value) not in _LIST_TYPES:
            return _DECLINED
        item_nullable = plan.item_nullable
        for item in value:
            if item is None or item is Undefined:
                if not item_nullable:
                    return _DECLINED
            elif not self._accepts_object(plan, item):
                return _DECLINED
        assert plan.object_type is not None and plan.item_type is not None
        object_type = plan.object_type
        item_type = plan.item_type
        is_awaitable = self.is_awaitable
        # The items' own trees are tried here, so each item that declines goes
        # straight to graphql-core's path rather than through this class's.
        collect_and_execute_subfields = super().collect_and_execute_subfields
        tree = (
            self._pure_tree(object_type, field_details_list)
            if position_context is None and value
            else None
        )
        # From here on, graphql-core's complete_iterable_value and
        # complete_list_item_value for items already known to be plain objects
        # (no stream: the field has no directive), inside execute_field's handling.
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(value):
                if item is None or item is Undefined:
                    append(None)
                    continue
                if tree is not None:
                    completed_tree = _complete_tree(tree, item, is_awaitable)
                    if completed_tree is not _DECLINED:
                        append(completed_tree)
                        continue
                    self._declined(object_type, field_details_list)
                    tree = None
                item_path = path.add_key(index, None)
                try:
                    completed_item = collect_and_execute_subfields(
                        object_type, field_details_list, item_path, item, position_context
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    append(None)
                    continue
                if is_awaitable(completed_item):
                    append(
                        self._await_completed(
                            completed_item, item_type, field_details_list, item_path
                        )
                    )
                    awaitable_indices.append(index)
                else:
                    append(completed_item)
        except Exception as raw_error:
            if awaitable_indices:
                # Pending siblings may fail too; settle them rather than orphan them.
                self.settle_in_background([completed_results[i] for i in awaitable_indices])
            self.handle_field_error(raw_error, plan.return_type, field_details_list, path)
            return None
        if not awaitable_indices:
            return completed_results
        return self._await_completed(
            _gather_items(completed_results, awaitable_indices),
            plan.return_type,
            field_details_list,
            path,
        )

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _read_leaf(plan: _FieldPlan, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A leaf's completed value, as graphql-core would complete it, or _DECLINED."""
    try:
        value = plan.read(source, plan.python_name)
    except Exception:  # graphql-core reports it when it reads the field again
        return _DECLINED
    return _complete_leaf(plan, value, is_awaitable)


def _complete_leaf(plan: _FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A leaf value completed as graphql-core would complete it, or _DECLINED."""
    value_type = type(value)
    if value_type is plan.unchanged and (
        value_type is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
    ):
        return value
    if value is None or value is Undefined:
        return None if plan.nullable else _DECLINED
    enum_names = plan.enum_names
    if value_type is plan.enum_class:
        name = enum_names.get(value)
        if name is not None:
            return name
    if value_type not in _NEVER_AWAITABLE and (is_awaitable(value) or isinstance(value, Exception)):
        return _DECLINED
    assert plan.leaf_type is not None
    try:
        coerced = plan.leaf_type.coerce_output_value(value)
    except Exception:  # graphql-core raises it again, located, on its own path
        return _DECLINED
    if coerced is None or coerced is Undefined:
        return _DECLINED
    if value_type is plan.enum_class and type(coerced) is str:
        enum_names[value] = coerced
    return coerced


def _accepts_object(plan: _FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether graphql-core would complete ``value`` as the plan's object type.

    Once an instance of a class is accepted, later ones are at the cost of a dict
    lookup (``_remembered``): see ``_class_decides_acceptance`` and ``_plain_class``.
    """
    if _remembered(plan, value):
        return True
    if is_awaitable(value) or isinstance(value, Exception):
        return False
    is_type_of = plan.is_type_of
    if is_type_of is not None:
        try:
            # None for the info: only strawberry's info-free checks get here.
            if is_type_of(value, None) is not True:
                return False
        except Exception:  # graphql-core raises it again, located, on its own path
            return False
    if plan.memoisable:
        cls = type(value)
        if _plain_class(cls):
            plan.accepted[cls] = cls.__dictoffset__ != 0
    return True


def _remembered(plan: _FieldPlan, value: Any) -> bool:
    """True when the value's class was accepted and the value overrides nothing itself."""
    has_dict = plan.accepted.get(type(value))
    if has_dict is None:
        return False
    return not has_dict or value.__dict__.keys().isdisjoint(_INSTANCE_OVERRIDES)


def _plain_class(cls: type) -> bool:
    """Whether every instance of ``cls`` is accepted like the one just checked.

    With Python's own attribute lookup and none of the looked-up names on the class,
    ``hasattr(value, "__await__")`` and strawberry's cast and definition lookups can
    only differ between instances through their own ``__dict__``, which
    ``_remembered`` reads; ``isinstance`` reads ``__class__``, left to ``object``.
    """
    for klass in cls.__mro__[:-1]:
        names = vars(klass)
        if not names.keys().isdisjoint(_CLASS_OVERRIDES):
            return False
        definition = names.get("__strawberry_definition__")
        if definition is not None and hasattr(type(definition), "__get__"):
            return False
    return True


def _complete_leaf_list(plan: _FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A list of leaves as graphql-core would complete it, or _DECLINED."""
    # Exact types: a subclass could be an async iterable, or refuse iteration.
    if type(value) not in _LIST_TYPES:
        return _DECLINED
    assert plan.leaf_type is not None
    coerce = plan.leaf_type.coerce_output_value
    item_nullable = plan.item_nullable
    completed: list[Any] = []
    append = completed.append
    for item in value:
        if item is None or item is Undefined:
            if not item_nullable:
                return _DECLINED
            append(None)
            continue
        if type(item) not in _NEVER_AWAITABLE and (
            is_awaitable(item) or isinstance(item, Exception)
        ):
            return _DECLINED
        try:
            coerced = coerce(item)
        except Exception:  # graphql-core raises it again, located, on its own path
            return _DECLINED
        if coerced is None or coerced is Undefined:
            return _DECLINED
        append(coerced)
    return completed


def _complete_tree(tree: _Tree, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """What execute_fields answers for ``source`` over a pure tree, or _DECLINED.

    Every step reads a plain attribute, checks a value or serialises a leaf, none
    with a side effect; so a decline anywhere leaves nothing observable behind and
    the object takes graphql-core's path from the start. A decline is anything
    graphql-core would not simply complete: an error, a null where the type
    forbids one, an awaitable, a look-ahead relation that was not loaded.
    """
    results: dict[str, Any] = {}
    for response_name, plan, subtree in tree.fields:
        if plan is None:
            # What TypeNameMetaFieldDef resolves to; String! keeps it as is.
            results[response_name] = tree.type_name
            continue
        try:
            value: Any = plan.read(source, plan.python_name)
        except Exception:  # graphql-core reports it when it reads the field again
            return _DECLINED
        shape = plan.shape
        if shape is _LEAF:
            value_type = type(value)
            if value_type is plan.unchanged and (
                value_type is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
            ):
                results[response_name] = value
                continue
            if value_type is plan.enum_class:
                name = plan.enum_names.get(value)
                if name is not None:
                    results[response_name] = name
                    continue
            completed = _complete_leaf(plan, value, is_awaitable)
        else:
            if value is None or value is Undefined:
                if plan.preloaded or not plan.nullable:
                    return _DECLINED
                results[response_name] = None
                continue
            if shape is _OBJECT:
                assert subtree is not None
                # _remembered, inline: most objects of a request are of a few classes.
                has_dict = plan.accepted.get(type(value))
                if (
                    has_dict is None
                    or (has_dict and not value.__dict__.keys().isdisjoint(_INSTANCE_OVERRIDES))
                ) and not _accepts_object(plan, value, is_awaitable):
                    return _DECLINED
                if subtree.leaves_only:
                    # _complete_tree for leaves only, inline: two of them per variant.
                    leaves: dict[str, Any] = {}
                    for leaf_name, leaf_plan, _none in subtree.fields:
                        if leaf_plan is None:
                            leaves[leaf_name] = subtree.type_name
                            continue
                        try:
                            leaf: Any = leaf_plan.read(value, leaf_plan.python_name)
                        except Exception:  # graphql-core reports it when it reads it again
                            return _DECLINED
                        leaf_type = type(leaf)
                        if leaf_type is leaf_plan.unchanged and (
                            leaf_type is not int or GRAPHQL_MIN_INT <= leaf <= GRAPHQL_MAX_INT
                        ):
                            leaves[leaf_name] = leaf
                            continue
                        if leaf_type is leaf_plan.enum_class:
                            name = leaf_plan.enum_names.get(leaf)
                            if name is not None:
                                leaves[leaf_name] = name
                                continue
                        leaf = _complete_leaf(leaf_plan, leaf, is_awaitable)
                        if leaf is _DECLINED:
                            return _DECLINED
                        leaves[leaf_name] = leaf
                    results[response_name] = leaves
                    continue
                completed = _complete_tree(subtree, value, is_awaitable)
            elif shape is _OBJECT_LIST:
                assert subtree is not None
                completed = _complete_tree_list(plan, subtree, value, is_awaitable)
            else:
                completed = _complete_leaf_list(plan, value, is_awaitable)
        if completed is _DECLINED:
            return _DECLINED
        results[response_name] = completed
    return results


def _complete_tree_list(
    plan: _FieldPlan, tree: _Tree, value: Any, is_awaitable: Callable[[Any], bool]
) -> Any:
    """A list of objects over a pure tree, or _DECLINED (see ``_complete_tree``)."""
    # Exact types: a subclass could be an async iterable, or refuse iteration.
    if type(value) not in _LIST_TYPES:
        return _DECLINED
    item_nullable = plan.item_nullable
    accepted = plan.accepted
    completed: list[Any] = []
    append = completed.append
    for item in value:
        if item is None or item is Undefined:
            if not item_nullable:
                return _DECLINED
            append(None)
            continue
        # _remembered, inline.
        has_dict = accepted.get(type(item))
        if (
            has_dict is None
            or (has_dict and not item.__dict__.keys().isdisjoint(_INSTANCE_OVERRIDES))
        ) and not _accepts_object(plan, item, is_awaitable):
            return _DECLINED
        completed_item = _complete_tree(tree, item, is_awaitable)
        if completed_item is _DECLINED:
            return _DECLINED
        append(completed_item)
    return completed


async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    # graphql-core's execute_fields.get_results.
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


async def _gather_items(completed_results: list[Any], awaitable_indices: list[int]) -> list[Any]:
    # graphql-core's complete_iterable_value.get_completed_results.
    if len(awaitable_indices) == 1:
        # graphql-core avoids the overhead of parallelisation for a single one.
        index = awaitable_indices[0]
        completed_results[index] = await completed_results[index]
    else:
        awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
        for index, item in zip(awaitable_indices, awaited, strict=True):
            completed_results[index] = item
    return completed_results
