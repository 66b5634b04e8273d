"""The gap map as last computed by the scheduler

Revision ID: b7c4d2e8f1a0
Revises: a3e15b23912e
Create Date: 2026-12-01 13:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import volunteer.models.types


revision: str = 'b7c4d2e8f1a0'
down_revision: str | None = 'a3e15b23912e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gapreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', volunteer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gapreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gapreport_computed_at'), ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gapreport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gapreport_computed_at'))
    op.drop_table('gapreport')
