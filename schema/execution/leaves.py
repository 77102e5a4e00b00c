"""Completing leaves (scalars and enums, alone or in lists) as graphql-core would, or declining."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphql.pyutils import Undefined
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT

from schema.execution.plans import DECLINED, FieldPlan

# The list types the fast path iterates itself, compared exactly (see below).
LIST_TYPES: Final = (list, tuple)

# Never awaitable and never an Exception: the common leaf values skip both checks.
_NEVER_AWAITABLE: Final = frozenset({str, int, float, bool})


def read_leaf(plan: FieldPlan, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A leaf's completed value, as graphql-core would complete it, or DECLINED."""
    try:
        value = plan.read(source, plan.python_name)
    except Exception:  # graphql-core reports it when it reads the field again
        return DECLINED
    return complete_leaf(plan, value, is_awaitable)


def complete_leaf(plan: FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A leaf value completed as graphql-core would complete it, or DECLINED."""
    value_type = type(value)
    if value_type is plan.unchanged and (
        value_type is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
    ):
        return value
    if value is None or value is Undefined:
        return None if plan.nullable else DECLINED
    enum_names = plan.enum_names
    if value_type is plan.enum_class:
        name = enum_names.get(value)
        if name is not None:
            return name
    if value_type not in _NEVER_AWAITABLE and (is_awaitable(value) or isinstance(value, Exception)):
        return DECLINED
    assert plan.leaf_type is not None
    try:
        coerced = plan.leaf_type.coerce_output_value(value)
    except Exception:  # graphql-core raises it again, located, on its own path
        return DECLINED
    if coerced is None or coerced is Undefined:
        return DECLINED
    if value_type is plan.enum_class and type(coerced) is str:
        enum_names[value] = coerced
    return coerced


def complete_leaf_list(plan: FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """A list of leaves as graphql-core would complete it, or DECLINED."""
    # Exact types: a subclass could be an async iterable, or refuse iteration.
    if type(value) not in LIST_TYPES:
        return DECLINED
    assert plan.leaf_type is not None
    coerce = plan.leaf_type.coerce_output_value
    item_nullable = plan.item_nullable
    completed: list[Any] = []
    append = completed.append
    for item in value:
        if item is None or item is Undefined:
            if not item_nullable:
                return DECLINED
            append(None)
            continue
        if type(item) not in _NEVER_AWAITABLE and (
            is_awaitable(item) or isinstance(item, Exception)
        ):
            return DECLINED
        try:
            coerced = coerce(item)
        except Exception:  # graphql-core raises it again, located, on its own path
            return DECLINED
        if coerced is None or coerced is Undefined:
            return DECLINED
        append(coerced)
    return completed
