"""fulfilments and pickups (issue 14); derived fulfilment statuses; payment capture timing

Adds ``fulfilments`` (+ ``fulfilment_lines``) and ``pickups``; widens ``orders.status``
and its CHECK to the statuses fulfilment derives; adds ``channels.payment_capture``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_OLD_STATUSES = "status IN ('placed', 'confirmed', 'cancelled')"
_NEW_STATUSES = (
    "status IN ('placed', 'confirmed', 'cancelled', 'partially_fulfilled', "
    "'ready_for_pickup', 'fulfilled', 'completed')"
)


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column(
                "payment_capture",
                sa.String(length=16),
                server_default="at_fulfilment",
                nullable=False,
            )
        )
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch.alter_column(
            "status",
            existing_type=sa.String(length=16),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
        batch.create_check_constraint(op.f("ck_orders_status"), _NEW_STATUSES)
    op.create_table(
        "fulfilments",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tracking_carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=128), nullable=True),
        sa.Column("tracking_url", sa.String(length=512), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('shipping', 'pickup')", name=op.f("ck_fulfilments_method")),
        sa.CheckConstraint(
            "status IN ('shipped', 'collected')", name=op.f("ck_fulfilments_status")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_fulfilments_location_id_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_fulfilments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilments")),
    )
    op.create_index(op.f("ix_fulfilments_order_id"), "fulfilments", ["order_id"])
    op.create_index(op.f("ix_fulfilments_location_id"), "fulfilments", ["location_id"])
    op.create_table(
        "fulfilment_lines",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("fulfilment_id", _ID, nullable=False),
        sa.Column("order_line_id", _ID, nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fulfilment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["fulfilment_id"],
            ["fulfilments.id"],
            name=op.f("fk_fulfilment_lines_fulfilment_id_fulfilments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_fulfilment_lines_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment_lines")),
    )
    op.create_index(
        op.f("ix_fulfilment_lines_fulfilment_id"), "fulfilment_lines", ["fulfilment_id"]
    )
    op.create_index(
        op.f("ix_fulfilment_lines_order_line_id"), "fulfilment_lines", ["order_line_id"]
    )
    op.create_table(
        "pickups",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("sealed_code", sa.String(length=64), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fulfilment_id", _ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["fulfilment_id"],
            ["fulfilments.id"],
            name=op.f("fk_pickups_fulfilment_id_fulfilments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_pickups_location_id_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pickups_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickups")),
        sa.UniqueConstraint("order_id", "location_id", name=op.f("uq_pickups_order_id")),
    )
    op.create_index(op.f("ix_pickups_order_id"), "pickups", ["order_id"])
    op.create_index(op.f("ix_pickups_location_id"), "pickups", ["location_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pickups_location_id"), table_name="pickups")
    op.drop_index(op.f("ix_pickups_order_id"), table_name="pickups")
    op.drop_table("pickups")
    op.drop_index(op.f("ix_fulfilment_lines_order_line_id"), table_name="fulfilment_lines")
    op.drop_index(op.f("ix_fulfilment_lines_fulfilment_id"), table_name="fulfilment_lines")
    op.drop_table("fulfilment_lines")
    op.drop_index(op.f("ix_fulfilments_location_id"), table_name="fulfilments")
    op.drop_index(op.f("ix_fulfilments_order_id"), table_name="fulfilments")
    op.drop_table("fulfilments")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch.alter_column(
            "status",
            existing_type=sa.String(length=24),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch.create_check_constraint(op.f("ck_orders_status"), _OLD_STATUSES)
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("payment_capture")
