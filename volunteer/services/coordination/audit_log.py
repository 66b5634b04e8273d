"""The audit log as coordinators read it: who verified, exported, ran proposals, sent
invitations or changed roles, filtered by kind of action, person and period."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from volunteer.models import AuditEntry, User
from volunteer.services import audit
from volunteer.services.errors import ServiceError

BERLIN = ZoneInfo("Europe/Berlin")

# The groups a coordinator filters by, and the actions in each (one place for both the page
# and the CSV).
GROUPS: dict[str, tuple[str, ...]] = {
    "verification": (
        "organisation.verified",
        "organisation.info_requested",
        "organisation.rejected",
        "organisation.registered",
    ),
    "exports": ("export.downloaded",),
    "proposals": ("proposal.requested",),
    "invitations": ("proposal.invited", "candidate.invited", "organisation.invited"),
    "roles": (
        "organisation.role",
        "organisation.transfer_admin",
        "organisation.joined",
        "organisation.left",
        "organisation.removed",
    ),
    "notices": ("notice.address_corrected", "notice.resent", "notice.unreachable"),
}
COORDINATION_ACTIONS = frozenset(a for actions in GROUPS.values() for a in actions)


@dataclass(frozen=True)
class Filters:
    group: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    actor: str


def rows(session: Session, filters: Filters, *, limit: int = 500) -> list[Row]:
    """Matching entries, newest first (``until`` inclusive, days in Europe/Berlin)."""
    if filters.group and filters.group not in GROUPS:
        raise ServiceError("invalid_choice", field="group")
    if filters.since and filters.until and filters.until < filters.since:
        raise ServiceError("period_order", field="until")
    actions = GROUPS[filters.group] if filters.group else tuple(COORDINATION_ACTIONS)
    stmt = (
        select(AuditEntry, User.first_name, User.last_name)
        .join(User, col(User.id) == AuditEntry.actor_id, isouter=True)
        .where(col(AuditEntry.action).in_(actions))
    )
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.since:
        stmt = stmt.where(col(AuditEntry.at) >= datetime.combine(filters.since, time.min, BERLIN))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, BERLIN)
        stmt = stmt.where(col(AuditEntry.at) < end)
    found = session.exec(
        stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    ).all()
    return [Row(e, " ".join(p for p in (first, last) if p)) for e, first, last in found]


def actors(session: Session) -> list[tuple[int, str]]:
    """Everyone who appears as the actor of a coordination action, for the person filter."""
    found = session.exec(
        select(User.id, User.first_name, User.last_name)
        .join(AuditEntry, col(AuditEntry.actor_id) == User.id)
        .where(col(AuditEntry.action).in_(tuple(COORDINATION_ACTIONS)))
        .distinct()
        .order_by(col(User.first_name), col(User.id))
    ).all()
    return [(int(i), " ".join(p for p in (f, n) if p) or f"#{i}") for i, f, n in found if i]


def record_export(session: Session, name: str, *, by: User, now: datetime, rows: int) -> None:
    """A coordinator downloaded a file that leaves the service: who, which, how many rows."""
    audit.record(session, "export.downloaded", actor=by, now=now, file=name, rows=rows)
