"""A change's write steps, run by one executor: one after another, or as one statement.

Every write step of a change (touch a cart, write a line, claim an idempotency key,
take stock, grow or insert a reservation, extend holds, append outbox rows) is one
SQLAlchemy Core statement builder, a ``Step``. A step's statement may use what an
earlier step of the same change returned, through ``Refs``:

- ``refs.value(step, column)``: a column of the earlier step's first returned row;
- ``refs.happened(step)``: whether the earlier step returned a row (its guard held).

A ``Chain`` of steps runs two ways, from the same builders:

- one after another (SQLite, and any connection inside a transaction): each statement
  is built once with bind parameters standing for the earlier steps' answers
  (``<step>__<column>``, ``<step>__happened``), which the executor fills in;
- as one statement (PostgreSQL): each step becomes a data-modifying ``WITH`` item
  (``insert/update(...).returning(...).cte()``), the references become subqueries
  of the earlier items, and the main ``SELECT`` gives each step's row count and first
  row. PostgreSQL runs every data-modifying item exactly once, on one snapshot; an
  item that reads an earlier one (through ``happened`` or ``value``) runs after it.

A ``required`` step is a guard ("nothing changed since I read it"): when it returns
no row the whole change writes nothing. One after another, the executor raises
``GuardFailed`` and the caller's transaction rolls back. As one statement, the main
``SELECT`` ends in ``omnicart_require(<every guard held>, ...)`` (migration 0006),
which raises SQLSTATE 40001, so the statement writes nothing; the executor raises
``GuardFailed`` for that too.

Both forms are built once per chain shape and cached by the runtime's
``StatementDriver``: a call binds values only.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from sqlalchemy import (
    CTE,
    Boolean,
    ColumnElement,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

# What a failed guard says in PostgreSQL's log (omnicart_require's message).
GUARD_MESSAGE: Final = "the rows a change read were changed before it wrote"


class GuardFailed(Exception):
    """A required step returned no row: something changed since the change read it.
    Nothing was written (as one statement), or the transaction must roll back."""

    def __init__(self, step: str) -> None:
        super().__init__(f"the guard of step {step!r} did not hold")
        self.step = step


class Refs(Protocol):
    """What a step's builder may use of the steps before it."""

    def value(self, step: str, column: str, type_: TypeEngine[Any]) -> ColumnElement[Any]:
        """A column of ``step``'s first returned row (NULL when it returned none)."""
        ...

    def happened(self, step: str) -> ColumnElement[bool]:
        """Whether ``step`` returned a row."""
        ...

    def rows(self, step: str) -> FromClause:
        """All of ``step``'s returned rows: as one statement only (PostgreSQL)."""
        ...


