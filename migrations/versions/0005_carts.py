"""carts: carts, cart lines, idempotent cart requests, instance keys, channel cart policy

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0002 (no batch rebuild of the channels table on SQLite).
    op.add_column(
        "channels",
        sa.Column("reservation_ttl_seconds", sa.Integer(), server_default="900", nullable=False),
    )
    op.add_column(
        "channels",
        sa.Column("cart_ttl_seconds", sa.Integer(), server_default="2592000", nullable=False),
    )
    op.add_column(
        "channels",
        sa.Column("cart_merge_policy", sa.String(length=16), server_default="sum", nullable=False),
    )

    op.create_table(
        "instance_keys",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_keys")),
    )

    op.create_table(
        "carts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", _ID, nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("holds_until", _WHEN, nullable=True),
        sa.Column("sealed_token", sa.String(length=128), nullable=True),
        sa.CheckConstraint("status IN ('active', 'merged')", name=op.f("ck_carts_status")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_carts_version_not_negative")),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_carts_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_carts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["carts.id"],
            name=op.f("fk_carts_merged_into_id_carts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_carts_token_digest")),
    )
    op.create_index(
        "ix_carts_customer_channel",
        "carts",
        ["customer_id", "channel_id", "status", "updated_at"],
        unique=False,
    )
    op.create_index("ix_carts_expires_at", "carts", ["expires_at"], unique=False)

    op.create_table(
        "cart_lines",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("cart_id", _ID, nullable=False),
        sa.Column("variant_id", _ID, nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["carts.id"],
            name=op.f("fk_cart_lines_cart_id_carts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_cart_lines_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_lines")),
        sa.UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
    )
    op.create_index(op.f("ix_cart_lines_variant_id"), "cart_lines", ["variant_id"], unique=False)

    op.create_table(
        "cart_requests",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("cart_id", _ID, nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("cart_version", sa.BigInteger(), nullable=False),
        sa.Column("sealed_token", sa.String(length=128), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["carts.id"],
            name=op.f("fk_cart_requests_cart_id_carts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_requests")),
        sa.UniqueConstraint("key_digest", name=op.f("uq_cart_requests_key_digest")),
    )
    op.create_index(op.f("ix_cart_requests_cart_id"), "cart_requests", ["cart_id"], unique=False)
    op.create_index(
        "ix_cart_requests_created_at", "cart_requests", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_cart_requests_created_at", table_name="cart_requests")
    op.drop_index(op.f("ix_cart_requests_cart_id"), table_name="cart_requests")
    op.drop_table("cart_requests")
    op.drop_index(op.f("ix_cart_lines_variant_id"), table_name="cart_lines")
    op.drop_table("cart_lines")
    op.drop_index("ix_carts_expires_at", table_name="carts")
    op.drop_index("ix_carts_customer_channel", table_name="carts")
    op.drop_table("carts")
    op.drop_table("instance_keys")
    op.drop_column("channels", "cart_merge_policy")
    op.drop_column("channels", "cart_ttl_seconds")
    op.drop_column("channels", "reservation_ttl_seconds")
