"""The open-data export as last computed by the scheduler

Revision ID: c4e8a1d2f7b3
Revises: b7d4c2a91e60
Create Date: 2026-12-01 16:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import volunteer.models.types


revision: str = 'c4e8a1d2f7b3'
down_revision: str | None = 'b7d4c2a91e60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('opendatasnapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', volunteer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('opendatasnapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opendatasnapshot_computed_at'), ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('opendatasnapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opendatasnapshot_computed_at'))
    op.drop_table('opendatasnapshot')
