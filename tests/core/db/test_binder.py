"""The driver's Binder gives the arguments SQLAlchemy's construct_params would."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.sql.compiler import SQLCompiler

from core.catalog.tables import VariantRow
from core.db import table_of
from core.db.driver import Binder

variants = table_of(VariantRow)
STATEMENT = select(variants.c.id, func.coalesce(variants.c.position, 7).label("position")).where(
    variants.c.product_id == bindparam("product_id", type_=BigInteger()),
    variants.c.sku != bindparam("sku", value="none"),
)


def compiled(statement: Any) -> SQLCompiler:
    dialect = asyncpg.dialect()  # type: ignore[no-untyped-call]
    return cast(SQLCompiler, statement.compile(dialect=dialect))


def expected(sql: SQLCompiler, parameters: dict[str, Any]) -> list[Any]:
    values = sql.construct_params(parameters)
    return [values[name] for name in sql.positiontup or ()]


@pytest.mark.parametrize(
    "parameters", [{"product_id": 3}, {"product_id": 3, "sku": "SKU-1"}], ids=["default", "given"]
)
def test_arguments_are_construct_params_in_position_order(parameters: dict[str, Any]) -> None:
    sql = compiled(STATEMENT)

    assert Binder(sql).arguments(parameters) == expected(sql, parameters)


def test_a_missing_required_value_is_refused() -> None:
    with pytest.raises(KeyError, match="product_id"):
        Binder(compiled(STATEMENT)).arguments({"sku": "SKU-1"})


def test_a_statement_with_expanding_binds_falls_back_to_construct_params() -> None:
    sql = compiled(select(variants.c.id).where(variants.c.id.in_(bindparam("ids", expanding=True))))
    binder = Binder(sql)

    assert binder.arguments({"ids": [1, 2]}) == expected(sql, {"ids": [1, 2]})
