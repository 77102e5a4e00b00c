"""marketplace orders (issue 15: marketplaceOrderImport)

Adds ``orders.external_id`` (the marketplace's own order id, unique per channel) and
``orders.external_placed_at`` (when the shopper placed it there); both NULL for the
orders placed here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("external_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("external_placed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(
            "uq_orders_channel_external_id", ["channel_id", "external_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("uq_orders_channel_external_id", type_="unique")
        batch.drop_column("external_placed_at")
        batch.drop_column("external_id")
