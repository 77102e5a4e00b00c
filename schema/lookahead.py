"""Read a resolver's selection as dotted paths, so a hot read loads exactly what is asked.

Fragments (named and inline) and aliases are merged: ``edges.node.variants.price``
is present whether it was written directly, through a fragment or under an alias.
Directives are not evaluated; a field under ``@skip`` may be loaded and not shown.

The paths are read off graphql-core's syntax tree of the request's document, and,
since they depend on nothing else (not on variables: directives are not
evaluated), kept per field node: requests of one parsed document (strawberry
caches parsing) share them. Strawberry's ``info.selected_fields`` would build its
own objects for the whole selection on every request (about a tenth of a product
page's CPU).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)
from strawberry.types import Info

# Field nodes of recent documents -> their paths. The entry keeps the nodes, so their
# ids are not reused while it lasts; bounded for documents that are not cached.
_MAX_ENTRIES: Final = 512
_by_nodes: dict[tuple[int, ...], tuple[tuple[FieldNode, ...], frozenset[str]]] = {}


def selected_paths(info: Info[Any, Any]) -> frozenset[str]:
    raw = info._raw_info
    nodes = tuple(raw.field_nodes)
    key = tuple(map(id, nodes))
    found = _by_nodes.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], nodes, strict=True)):
        return found[1]
    paths: set[str] = set()
    for node in nodes:
        if node.selection_set is not None:
            _walk(node.selection_set.selections, "", paths, raw.fragments)
    selected = frozenset(paths)
    if len(_by_nodes) >= _MAX_ENTRIES:
        _by_nodes.clear()
    _by_nodes[key] = (nodes, selected)
    return selected


def _walk(
    selections: Iterable[SelectionNode],
    prefix: str,
    paths: set[str],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> None:
    for selection in selections:
        if isinstance(selection, FieldNode):
            path = prefix + selection.name.value
            paths.add(path)
            if selection.selection_set is not None:
                _walk(selection.selection_set.selections, path + ".", paths, fragments)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set.selections, prefix, paths, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set.selections, prefix, paths, fragments)


def under(paths: frozenset[str], prefix: str) -> frozenset[str]:
    """The paths below ``prefix`` with the prefix removed (``edges.node.`` -> node fields)."""
    cut = len(prefix)
    return frozenset(path[cut:] for path in paths if path.startswith(prefix))
