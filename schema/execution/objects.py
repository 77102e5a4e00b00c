"""Whether graphql-core would accept a value as an object of a type, remembered per class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from schema.execution.plans import FieldPlan

# What an instance's own ``__dict__`` may hold that changes whether it is accepted as
# an object: an ``__await__`` (is_awaitable uses hasattr), strawberry's cast marker,
# a strawberry definition of its own (for generic types).
INSTANCE_OVERRIDES: Final = frozenset(
    {"__await__", TYPE_CAST_ATTRIBUTE, "__strawberry_definition__"}
)

# What a class (below ``object``) may define that makes its instances' attribute
# lookup or ``isinstance`` differ from Python's own, or answers those lookups itself.
_CLASS_OVERRIDES: Final = frozenset(
    {"__getattribute__", "__getattr__", "__class__", "__await__", TYPE_CAST_ATTRIBUTE}
)


def accepts_object(plan: FieldPlan, value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether graphql-core would complete ``value`` as the plan's object type.

    Once an instance of a class is accepted, later ones are at the cost of a dict
    lookup (``_remembered``): see ``_plain_class`` and, for when a plan may remember
    classes at all, ``planning._class_decides_acceptance``.
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


def _remembered(plan: FieldPlan, value: Any) -> bool:
    """True when the value's class was accepted and the value overrides nothing itself."""
    has_dict = plan.accepted.get(type(value))
    if has_dict is None:
        return False
    return not has_dict or value.__dict__.keys().isdisjoint(INSTANCE_OVERRIDES)


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
