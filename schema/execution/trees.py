"""Completing a whole sub-selection of plain attribute fields in one recursive walk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql.pyutils import Undefined
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT

from schema.execution.leaves import LIST_TYPES, complete_leaf, complete_leaf_list
from schema.execution.objects import INSTANCE_OVERRIDES, accepts_object
from schema.execution.plans import DECLINED, LEAF, OBJECT, OBJECT_LIST, FieldPlan, Tree


def complete_tree(tree: Tree, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """What execute_fields answers for ``source`` over a pure tree, or DECLINED.

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
            return DECLINED
        shape = plan.shape
        if shape is LEAF:
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
            completed = complete_leaf(plan, value, is_awaitable)
        else:
            if value is None or value is Undefined:
                if plan.preloaded or not plan.nullable:
                    return DECLINED
                results[response_name] = None
                continue
            if shape is OBJECT:
                assert subtree is not None
                # objects._remembered, inline: most objects of a request are of a few classes.
                has_dict = plan.accepted.get(type(value))
                if (
                    has_dict is None
                    or (has_dict and not value.__dict__.keys().isdisjoint(INSTANCE_OVERRIDES))
                ) and not accepts_object(plan, value, is_awaitable):
                    return DECLINED
                if subtree.leaves_only:
                    # complete_tree for leaves only, inline: two of them per variant.
                    leaves: dict[str, Any] = {}
                    for leaf_name, leaf_plan, _none in subtree.fields:
                        if leaf_plan is None:
                            leaves[leaf_name] = subtree.type_name
                            continue
                        try:
                            leaf: Any = leaf_plan.read(value, leaf_plan.python_name)
                        except Exception:  # graphql-core reports it when it reads it again
                            return DECLINED
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
                        leaf = complete_leaf(leaf_plan, leaf, is_awaitable)
                        if leaf is DECLINED:
                            return DECLINED
                        leaves[leaf_name] = leaf
                    results[response_name] = leaves
                    continue
                completed = complete_tree(subtree, value, is_awaitable)
            elif shape is OBJECT_LIST:
                assert subtree is not None
                completed = complete_tree_list(plan, subtree, value, is_awaitable)
            else:
                completed = complete_leaf_list(plan, value, is_awaitable)
        if completed is DECLINED:
            return DECLINED
        results[response_name] = completed
    return results


def complete_tree_list(
    plan: FieldPlan, tree: Tree, value: Any, is_awaitable: Callable[[Any], bool]
) -> Any:
    """A list of objects over a pure tree, or DECLINED (see ``complete_tree``)."""
    # Exact types: a subclass could be an async iterable, or refuse iteration.
    if type(value) not in LIST_TYPES:
        return DECLINED
    item_nullable = plan.item_nullable
    accepted = plan.accepted
    completed: list[Any] = []
    append = completed.append
    for item in value:
        if item is None or item is Undefined:
            if not item_nullable:
                return DECLINED
            append(None)
            continue
        # objects._remembered, inline.
        has_dict = accepted.get(type(item))
        if (
            has_dict is None
            or (has_dict and not item.__dict__.keys().isdisjoint(INSTANCE_OVERRIDES))
        ) and not accepts_object(plan, item, is_awaitable):
            return DECLINED
        completed_item = complete_tree(tree, item, is_awaitable)
        if completed_item is DECLINED:
            return DECLINED
        append(completed_item)
    return completed
