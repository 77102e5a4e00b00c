"""cart addresses: the shipping and billing address of a cart (issue 13)

Two nullable JSON columns on ``carts`` holding a ``core.carts.addresses.MailingAddress``
as validated (``MailingAddress.to_json``); null when not given. Plain ADD COLUMN, as
in 0002 and 0005 (no batch rebuild of the carts table on SQLite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("carts", sa.Column("shipping_address", sa.JSON(), nullable=True))
    op.add_column("carts", sa.Column("billing_address", sa.JSON(), nullable=True))


def downgrade() -> None:
    # DROP COLUMN: SQLite 3.35 and later drop a column without a table rebuild.
    op.drop_column("carts", "billing_address")
    op.drop_column("carts", "shipping_address")
