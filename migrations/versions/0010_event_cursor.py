"""event cursors: where the omnicart_event hook delivery stands, per plugin; dead events

Adds the event's type (its class name) to the outbox, since plugins tell events of
one topic apart by it; ``event_cursors``, one row per plugin implementing the hook
(``core.event_hooks.cursors``); and ``dead_events``, the events a plugin kept failing
on and was passed over.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(
            sa.Column("event_type", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_table(
        "event_cursors",
        sa.Column("plugin", sa.String(length=128), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("through_id", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plugin", name=op.f("pk_event_cursors")),
    )
    op.create_table(
        "dead_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("plugin", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_events")),
    )
    op.create_index("ix_dead_events_plugin", "dead_events", ["plugin"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dead_events_plugin", table_name="dead_events")
    op.drop_table("dead_events")
    op.drop_table("event_cursors")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("event_type")
