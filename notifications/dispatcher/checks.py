"""Decide at delivery, not when the notice was written: preferences, quiet hours (deferred, not
dropped), deleted recipients and notices that are too late to be useful are checked now."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import (
    Notice,
    NoticePreference,
    NoticeStatus,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.services.notices import settings as notice_settings
from volunteer.services.notices.kinds import SECURITY_KINDS
from volunteer.services.notices.outbox import EMAIL

REMINDER_KINDS = frozenset({"reminder_24h", "reminder_2h"})
SHIFT_BOUND_KINDS = REMINDER_KINDS | {"shift_unfilled"}

Verdict = tuple[str, str, datetime | None]


class RecipientChecks:
    """The checks for one batch, on preferences and profiles loaded in two queries."""

    def __init__(self, s: Session, user_ids: Iterable[int | None]) -> None:
        ids = [i for i in user_ids if i is not None]
        self._prefs: dict[tuple[int, str, str], bool] = {}
        self._profiles: dict[int, VolunteerProfile] = {}
        if not ids:
            return
        for row in s.exec(select(NoticePreference).where(col(NoticePreference.user_id).in_(ids))):
            self._prefs[(row.user_id, row.kind, row.channel)] = row.enabled
        for profile in s.exec(
            select(VolunteerProfile).where(col(VolunteerProfile.user_id).in_(ids))
        ):
            self._profiles[profile.user_id] = profile

    def _wants(self, user: User, kind: str, channel: str) -> bool:
        profile = self._profiles.get(user.id or 0)
        return notice_settings.wants(
            kind,
            channel,
            enabled=self._prefs.get((user.id or 0, kind, channel)),
            digest_frequency=profile.digest_frequency if profile else None,
        )

    def _quiet_until(self, user: User, now: datetime) -> datetime | None:
        profile = self._profiles.get(user.id or 0)
        if profile is None or profile.quiet_start_hour is None or profile.quiet_end_hour is None:
            return None
        return notice_settings.quiet_window_end(
            profile.quiet_start_hour, profile.quiet_end_hour, now
        )

    def check(self, s: Session, n: Notice, user: User | None, now: datetime) -> Verdict | None:
        """Why not to send ``n`` now: (status, reason, defer-until) or None to send."""
        security = n.kind in SECURITY_KINDS
        expires = (n.payload or {}).get("expires_at")
        if expires and now >= datetime.fromisoformat(expires):
            return NoticeStatus.SKIPPED, "too late to be useful", None
        if n.user_id is not None and not security:
            if user is None or user.deleted_at is not None:
                return NoticeStatus.SKIPPED, "recipient deleted", None
            if not self._wants(user, n.kind, n.channel):
                return NoticeStatus.SKIPPED, "switched off by the recipient", None
            if n.channel == EMAIL:
                if user.email_verified_at is None:
                    return NoticeStatus.SKIPPED, "e-mail address not verified", None
                n.to_email = user.email  # the address may have changed since
            n.locale = user.locale or n.locale
        if n.kind in SHIFT_BOUND_KINDS:
            stale = _stale_shift_notice(s, n, now)
            if stale:
                return NoticeStatus.SKIPPED, stale, None
        if n.channel == EMAIL and not security and user is not None:
            until = self._quiet_until(user, now)
            if until is not None:
                return NoticeStatus.PENDING, "quiet hours", until
        return None


def _stale_shift_notice(s: Session, n: Notice, now: datetime) -> str | None:
    p = n.payload or {}
    signup = s.get(Signup, p["signup_id"]) if "signup_id" in p else None
    shift_id = signup.shift_id if signup is not None else p.get("shift_id")
    shift = s.get(Shift, shift_id) if shift_id is not None else None
    if shift is None:
        return "gone: shift"
    if shift.cancelled_at is not None:
        return "shift cancelled"
    if now >= shift.starts_at:
        return "too late to be useful"
    if n.kind in REMINDER_KINDS and (signup is None or signup.state != SignupState.ACCEPTED):
        return "sign-up no longer accepted"
    return None
