"""Validate a channel's JSON settings for a plugin against the plugin's dataclass."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

from core.errors import DomainError, ErrorCode, Problem

_SCALARS: tuple[type, ...] = (bool, int, float, str)


def validate_settings(plugin: str, settings_class: type | None, raw: Mapping[str, Any]) -> object:
    """Build ``settings_class(**raw)`` after checking every key and type.

    Raises ``DomainError`` (``INVALID_PLUGIN_SETTINGS``) naming each bad key.
    """
    if settings_class is None:
        return dict(raw)
    if not dataclasses.is_dataclass(settings_class):
        raise TypeError(f"{plugin}.settings_class must be a dataclass")
    hints, known = _schema_of(settings_class)
    problems: list[Problem] = []
    for key in raw:
        if key not in known:
            problems.append(_problem(plugin, key, f"{plugin} has no setting {key!r}"))
    for name, field in known.items():
        if name not in raw:
            no_default = (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            )
            if no_default:
                problems.append(_problem(plugin, name, f"{plugin} needs the setting {name!r}"))
            continue
        if not _matches(raw[name], hints[name]):
            problems.append(
                _problem(
                    plugin, name, f"{plugin} setting {name!r} must be {_describe(hints[name])}"
                )
            )
    if problems:
        raise DomainError(problems)
    try:
        return settings_class(**raw)
    except (TypeError, ValueError) as error:
        # The dataclass's own __post_init__ checks (ranges and the like).
        raise DomainError([_problem(plugin, None, f"{plugin} settings: {error}")]) from None


@functools.cache
def _schema_of(settings_class: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    # A pure function of the (installed, so bounded) class; settings are checked on
    # every hook call of a request, and resolving type hints is most of that cost.
    hints = typing.get_type_hints(settings_class)
    return hints, {field.name: field for field in dataclasses.fields(settings_class)}


def _problem(plugin: str, key: str | None, message: str) -> Problem:
    path = f"plugins.{plugin}.settings" + (f".{key}" if key else "")
    return Problem(ErrorCode.INVALID_PLUGIN_SETTINGS, message, path)


def _matches(value: object, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin in (list, tuple, typing.Sequence, frozenset):
        (item,) = typing.get_args(hint)[:1] or (Any,)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin in (dict, typing.Mapping):
        return isinstance(value, dict)
    if hint is Any:
        return True
    return isinstance(hint, type) and isinstance(value, hint)


def _describe(hint: Any) -> str:
    if isinstance(hint, type) and hint in _SCALARS:
        return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}[hint]
    return str(hint).replace("typing.", "")
