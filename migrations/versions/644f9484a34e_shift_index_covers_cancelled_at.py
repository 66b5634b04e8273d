"""Shift index covers cancelled_at (search's date filter reads the index alone)

Revision ID: 644f9484a34e
Revises: 53ec9b630713
Create Date: 2026-11-28 06:36:33.025304
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import volunteer.models.types


revision: str = "644f9484a34e"
down_revision: str | None = "53ec9b630713"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_opportunity_starts"))
        batch_op.create_index(
            "ix_shift_opportunity_starts_cancelled",
            ["opportunity_id", "starts_at", "cancelled_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_opportunity_starts_cancelled")
        batch_op.create_index(
            batch_op.f("ix_shift_opportunity_starts"), ["opportunity_id", "starts_at"], unique=False
        )
