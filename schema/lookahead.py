"""Read a resolver's selection as dotted paths, so a hot read loads exactly what is asked.

Fragments (named and inline) and aliases are merged: ``edges.node.variants.price``
is present whether it was written directly, through a fragment or under an alias.
Directives are not evaluated; a field under ``@skip`` may be loaded and not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection


def selected_paths(info: Info[Any, Any]) -> frozenset[str]:
    paths: set[str] = set()
    for field in info.selected_fields:
        _walk(field.selections, "", paths)
    return frozenset(paths)


def _walk(selections: Iterable[Selection], prefix: str, paths: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            path = prefix + selection.name
            paths.add(path)
            if selection.selections:
                _walk(selection.selections, path + ".", paths)
        else:
            _walk(selection.selections, prefix, paths)


def under(paths: frozenset[str], prefix: str) -> frozenset[str]:
    """The paths below ``prefix`` with the prefix removed (``edges.node.`` -> node fields)."""
    cut = len(prefix)
    return frozenset(path[cut:] for path in paths if path.startswith(prefix))
