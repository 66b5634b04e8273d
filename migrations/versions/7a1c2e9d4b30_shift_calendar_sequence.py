"""Shift calendar sequence (raised when a shift's time or place changes or it is cancelled)

Revision ID: 7a1c2e9d4b30
Revises: 7e964e2b295f
Create Date: 2026-12-01 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "7a1c2e9d4b30"
down_revision: str | None = "7e964e2b295f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("sequence")
