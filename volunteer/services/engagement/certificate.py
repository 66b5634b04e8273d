"""The "Engagementnachweis": a volunteer's confirmed hours as a document anyone can check.

What it states: per organisation the confirmed hours, how many entries, the days they span, who
confirmed them and when; the total; the person's name and the day it was issued. Only
*confirmed* hours count, as for the Ehrenamtskarte (:mod:`recognition`).

Who confirmed: the confirming person's first name only (other people appear by first name
everywhere in the service, e.g. in the data export), beside the association's name. Someone
whose account is gone, or who never gave a first name, is not named: the association stands
for the confirmation.

A stateless signed statement, not a stored row. The verification code is
``sign(app secret, [name, total minutes, issue date])`` (:mod:`volunteer.platform.signing`, its
own salt): it cannot be guessed or altered without the secret, and it carries exactly what the
public verification page may show, so nothing about the person is stored for it and nothing has
to be exported or deleted with the account. The price: a certificate cannot be revoked one by
one (hours are never un-confirmed, so a true statement stays true on its issue date), and
changing the app secret voids every code issued before.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from volunteer.models import HourEntry, HourState, Organisation, User
from volunteer.platform import signing
from volunteer.platform.clock import BERLIN

_SALT = "mitwirken.certificate.v1"
MAX_CODE_LENGTH = 400


@dataclass(frozen=True, slots=True)
class OrganisationHours:
    """Confirmed hours for one organisation."""

    organisation: str
    minutes: int
    entries: int
    first_day: date
    last_day: date
    confirmed_by: tuple[str, ...]  # first names; empty when nobody can be named any more
    last_confirmed_on: date | None


@dataclass(frozen=True, slots=True)
class Certificate:
    holder: str
    issued_on: date
    organisations: tuple[OrganisationHours, ...]  # most hours first

    @property
    def total_minutes(self) -> int:
        return sum(o.minutes for o in self.organisations)


@dataclass(frozen=True, slots=True)
class Statement:
    """What a verification code vouches for: all the public page shows."""

    holder: str
    total_minutes: int
    issued_on: date


def holder_name(user: User) -> str:
    """The full name as the document prints it (first name alone if there is no surname)."""
    return " ".join(p for p in (user.first_name.strip(), user.last_name.strip()) if p) or (
        user.display_name
    )


def certificate_for(session: Session, user: User, *, now: datetime) -> Certificate | None:
    """The person's certificate as of ``now``, or None if no hours are confirmed yet (a
    document with nothing on it would certify nothing)."""
    confirmer = aliased(User)
    rows = session.exec(
        select(HourEntry, Organisation, confirmer)
        .join(Organisation, col(Organisation.id) == col(HourEntry.organisation_id))
        .join(confirmer, col(confirmer.id) == col(HourEntry.decided_by_id), isouter=True)
        .where(HourEntry.user_id == user.id, HourEntry.state == HourState.CONFIRMED)
        .order_by(col(HourEntry.worked_on), col(HourEntry.id))
    ).all()
    if not rows:
        return None
    # By organisation, not by name: two associations may share one.
    grouped: dict[int, tuple[str, list[tuple[HourEntry, User | None]]]] = {}
    for entry, org, by in rows:
        grouped.setdefault(entry.organisation_id, (org.name, []))[1].append((entry, by))
    organisations = []
    for org_name, entries in grouped.values():
        names = sorted(
            {
                by.first_name.strip()
                for _, by in entries
                if by is not None and by.deleted_at is None and by.first_name.strip()
            }
        )
        decided = [e.decided_at for e, _ in entries if e.decided_at is not None]
        organisations.append(
            OrganisationHours(
                organisation=org_name,
                minutes=sum(e.minutes for e, _ in entries),
                entries=len(entries),
                first_day=entries[0][0].worked_on,
                last_day=entries[-1][0].worked_on,
                confirmed_by=tuple(names),
                last_confirmed_on=max(decided).astimezone(BERLIN).date() if decided else None,
            )
        )
    organisations.sort(key=lambda o: (-o.minutes, o.organisation))
    return Certificate(
        holder=holder_name(user),
        issued_on=now.astimezone(BERLIN).date(),
        organisations=tuple(organisations),
    )


def verification_code(certificate: Certificate, *, secret: str) -> str:
    """The code printed on the document: a signature over what the public page may show."""
    value = [certificate.holder, certificate.total_minutes, certificate.issued_on.isoformat()]
    return signing.sign_value(secret, value, salt=_SALT)


def read_code(code: str, *, secret: str) -> Statement | None:
    """What a genuine code vouches for, or None for a forged, altered or garbled one."""
    value = signing.read_value(secret, code.strip(), salt=_SALT, max_length=MAX_CODE_LENGTH)
    if not (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and isinstance(value[2], str)
    ):
        return None
    try:
        issued_on = date.fromisoformat(value[2])
    except ValueError:
        return None
    return Statement(holder=value[0], total_minutes=value[1], issued_on=issued_on)
