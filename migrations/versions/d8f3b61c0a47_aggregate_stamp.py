"""The aggregates' stamp: the dashboard's in-memory columns are read again when it changes

Revision ID: d8f3b61c0a47
Revises: c4e8a1f27b93
Create Date: 2026-12-01 19:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = 'd8f3b61c0a47'
down_revision: str | None = 'c4e8a1f27b93'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('aggregatestamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('aggregatestamp')
