"""Trees shared by the requests of one parsed operation when none of it depends on variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphql import GraphQLSchema
from graphql.language import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from schema.execution.plans import Tree

_SHARED_TREES_ATTRIBUTE: Final = "_omnicart_fast_shared_trees"
# Operations whose trees a schema keeps; more are dropped all at once (a client
# sending endless distinct documents must not grow memory).
_SHARED_OPERATIONS: Final = 512
SharedTrees = dict[tuple[Any, ...], Tree | None]


def shared_trees_of(
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