Statement = UpdateBase | Select[Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One write step: its name in the chain, its builder, and whether it is a guard.

    ``build`` returns a DML statement with ``RETURNING`` (or a ``SELECT``), using bind
    parameters for the change's values and ``Refs`` for earlier steps' answers.
    ``key`` names the builder's shape, for caching (the name by default)."""

    name: str
    build: Callable[[Refs], Statement]
    required: bool = False
    key: str = ""
    # Run one after another, the step is skipped when this earlier step returned a row
    # (its WHERE says so too, so skipping it changes nothing but a round trip).
    skip_after: str | None = None
    # Whether a caller reads the step's first row (as one statement, only these steps'
    # columns come back; every step's row count does).
    returns: bool = False


@dataclass(frozen=True, slots=True)
class StepRows:
    """What a step returned: how many rows, and the first one (None for none), whose
    columns are attributes (``first.id``)."""

    count: int
    first: Any

    @property
    def happened(self) -> bool:
        return self.count > 0


class ChainResult(dict[str, StepRows]):
    """Each step's ``StepRows``, by step name."""


class _Sequential:
    def value(self, step: str, column: str, type_: TypeEngine[Any]) -> ColumnElement[Any]:
        return bindparam(f"{step}__{column}", type_=type_)

    def happened(self, step: str) -> ColumnElement[bool]:
        return bindparam(f"{step}__happened", type_=Boolean())

    def rows(self, step: str) -> FromClause:
        raise TypeError(f"step {step!r}'s rows are only readable in a chained statement")


class _Chained:
    def __init__(self) -> None:
        self.items: dict[str, CTE] = {}

    def value(self, step: str, column: str, type_: TypeEngine[Any]) -> ColumnElement[Any]:
        return select(self.items[step].c[column]).limit(literal_column("1")).scalar_subquery()

    def happened(self, step: str) -> ColumnElement[bool]:
        return exists(select(literal_column("1")).select_from(self.items[step]))

    def rows(self, step: str) -> FromClause:
        return self.items[step]


@dataclass(frozen=True, slots=True)
class Chain:
    """The steps of a change, in order."""

    steps: tuple[Step, ...]
    # What the statements are cached by: each step's key and whether it is required.
    shape: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        shape = tuple(
            f"{step.key or step.name}{'!' if step.required else ''}" for step in self.steps
        )
        object.__setattr__(self, "shape", shape)

    def sequential(self) -> list[Statement]:
        """Each step's statement, for running one after another."""
        refs = _Sequential()
        return [step.build(refs) for step in self.steps]

    def chained(self) -> Select[Any]:
        """The steps as one statement: each a ``WITH`` item; the main query answers
        ``<step>__count`` and ``<step>__<column>`` (first row) for every step, after
        ``done``, the guards' check."""
        refs = _Chained()
        columns: list[ColumnElement[Any]] = []
        for step in self.steps:
            statement = step.build(refs)
            item = statement.cte(step.name)
            refs.items[step.name] = item
            columns.append(
                select(func.count())
                .select_from(item)
                .scalar_subquery()
                .label(f"{step.name}__count")
            )
            if step.returns:
                columns.extend(
                    select(column)
                    .select_from(item)
                    .limit(literal_column("1"))
                    .scalar_subquery()
                    .label(f"{step.name}__{column.key}")
                    for column in item.c
                )
        guards = [refs.happened(step.name) for step in self.steps if step.required]
        done: ColumnElement[Any] = (
            func.omnicart_require(and_(*guards), literal(GUARD_MESSAGE)) if guards else true()
        )
        return select(done.label("done"), *columns)


def answers(step: str, rows: Sequence[Any]) -> dict[str, Any]:
    """The bind values a sequential run gives later steps for ``step``'s ``rows``."""
    first = rows[0]._asdict() if rows else {}
    values: dict[str, Any] = {f"{step}__{key}": value for key, value in first.items()}
    values[f"{step}__happened"] = bool(rows)
    return values


def rows_of(step: str, rows: Sequence[Any]) -> StepRows:
    return StepRows(len(rows), rows[0] if rows else None)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each step's answers stand in the chained statement's row: worked out once
    per chain shape (``layout_of``), so a request only indexes its row."""

    steps: tuple[tuple[str, int, Any, tuple[int, ...]], ...]

    def split(self, row: Sequence[Any]) -> ChainResult:
        """The chained statement's one row, as each step's ``StepRows``."""
        result = ChainResult()
        for name, count_at, first_row, positions in self.steps:
            count = int(row[count_at])
            first = first_row(*[row[at] for at in positions]) if count and positions else None
            result[name] = StepRows(count, first)
        return result


def layout_of(chain: Chain, keys: Sequence[str]) -> Layout:
    """The ``Layout`` of ``chain.chained()``, whose result columns are ``keys``."""
    steps = []
    for step in chain.steps:
        prefix, count_key = f"{step.name}__", f"{step.name}__count"
        columns = [
            (key[len(prefix) :], at)
            for at, key in enumerate(keys)
            if key.startswith(prefix) and key != count_key
        ]
        first_row = namedtuple(step.name, [name for name, _ in columns], rename=True)  # type: ignore[misc]
        steps.append((step.name, keys.index(count_key), first_row, tuple(at for _, at in columns)))
    return Layout(tuple(steps))


Fetch = Callable[[Statement, Mapping[str, Any]], Awaitable[Sequence[Any]]]


async def run_sequential(
    fetch: Fetch, chain: Chain, statements: Sequence[Statement], parameters: Mapping[str, Any]
) -> ChainResult:
    """Run ``statements`` (``chain.sequential()``) one after another with ``fetch``;
    ``GuardFailed`` at the first required step that returns no row."""
    values = dict(parameters)
    result = ChainResult()
    for step, statement in zip(chain.steps, statements, strict=True):
        skip = step.skip_after is not None and values[f"{step.skip_after}__happened"]
        rows = [] if skip else await fetch(statement, values)
        if step.required and not rows:
            raise GuardFailed(step.name)
        values.update(answers(step.name, rows))
        result[step.name] = rows_of(step.name, rows)
    return result
