"""Drop the weekly aggregates (MatchWeek, FunnelWeek): the statistics page keeps the days in
memory as running totals (services/coordination/match_columns.py) and no longer reads weeks,
so keeping them cost every refresh and every display-count write for nothing

Revision ID: f3c6a2d8e1b4
Revises: e2b7c9d41f05
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "f3c6a2d8e1b4"
down_revision: str | None = "e2b7c9d41f05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEASURES = [
    "profiles",
    "applied",
    "accepted",
    "attended",
    "no_show",
    "places",
    "filled",
    "hour_entries",
    "minutes",
]


def upgrade() -> None:
    op.drop_index("ix_funnelweek_cut_week", table_name="funnelweek")
    op.drop_table("funnelweek")
    op.drop_index("ix_matchweek_cut_week", table_name="matchweek")
    op.drop_table("matchweek")


def downgrade() -> None:
    """The tables as revision c4e8a1f27b93 made them, filled again from the days."""
    op.create_table(
        "matchweek",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("cut", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in _MEASURES],
        sa.PrimaryKeyConstraint("week", "cut", "key"),
    )
    op.create_index("ix_matchweek_cut_week", "matchweek", ["cut", "week", "key", *_MEASURES])
    op.create_table(
        "funnelweek",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("cut", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("recommended", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "cut", "key"),
    )
    op.create_index(
        "ix_funnelweek_cut_week", "funnelweek", ["cut", "week", "key", "recommended", "opened"]
    )
    monday = (
        "CAST(date_trunc('week', day) AS date)"
        if op.get_bind().dialect.name == "postgresql"
        else "date(day, 'weekday 0', '-6 days')"
    )
    measures = ", ".join(_MEASURES)
    sums = ", ".join(f"SUM({m})" for m in _MEASURES)
    op.execute(
        f"INSERT INTO matchweek (week, cut, key, {measures}) "  # noqa: S608 (constants only)
        f"SELECT {monday}, cut, key, {sums} FROM matchday GROUP BY {monday}, cut, key"
    )
    op.execute(
        f"INSERT INTO funnelweek (week, cut, key, recommended, opened) "  # noqa: S608
        f"SELECT {monday}, cut, key, SUM(recommended), SUM(opened) FROM funnelday "
        f"GROUP BY {monday}, cut, key"
    )
