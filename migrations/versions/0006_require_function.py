"""omnicart_require: fail a statement as a whole when a guard of a one-statement change fails

A change made in one statement (``core.carts.at_once``: a cart add on PostgreSQL)
guards each write by what was read before it, and ends with
``omnicart_require(<every guard held>, <what changed>)``: when one did not hold, the
function raises SQLSTATE 40001 (serialization_failure, "retry"), so the statement's
implicit transaction rolls back and writes nothing. SQLite takes no one-statement
path and needs nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
CREATE OR REPLACE FUNCTION omnicart_require(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
            MESSAGE = 'omnicart: ' || what;
    END IF;
    RETURN true;
END
$$
"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS omnicart_require(boolean, text)")
