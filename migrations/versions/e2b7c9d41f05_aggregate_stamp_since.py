"""The aggregates' stamp says which days changed since the stamp before it

Revision ID: e2b7c9d41f05
Revises: d8f3b61c0a47
Create Date: 2026-12-01 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "e2b7c9d41f05"
down_revision: str | None = "d8f3b61c0a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("aggregatestamp", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("previous", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("aggregatestamp", schema=None) as batch_op:
        batch_op.drop_column("since")
        batch_op.drop_column("previous")
