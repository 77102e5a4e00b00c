"""What the fast executor needs from graphql-core and strawberry, checked at start-up.

The executor subclasses graphql-core's executor (through strawberry's), overrides
and calls methods graphql-core marks private, and recognises functions strawberry
generates by their names (``planning.py``). It mirrors graphql-core 3.3.2's code
and was compared with strawberry's executor on the versions in ``TESTED_VERSIONS``
(pyproject.toml pins the same ranges; a test keeps them equal). A newer release
may change any of that without notice, so ``fast_execution_problems`` answers,
without running a request, whether this installation still is one the executor
was tested with and still has what it touches; the app falls back to strawberry's
own executor when it is not (``schema.app.create_app``). What cannot be seen
without executing (strawberry's generated functions, the executor's instance
attributes, graphql-core's memoisation) is proven by
tests/schema/test_library_contracts.py, which is what to run before raising a pin.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from graphql import MiddlewareManager
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.incremental import IncrementalExecutor
from graphql.pyutils import Path
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

GRAPHQL_CORE: Final = "graphql-core"
STRAWBERRY: Final = "strawberry-graphql"


@dataclass(frozen=True, slots=True)
class VersionRange:
    """The releases of one distribution the executor was tested with."""

    distribution: str
    lowest: tuple[int, ...]
    # The first release not tested: the next minor version.
    below: tuple[int, ...]

    @property
    def specifier(self) -> str:
        """As pyproject.toml writes it: ``>=3.3.2,<3.4``."""
        return f">={_dotted(self.lowest)},<{_dotted(self.below)}"

    def admits(self, version: str) -> bool:
        release = _release(version)
        return release is not None and self.lowest <= release < self.below


TESTED_VERSIONS: Final = (
    VersionRange(GRAPHQL_CORE, lowest=(3, 3, 2), below=(3, 4)),
    VersionRange(STRAWBERRY, lowest=(0, 341, 2), below=(0, 342)),
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """An attribute of a library class the executor uses.

    With ``parameters``, a method and the leading parameters it is called with, in
    order; further parameters must have defaults. An ``overridden`` method is one
    the executor replaces, so graphql-core calls it: its parameters must be exactly
    these.
    """

    distribution: str
    owner: type
    attribute: str
    parameters: tuple[str, ...] | None = None
    overridden: bool = False

    @property
    def name(self) -> str:
        if self.parameters is None:
            return f"{self.owner.__qualname__}.{self.attribute}"
        return f"{self.owner.__qualname__}.{self.attribute}({', '.join(self.parameters)})"

    def is_met(self) -> bool:
        if self.parameters is None:
            # A dataclass field without a default is not an attribute of its class.
            fields = getattr(self.owner, "__dataclass_fields__", {})
            return hasattr(self.owner, self.attribute) or self.attribute in fields
        found = getattr(self.owner, self.attribute, None)
        if found is None:
            return False
        try:
            parameters = list(inspect.signature(found).parameters.values())
        except (TypeError, ValueError):  # not a function any more
            return False
        names = tuple(parameter.name for parameter in parameters)
        if self.overridden:
            return names == self.parameters
        rest = parameters[len(self.parameters) :]
        return names[: len(self.parameters)] == self.parameters and all(
            parameter.default is not inspect.Parameter.empty
            or parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
            for parameter in rest
        )


# The executor's methods are looked up on graphql-core's IncrementalExecutor, which
# strawberry's executor, and so ours, derives from.
REQUIREMENTS: Final = (
    Requirement(
        GRAPHQL_CORE,
        IncrementalExecutor,
        "execute_fields",
        ("self", "parent_type", "source_value", "path", "grouped_field_set", "position_context"),
        overridden=True,
    ),
    Requirement(
        GRAPHQL_CORE,
        IncrementalExecutor,
        "collect_and_execute_subfields",
        ("self", "return_type", "field_details_list", "path", "result", "position_context"),
        overridden=True,
    ),
    Requirement(
        GRAPHQL_CORE,
        IncrementalExecutor,
        "execute_field",
        ("self", "parent_type", "source", "field_details_list", "path", "position_context"),
    ),
    Requirement(
        GRAPHQL_CORE,
        IncrementalExecutor,
        "collect_subfields",
        ("self", "return_type", "field_details_list"),
    ),
    Requirement(
        GRAPHQL_CORE,
        IncrementalExecutor,
        "handle_field_error",
        ("self", "raw_error", "return_type", "field_details_list", "path"),
    ),
    Requirement(GRAPHQL_CORE, IncrementalExecutor, "settle_in_background", ("self", "awaitables")),
    Requirement(GRAPHQL_CORE, FieldDetails, "node"),
    Requirement(GRAPHQL_CORE, FieldDetails, "defer_usage"),
    Requirement(GRAPHQL_CORE, MiddlewareManager, "middlewares"),
    Requirement(GRAPHQL_CORE, Path, "add_key", ("self", "key", "typename")),
    Requirement(STRAWBERRY, GraphQLCoreConverter, "DEFINITION_BACKREF"),
    Requirement(STRAWBERRY, StrawberryField, "default_resolver"),
    Requirement(STRAWBERRY, StrawberryField, "python_name"),
    Requirement(STRAWBERRY, StrawberryField, "is_basic_field"),
    Requirement(STRAWBERRY, StrawberryField, "arguments"),
    Requirement(STRAWBERRY, StrawberryField, "metadata"),
    Requirement(STRAWBERRY, StrawberryObjectDefinition, "origin"),
    Requirement(STRAWBERRY, StrawberryObjectDefinition, "interfaces"),
    Requirement(STRAWBERRY, StrawberryObjectDefinition, "concrete_of"),
)


def installed_versions() -> dict[str, str]:
    """The installed version of each distribution in ``TESTED_VERSIONS``."""
    versions: dict[str, str] = {}
    for tested in TESTED_VERSIONS:
        try:
            versions[tested.distribution] = importlib.metadata.version(tested.distribution)
        except importlib.metadata.PackageNotFoundError:  # imported from a source tree
            continue
    return versions


def fast_execution_problems(versions: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Why the fast executor must not answer in this installation; empty when it may.

    ``versions`` maps distribution names to versions; the installed ones by default
    (tests pass others, as an upgrade would).
    """
    if versions is None:
        versions = installed_versions()
    problems: list[str] = []
    for tested in TESTED_VERSIONS:
        version = versions.get(tested.distribution)
        if version is None or not tested.admits(version):
            problems.append(
                f"{tested.distribution} {version or '(version unknown)'} is not a version the "
                f"fast executor was tested with ({tested.specifier})"
            )
    for requirement in REQUIREMENTS:
        if not requirement.is_met():
            version = versions.get(requirement.distribution, "(version unknown)")
            problems.append(f"{requirement.distribution} {version} has no {requirement.name}")
    return tuple(problems)


def _release(version: str) -> tuple[int, ...] | None:
    """The numeric release of a version string: ``3.3.2`` and ``3.3.2rc1`` give (3, 3, 2)."""
    match = re.match(r"\d+(\.\d+)*", version)
    if match is None:
        return None
    return tuple(int(part) for part in match.group().split("."))


def _dotted(release: tuple[int, ...]) -> str:
    return ".".join(map(str, release))
