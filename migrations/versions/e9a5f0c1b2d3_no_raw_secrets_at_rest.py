"""No raw secrets at rest: hash calendar feed tokens, drop stored links from security notices

Feed tokens are now stored as their SHA-256 fingerprint (existing feed links keep working).
Security notices used to keep their link, token included, in the payload; new ones keep only a
slot that is signed at delivery, so the links of old ones are removed (already-mailed links of
unused tokens stop working and unsent ones are cancelled: at most a new request).

Revision ID: e9a5f0c1b2d3
Revises: 644f9484a34e
Create Date: 2026-12-01 10:55:00
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e9a5f0c1b2d3"
down_revision: str | None = "644f9484a34e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKEN_KINDS = (
    "verify_email",
    "password_reset",
    "email_change",
    "guardian_consent",
    "organisation_invite",
)


def upgrade() -> None:
    bind = op.get_bind()
    users = sa.table("user", sa.column("id", sa.Integer), sa.column("ical_token", sa.String))
    for uid, raw in bind.execute(
        sa.select(users.c.id, users.c.ical_token).where(users.c.ical_token.is_not(None))
    ).all():
        if len(raw) != 64:  # a fingerprint is 64 hex characters; a raw token is 43
            fingerprint = hashlib.sha256(raw.encode()).hexdigest()
            bind.execute(users.update().where(users.c.id == uid).values(ical_token=fingerprint))
    notices = sa.table(
        "notice", sa.column("id", sa.Integer), sa.column("kind", sa.String),
        sa.column("payload", sa.JSON), sa.column("status", sa.String),
    )  # fmt: skip
    for nid, payload in bind.execute(
        sa.select(notices.c.id, notices.c.payload).where(notices.c.kind.in_(_TOKEN_KINDS))
    ).all():
        data = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        if "url" in data and "{token:" not in str(data["url"]):
            data.pop("url")
            bind.execute(notices.update().where(notices.c.id == nid).values(payload=data))
            # An unsent one would now link nowhere useful: the person simply asks again.
            bind.execute(
                notices.update()
                .where(notices.c.id == nid, notices.c.status == "pending")
                .values(status="cancelled")
            )


def downgrade() -> None:
    """Nothing to restore: the raw values are gone for good, which is the point."""
