"""cart delivery: the shopper's delivery selection on carts (issue 13)

``carts.delivery_selection`` is a JSON object ``{delivery group id: option handle}``,
NULL when nothing was chosen (``core.delivery.groups``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
# The addresses migration (0007) comes between at merge; the chain is fixed then.
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0002 and 0005 (no batch rebuild of carts on SQLite).
    op.add_column("carts", sa.Column("delivery_selection", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("carts") as batch:
        batch.drop_column("delivery_selection")
