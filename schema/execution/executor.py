"""The fast executor: plain attribute fields read one by one, without resolve info.

``FastExecutionContext.execute_fields`` reads a field itself when its value can
be completed without any decision that needs the info: a leaf (and
``__typename``), a list of leaves, an object or a list of objects. For each
field it either produces the complete answer without a side effect, or declines
before doing anything observable and lets graphql-core's ``execute_field`` run
the field from the start (reading the attribute a second time, harmless for a
plain attribute). Objects whose sub-selection is plain attributes throughout
are answered as one tree (``tree_execution.py``).

Once a sub-selection has started executing, a field cannot decline any more;
from there on the code mirrors graphql-core 3.3.2's ``execute_fields``,
``execute_field``, ``complete_iterable_value`` and ``complete_list_item_value``
(error handling, settling in the background, gathering).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLObjectType, GraphQLOutputType
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.pyutils import AwaitableOrValue, Path, Undefined

from schema.execution.gathering import gather_fields, gather_items
from schema.execution.leaves import LIST_TYPES, complete_leaf_list, read_leaf
from schema.execution.objects import accepts_object
from schema.execution.plans import (
    DECLINED,
    LEAF,
    LEAF_LIST,
    OBJECT,
    OBJECT_LIST,
    TYPENAME,
    FieldPlan,
)
from schema.execution.tree_execution import TreeExecutionContext
from schema.execution.trees import complete_tree


class FastExecutionContext(TreeExecutionContext):
    """Strawberry's executor, reading plain attribute fields without resolve info."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: DeliveryGroupMap | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if not self.fast_enabled:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        planned_fields = self.planned_field_set(parent_type, grouped_field_set)
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
                    if shape is LEAF:
                        completed = read_leaf(plan, source_value, is_awaitable)
                        if completed is not DECLINED:
                            results[response_name] = completed
                            continue
                    elif shape is TYPENAME:
                        # What TypeNameMetaFieldDef resolves to; String! keeps it as is.
                        results[response_name] = parent_name
                        continue
                field_path = Path(path, response_name, parent_name)
                result: Any = DECLINED
                if plan is not None and plan.shape is not LEAF:
                    result = self._execute_planned(
                        plan, source_value, field_details_list, field_path, position_context
                    )
                if result is DECLINED:
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
        return gather_fields(results, awaitable_fields)

    def _execute_planned(
        self,
        plan: FieldPlan,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        try:
            value = plan.read(source, plan.python_name)
        except Exception:  # graphql-core reports it when it reads the field again
            return DECLINED
        if value is None or value is Undefined:
            if plan.preloaded:
                return DECLINED  # not loaded ahead: the resolver loads it
            return None if plan.nullable else DECLINED
        shape = plan.shape
        if shape is OBJECT:
            return self._complete_object(plan, value, field_details_list, path, position_context)
        if shape is LEAF_LIST:
            return complete_leaf_list(plan, value, self.is_awaitable)
        if shape is OBJECT_LIST:
            return self._complete_object_list(
                plan, value, field_details_list, path, position_context
            )
        return DECLINED

    def _accepts_object(self, plan: FieldPlan, value: Any) -> bool:
        return accepts_object(plan, value, self.is_awaitable)

    def _complete_object(
        self,
        plan: FieldPlan,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        if not self._accepts_object(plan, value):
            return DECLINED
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
        plan: FieldPlan,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> Any:
        # Exact types: a subclass could be an async iterable, or refuse iteration.
        if type(value) not in LIST_TYPES:
            return DECLINED
        item_nullable = plan.item_nullable
        for item in value:
            if item is None or item is Undefined:
                if not item_nullable:
                    return DECLINED
            elif not self._accepts_object(plan, item):
                return DECLINED
        assert plan.object_type is not None and plan.item_type is not None
        object_type = plan.object_type
        item_type = plan.item_type
        is_awaitable = self.is_awaitable
        # The items' own trees are tried here, so each item that declines goes
        # straight to graphql-core's path rather than through this class's.
        collect_and_execute_subfields = super().collect_and_execute_subfields
        tree = (
            self.pure_tree(object_type, field_details_list)
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
                    completed_tree = complete_tree(tree, item, is_awaitable)
                    if completed_tree is not DECLINED:
                        append(completed_tree)
                        continue
                    self.decline_tree(object_type, field_details_list)
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
            gather_items(completed_results, awaitable_indices),
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
