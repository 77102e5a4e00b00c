"""inventory: stock levels, reservations, stock movements, channel stock display

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN (no CHECK): on SQLite a constraint would make batch mode rebuild
    # the channels table, and dropping it would cascade into every table referencing it.
    op.add_column(
        "channels",
        sa.Column("stock_display", sa.String(length=16), server_default="exact", nullable=False),
    )
    op.add_column(
        "channels",
        sa.Column("low_stock_threshold", sa.Integer(), server_default="5", nullable=False),
    )

    op.create_table(
        "stock_levels",
        sa.Column("variant_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.CheckConstraint(
            "reserved <= on_hand", name=op.f("ck_stock_levels_reserved_within_on_hand")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_stock_levels_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_stock_levels_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "location_id", name=op.f("pk_stock_levels")),
    )
    op.create_index(
        op.f("ix_stock_levels_location_id"), "stock_levels", ["location_id"], unique=False
    )

    op.create_table(
        "reservations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("variant_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservations_quantity_positive")),
        sa.CheckConstraint(
            "owner_kind IN ('cart', 'order')", name=op.f("ck_reservations_owner_kind")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_reservations_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_reservations_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(
        "ix_reservations_stock_expiry",
        "reservations",
        ["variant_id", "location_id", "expires_at"],
        unique=False,
    )
    op.create_index("ix_reservations_expires_at", "reservations", ["expires_at"], unique=False)
    op.create_index(
        "ix_reservations_owner",
        "reservations",
        ["owner_kind", "owner_id", "variant_id"],
        unique=False,
    )

    op.create_table(
        "stock_movements",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("variant_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("on_hand_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_stock_movements_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_stock_movements_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(
        "ix_stock_movements_variant_location",
        "stock_movements",
        ["variant_id", "location_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_stock_movements_location_id", "stock_movements", ["location_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_stock_movements_created_at"), "stock_movements", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_movements_created_at"), table_name="stock_movements")
    op.drop_index("ix_stock_movements_location_id", table_name="stock_movements")
    op.drop_index("ix_stock_movements_variant_location", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_reservations_owner", table_name="reservations")
    op.drop_index("ix_reservations_expires_at", table_name="reservations")
    op.drop_index("ix_reservations_stock_expiry", table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(op.f("ix_stock_levels_location_id"), table_name="stock_levels")
    op.drop_table("stock_levels")
    # Native ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding the
    # channels table on SQLite would drop it, cascading into every table referencing it.
    op.drop_column("channels", "low_stock_threshold")
    op.drop_column("channels", "stock_display")
