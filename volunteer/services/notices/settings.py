"""Who wants which notice on which channel, and when not to be disturbed.

Shared by the preference page (web) and the dispatcher (``notifications``), which checks these
choices at delivery time, not when the notice is written: a change made today also applies to
a reminder queued last week. Security notices cannot be switched off.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from volunteer.models import NoticePreference, User, VolunteerProfile
from volunteer.platform.clock import BERLIN
from volunteer.services.errors import ServiceError
from volunteer.services.notices.kinds import SECURITY_KINDS
from volunteer.services.notices.outbox import EMAIL, INAPP

CHANNELS = (EMAIL, INAPP)
DIGEST_FREQUENCIES = ("weekly", "never")


@dataclass(frozen=True)
class KindInfo:
    """A notice kind a person can choose about, with its label and the group it is shown in."""

    kind: str
    label: Any
    group: str


# The kinds shown on the preference page, in that order. Kinds not listed here (security
# notices, invitations to join an organisation sent to an address) are always delivered.
CONFIGURABLE: tuple[KindInfo, ...] = (
    KindInfo("signup_received", _l("We received your sign-up"), "volunteer"),
    KindInfo("signup_accepted", _l("Your sign-up was accepted"), "volunteer"),
    KindInfo("signup_declined", _l("Your sign-up was declined"), "volunteer"),
    KindInfo("waitlist_moved_up", _l("You moved up from the waiting list"), "volunteer"),
    KindInfo("series_joined", _l("You joined the regular dates of a need"), "volunteer"),
    KindInfo("series_left", _l("You left the regular dates of a need"), "volunteer"),
    KindInfo("reminder_24h", _l("Reminder one day before a shift"), "volunteer"),
    KindInfo("reminder_2h", _l("Reminder two hours before a shift"), "volunteer"),
    KindInfo("shift_changed", _l("A shift of yours was changed"), "volunteer"),
    KindInfo("shift_cancelled", _l("A shift of yours was cancelled"), "volunteer"),
    KindInfo("shift_message", _l("Messages from an association about your shift"), "volunteer"),
    KindInfo("hours_confirmed", _l("Your hours were confirmed"), "volunteer"),
    KindInfo("hours_rejected", _l("Your hours were not confirmed"), "volunteer"),
    KindInfo("recognition", _l("Milestones and recognition"), "volunteer"),
    KindInfo("candidate_invited", _l("An association invites you"), "volunteer"),
    KindInfo("proposal_invitation", _l("The city coordination invites you"), "volunteer"),
    KindInfo("digest", _l("Weekly digest of new opportunities for you"), "volunteer"),
    KindInfo("application_new", _l("New application for your association"), "organisation"),
    KindInfo("signup_withdrawn", _l("A sign-up was withdrawn"), "organisation"),
    KindInfo(
        "series_application_new", _l("Someone joined the regular dates of a need"), "organisation"
    ),
    KindInfo("series_withdrawn", _l("Someone left the regular dates of a need"), "organisation"),
    KindInfo("hours_submitted", _l("Hours to confirm"), "organisation"),
    KindInfo("shift_unfilled", _l("A shift in three days still has free places"), "organisation"),
    KindInfo(
        "organisation_registered", _l("A new association waits for verification"), "coordinator"
    ),
    KindInfo("coordinator_summary", _l("Weekly summary for coordinators"), "coordinator"),
)
CONFIGURABLE_KINDS = frozenset(k.kind for k in CONFIGURABLE)
GROUP_LABELS = {
    "volunteer": _l("As a volunteer"),
    "organisation": _l("For your association"),
    "coordinator": _l("City coordination"),
}


def can_switch_off(kind: str) -> bool:
    return kind not in SECURITY_KINDS and kind in CONFIGURABLE_KINDS


def choices(session: Session, user: User) -> dict[tuple[str, str], bool]:
    """Every (kind, channel) on the page with its current value (absent rows mean on)."""
    values = {(k.kind, c): True for k in CONFIGURABLE for c in CHANNELS}
    rows = session.exec(select(NoticePreference).where(NoticePreference.user_id == user.id)).all()
    for row in rows:
        if (row.kind, row.channel) in values:
            values[(row.kind, row.channel)] = row.enabled
    return values


def wants(kind: str, channel: str, *, enabled: bool | None, digest_frequency: str | None) -> bool:
    """Whether a person wants ``kind`` on ``channel``: the one preference rule, applied by the
    dispatcher at delivery. ``enabled`` is their stored choice (None: never chosen, so on);
    ``digest_frequency`` comes from their profile ("never" switches the e-mail digest off).
    Security notices always go out."""
    if not can_switch_off(kind):
        return True
    if kind == "digest" and channel == EMAIL and digest_frequency == "never":
        return False
    return True if enabled is None else enabled


def check_quiet_hours(start_hour: int | None, end_hour: int | None) -> None:
    """Both or neither, each an hour of the day, and not the same hour (an empty window).

    Both pages that set quiet hours (the profile and the notice settings) call this."""
    if (start_hour is None) != (end_hour is None):
        raise ServiceError("quiet_hours_incomplete", field="quiet_start_hour")
    for value in (start_hour, end_hour):
        if value is not None and not 0 <= value <= 23:
            raise ServiceError("invalid_choice", field="quiet_start_hour")
    if start_hour is not None and start_hour == end_hour:
        raise ServiceError("quiet_hours_empty", field="quiet_end_hour")


def check_digest_frequency(value: str) -> None:
    if value not in DIGEST_FREQUENCIES:
        raise ServiceError("invalid_choice", field="digest_frequency")


def set_choice(session: Session, user: User, kind: str, channel: str, enabled: bool) -> None:
    if not can_switch_off(kind) or channel not in CHANNELS:
        raise ServiceError("unknown_notice_kind", field="kind")
    row = session.get(NoticePreference, (user.id, kind, channel))
    if row is None:
        assert user.id is not None
        row = NoticePreference(user_id=user.id, kind=kind, channel=channel, enabled=enabled)
    row.enabled = enabled
    session.add(row)


def save(
    session: Session,
    user: User,
    values: dict[tuple[str, str], bool],
    *,
    digest_frequency: str | None = None,
    quiet_start_hour: int | None = None,
    quiet_end_hour: int | None = None,
    now: datetime,
) -> None:
    """Store the page's choices; quiet hours and the digest live on the volunteer profile."""
    for (kind, channel), enabled in values.items():
        set_choice(session, user, kind, channel, enabled)
    profile = session.get(VolunteerProfile, user.id)
    if profile is not None:
        if digest_frequency is not None:
            check_digest_frequency(digest_frequency)
            profile.digest_frequency = digest_frequency
        check_quiet_hours(quiet_start_hour, quiet_end_hour)
        profile.quiet_start_hour = quiet_start_hour
        profile.quiet_end_hour = quiet_end_hour
        profile.updated_at = now
        session.add(profile)
    session.flush()


def unsubscribe(session: Session, user: User, kind: str) -> None:
    """One-click unsubscribe: switch ``kind`` off by e-mail (the inbox keeps it)."""
    set_choice(session, user, kind, EMAIL, False)
    session.flush()


def quiet_window_end(start_hour: int, end_hour: int, at: datetime) -> datetime | None:
    """If ``at`` falls into quiet hours from ``start_hour`` to ``end_hour``, when they end (UTC);
    else None. The hours are wall-clock hours in Europe/Berlin (e.g. 21 to 8, across midnight),
    so the end is computed in local time and converted back: correct across a DST change."""
    local = at.astimezone(BERLIN)
    hour = local.hour
    if start_hour < end_hour:
        inside = start_hour <= hour < end_hour
    else:  # across midnight, e.g. 21..8
        inside = hour >= start_hour or hour < end_hour
    if not inside:
        return None
    day = local.date()
    if start_hour > end_hour and hour >= start_hour:
        day = day + timedelta(days=1)
    end_local = datetime.combine(day, time(end_hour), tzinfo=BERLIN)
    return end_local.astimezone(UTC)
