"""product feeds (issue 15 point 2): feed keys per channel, a product change counter

Adds ``channel_feed_keys`` (one SHA-256 digest of a channel's feed key) and
``products.version`` (0 for every existing product), which every catalog change to a
product, its variants, listings or prices increments with ``updated_at``: the feeds'
ETag reads it, as a frozen or coarse clock can leave ``updated_at`` unchanged.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger(), server_default="0", nullable=False))
    op.create_table(
        "channel_feed_keys",
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_channel_feed_keys_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channel_feed_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_channel_feed_keys_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("channel_feed_keys")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("version")
