"""Counting SQL statements (the ``count_statements`` fixture hands one out)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()
