"""cart and order attributes (issue 15: cartAttributesUpdate, the till's attributes)

Adds ``carts.attributes`` and ``orders.attributes``: the key-value pairs a buyer
attached (a JSON object, NULL for none). Checkout copies a cart's onto its order.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("carts", "orders"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("attributes", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("carts", "orders"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("attributes")
