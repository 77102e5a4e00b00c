"""Strawberry's executor, answering a sub-selection of plain attribute fields as one tree.

An object whose sub-selection is plain attribute fields all the way down (a
listing's connection, its edges, products, variants, prices and availability)
is answered as one tree, outside any delivery group and when no ``@defer``
starts in it: no path, no per-field dispatch, one recursive walk
(``trees.complete_tree``). Reading attributes, checking values and serialising
leaves have no side effect, so when anything in the tree declines, the object
takes graphql-core's path from the start and nothing observable happened
before; the tree is then not tried again in that request (its data needs
resolvers).

``FastExecutionContext`` (``executor.py``) builds on this class and also reads
plain fields one by one where a whole tree is not possible.
"""

from __future__ import annotations

from typing import Any, Final, cast

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.pyutils import AwaitableOrValue, Path
from graphql.pyutils.is_awaitable import is_awaitable as default_is_awaitable
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution.planning import plan_field, schema_plans
from schema.execution.plans import (
    DECLINED,
    LEAF,
    LEAF_LIST,
    TYPENAME,
    FieldPlan,
    PlannedField,
    Tree,
)
from schema.execution.shared_trees import shared_trees_of
from schema.execution.trees import complete_tree

# The ``is_awaitable`` functions whose answers the plans may remember per class.
KNOWN_IS_AWAITABLE: Final = (optimized_is_awaitable, default_is_awaitable)


class TreeExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing objects of plain attribute fields as one tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Strawberry turns extensions with a ``resolve`` hook into middleware; they
        # expect to see every field, so with any of them everything runs normally.
        # The plans remember which classes are accepted as objects, as graphql-core's
        # own and strawberry's ``is_awaitable`` decide (strawberry always passes its own).
        self.fast_enabled = (manager is None or not manager.middlewares) and (
            self.is_awaitable in KNOWN_IS_AWAITABLE
        )
        self._plans = schema_plans(self.schema)
        # Per request, by identity: graphql-core memoises the grouped field set of
        # a selection, so the 80 variants of a listing share one entry. The set is
        # kept in the entry so its id cannot be reused while the executor lives.
        self._planned_sets: dict[
            int, tuple[GroupedFieldSet, GraphQLObjectType, tuple[PlannedField, ...]]
        ] = {}
        # Per request, keyed like graphql-core's collect_subfields memo: the tree of
        # an object's sub-selection when it is plain attributes all the way down,
        # else None (also once a value has declined it: its data needs resolvers,
        # so the next values of this request go the field-by-field way at once).
        # The field details list is kept in the entry for the same reason.
        self._trees: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Tree | None]] = {}
        # Across requests of the same parsed operation (the parse cache hands out one
        # document per query text): the trees, when nothing in its document depends
        # on variables (no directive at all). See shared_trees_of.
        self._shared_trees = shared_trees_of(self.schema, self.operation, self.fragment_definitions)

    def planned_field_set(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[PlannedField, ...]:
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

    def pure_tree(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Tree | None:
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
    ) -> Tree | None:
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        fields: list[tuple[str, FieldPlan | None, Tree | None]] = []
        for response_name, details, plan in self.planned_field_set(object_type, grouped_field_set):
            if plan is None:
                return None
            shape = plan.shape
            if shape is TYPENAME:
                fields.append((response_name, None, None))
            elif shape is LEAF or shape is LEAF_LIST:
                fields.append((response_name, plan, None))
            else:
                assert plan.object_type is not None
                subtree = self.pure_tree(plan.object_type, details)
                if subtree is None:
                    return None
                fields.append((response_name, plan, subtree))
        leaves_only = all(subtree is None for _name, _plan, subtree in fields)
        return Tree(object_type.name, tuple(fields), leaves_only)

    def decline_tree(
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
        if self.fast_enabled and position_context is None:
            tree = self.pure_tree(return_type, field_details_list)
            if tree is not None:
                completed = complete_tree(tree, result, self.is_awaitable)
                if completed is not DECLINED:
                    return cast(dict[str, Any], completed)
                self.decline_tree(return_type, field_details_list)
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> FieldPlan | None:
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
            plan = by_name[field_name] = plan_field(self.schema, parent_type, field_name)
            return plan
