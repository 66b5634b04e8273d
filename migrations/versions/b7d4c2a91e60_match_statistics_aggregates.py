"""Match statistics: daily aggregates, live funnel counts, active volunteers per day, and the
moments a sign-up was accepted and a need got its first accepted volunteer

Revision ID: b7d4c2a91e60
Revises: b7c4d2e8f1a0
Create Date: 2026-12-01 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import volunteer.models.types

revision: str = "b7d4c2a91e60"
down_revision: str | None = "b7c4d2e8f1a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEASURES = (
    "profiles",
    "applied",
    "accepted",
    "attended",
    "no_show",
    "places",
    "filled",
    "hour_entries",
    "minutes",
)


def upgrade() -> None:
    op.create_table(
        "funnelday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cut", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("recommended", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "cut", "key"),
    )
    op.create_table(
        "matchday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cut", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in _MEASURES],
        sa.PrimaryKeyConstraint("day", "cut", "key"),
    )
    op.create_table(
        "activeday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district_number", sa.Integer(), nullable=False),
        sa.Column("user_ids", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("day", "district_number"),
    )
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accepted_at", volunteer.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "first_accepted_at",
                volunteer.models.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_opportunity_first_accepted_at"), ["first_accepted_at"], unique=False
        )
    # Sign-ups still accepted were accepted at their last decision; later states lost the moment.
    op.execute(
        "UPDATE signup SET accepted_at = decided_at "
        "WHERE state = 'accepted' AND decided_at IS NOT NULL"
    )
    op.execute(
        "UPDATE opportunity SET first_accepted_at = (SELECT min(signup.accepted_at) FROM signup "
        "JOIN shift ON shift.id = signup.shift_id WHERE shift.opportunity_id = opportunity.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_first_accepted_at"))
        batch_op.drop_column("first_accepted_at")
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
    op.drop_table("activeday")
    op.drop_table("matchday")
    op.drop_table("funnelday")
