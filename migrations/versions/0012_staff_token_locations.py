"""staff token locations: the locations a location-scoped staff token acts for

A token with rows here sees and acts on only those locations' work (issue 14); a
token without any acts for every location, as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_token_locations",
        sa.Column("token_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["staff_tokens.id"],
            name=op.f("fk_staff_token_locations_token_id_staff_tokens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_staff_token_locations_location_id_locations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("token_id", "location_id", name=op.f("pk_staff_token_locations")),
    )
    op.create_index(
        op.f("ix_staff_token_locations_location_id"),
        "staff_token_locations",
        ["location_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_staff_token_locations_location_id"), table_name="staff_token_locations"
    )
    op.drop_table("staff_token_locations")
