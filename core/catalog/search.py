"""Full-text search over product names, SKUs and descriptions.

PostgreSQL: a weighted ``tsvector`` column with a GIN index, ranked by ``ts_rank``.
SQLite: an FTS5 table ranked by ``bm25``. Both match every term as a prefix, so
"jack" finds "jacket" and "SKU-12" finds "SKU-12-3". User text never reaches the
query syntax: it is reduced to letter-and-digit terms first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, func, literal_column, table

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 8
MAX_TERM_LENGTH = 64


def search_terms(text: str) -> list[str]:
    """The lower-cased letter-and-digit terms of ``text`` (at most ``MAX_TERMS``)."""
    terms = [term.lower()[:MAX_TERM_LENGTH] for term in _TERM.findall(text)]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class SearchClause:
    """What a listing joins, filters on and ranks by for one search."""

    source: FromClause
    join_on: ColumnElement[bool]
    condition: ColumnElement[bool]
    rank: ColumnElement[Any]


def search_query(dialect: str, terms: list[str]) -> str:
    """The engine's query text for ``terms`` (from ``search_terms``): all, as prefixes."""
    if dialect == "postgresql":
        return " & ".join(f"{term}:*" for term in terms)
    return " AND ".join(f'"{term}"*' for term in terms)


def search_clause(
    dialect: str, product_id: ColumnElement[Any], query: ColumnElement[str]
) -> SearchClause:
    """Join, condition and rank for a search whose ``search_query`` text is ``query``."""
    if dialect == "postgresql":
        search = table("product_search")
        document: ColumnElement[Any] = literal_column("product_search.document")
        tsquery = func.to_tsquery("simple", query)
        return SearchClause(
            source=search,
            join_on=literal_column("product_search.product_id") == product_id,
            condition=document.op("@@")(tsquery),
            rank=func.ts_rank(document, tsquery),
        )
    fts = table("product_search_fts")
    return SearchClause(
        source=fts,
        join_on=literal_column("product_search_fts.rowid") == product_id,
        condition=literal_column("product_search_fts").op("MATCH")(query),
        # bm25 is lower-is-better; negate it so both engines rank higher-is-better.
        # Weights: name 10, SKUs 10, description 1.
        rank=-func.bm25(literal_column("product_search_fts"), 10.0, 10.0, 1.0),
    )
