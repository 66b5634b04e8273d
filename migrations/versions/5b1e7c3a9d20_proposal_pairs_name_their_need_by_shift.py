"""Proposal pairs name their need through their shift: no opportunity_id of their own

A pair's need is its shift's need, so the column said again what the shift says, and its foreign
key cost the city-wide proposal one check per stored pair (36,500 pairs at Bochum scale).
The unique key becomes (run, volunteer, shift): the engine proposes a volunteer once per need,
and each pair is dated to one shift of it. Its leading run_id serves what the separate run_id
index served, so that index goes too (one index less to write per pair).

Revision ID: 5b1e7c3a9d20
Revises: f3c6a2d8e1b4
Create Date: 2026-12-02 02:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e7c3a9d20"
down_revision: str | None = "f3c6a2d8e1b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reflects the first migration's constraints without names; batch mode names them so
# that they can be dropped by name (PostgreSQL named them so already).
NAMES = {
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
}


def upgrade() -> None:
    with op.batch_alter_table("proposalpair", naming_convention=NAMES) as batch_op:
        batch_op.drop_constraint("proposalpair_run_id_volunteer_id_opportunity_id_key", "unique")
        batch_op.drop_constraint("proposalpair_opportunity_id_fkey", "foreignkey")
        batch_op.drop_index("ix_proposalpair_run_id")
        batch_op.drop_column("opportunity_id")
        batch_op.create_unique_constraint(
            "proposalpair_run_id_volunteer_id_shift_id_key", ["run_id", "volunteer_id", "shift_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("proposalpair", naming_convention=NAMES) as batch_op:
        batch_op.drop_constraint("proposalpair_run_id_volunteer_id_shift_id_key", "unique")
        batch_op.add_column(sa.Column("opportunity_id", sa.Integer(), nullable=True))
    # Each pair's need is its shift's, as before the column went.
    op.execute(
        "UPDATE proposalpair SET opportunity_id = "
        "(SELECT shift.opportunity_id FROM shift WHERE shift.id = proposalpair.shift_id)"
    )
    with op.batch_alter_table("proposalpair", naming_convention=NAMES) as batch_op:
        batch_op.alter_column("opportunity_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "proposalpair_opportunity_id_fkey", "opportunity", ["opportunity_id"], ["id"]
        )
        batch_op.create_index("ix_proposalpair_run_id", ["run_id"], unique=False)
        batch_op.create_unique_constraint(
            "proposalpair_run_id_volunteer_id_opportunity_id_key",
            ["run_id", "volunteer_id", "opportunity_id"],
        )
