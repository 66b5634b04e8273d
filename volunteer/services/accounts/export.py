"""The person's data as an archive (GDPR arts. 15 and 20): every row that refers to them.

Which rows: every table whose foreign keys point at ``user.id`` (found in the SQLModel metadata,
so a table added later is exported without touching this module), filtered on the columns that
name the person; plus other people's records *about* them - audit entries on their account,
sign-ups and hours (who confirmed, who saw the certificate of conduct), and notices sent to
others about them (an association's "X has applied", the guardian's consent request).

Values are plain: codes stay codes (``accepted``, ``mon-morning``) and the archive's data
dictionary explains each file, field and code; the availability bit mask becomes slot names.
Secrets never leave (password hash, session id, token hashes, the calendar fingerprint). Other
people appear by first name only. The wording (README, dictionary, labels in the person's
language) is the web layer's (:mod:`volunteer.web.wording.export`); this module decides what
belongs to the person and writes the ZIP; its CSVs come from the one CSV writer
(:mod:`volunteer.platform.spreadsheet`: the person's spreadsheet convention, formulas defused).
"""

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, SQLModel, col, select

from volunteer.models import HourEntry, Opportunity, Organisation, Shift, Signup, User
from volunteer.platform import spreadsheet
from volunteer.services.accounts.privacy import notices_about
from volunteer.services.discovery.profiles import slots_of

# Friendly file names for the tables people know; a new table is exported under its own name.
FILE_NAMES = {
    "user": "account",
    "volunteerprofile": "profile",
    "volunteerskill": "skills",
    "volunteercause": "causes",
    "signup": "signups",
    "hourentry": "hours",
    "consent": "consents",
    "noticepreference": "notice_preferences",
    "notice": "notices",
    "membership": "memberships",
    "skillsuggestion": "skill_suggestions",
    "auditentry": "activity_log",
    "conductcheck": "conduct_checks",
    "token": "open_links",
    "organisation": "organisations_verified",
    "guardianrequest": "guardian_requests",
    "proposalrun": "proposal_runs",
    "proposalpair": "proposals",
    "organisationreview": "organisation_reviews",
}
ABOUT_ME_AUDIT = "records_about_me"
ABOUT_ME_NOTICES = "notices_about_me"
# Never exported: secrets, and the machinery of delivery.
SECRET_COLUMNS = {
    "user": {"password_hash", "alternative_id", "email_key", "ical_token"},
    "token": {"token_hash", "data"},
    "notice": {"dedupe_key", "lease_until", "claimed_by", "attempts"},
    "organisation": {"logo"},
    "proposalrun": {"claimed_by", "lease_until"},
}
# Labels for ids that point at reference rows, so the file reads without the rest of the database.
_LABEL_COLUMNS = ("title", "name", "label_{locale}", "label_de", "slug")


@dataclass(frozen=True)
class UserReference:
    """A foreign-key column of ``table`` that points at ``user.id``."""

    table: Table
    column: str


def user_references() -> list[UserReference]:
    """Every column in the schema that refers to a person (from the metadata's foreign keys)."""
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "user" and fk.column.name == "id":
                out.append(UserReference(table, fk.parent.name))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _first_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.first_name).where(col(User.id).in_(wanted))).all()
    return {int(i): name or "-" for i, name in rows if i is not None}


def _labels(
    session: Session, table: Table, column: str, ids: set[Any], locale: str
) -> dict[Any, str]:
    """For an id column pointing at a reference table (skill, shift, organisation, ...), a
    readable label per id."""
    fks = [fk for fk in table.c[column].foreign_keys]
    if not fks or not ids:
        return {}
    target = fks[0].column.table
    names = [c.format(locale=locale) for c in _LABEL_COLUMNS]
    label = next((target.c[c] for c in names if c in target.c), None)
    if target.name == "shift":
        label = target.c["starts_at"]
    if label is None:
        return {}
    key = fks[0].column
    rows = session.execute(select_rows(key, label).where(key.in_(ids))).all()
    return {k: str(_plain(v)) for k, v in rows}


def _rows(
    session: Session,
    table: Table,
    where: Any,
    user: User,
    *,
    skip: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Rows of ``table`` matching ``where``: plain values, other people by first name, reference
    ids with a label next to them."""
    uid = user.id
    result = [dict(r._mapping) for r in session.execute(select_rows(table).where(where)).all()]
    hidden = SECRET_COLUMNS.get(table.name, set()) | skip
    user_cols = {r.column for r in user_references() if r.table is table}
    others = _first_names(
        session, (r[c] for r in result for c in user_cols if r.get(c) not in (None, uid))
    )
    ref_cols = [
        c.name
        for c in table.c
        if c.foreign_keys and c.name not in user_cols and c.name not in hidden
    ]
    labels = {
        c: _labels(session, table, c, {r[c] for r in result if r.get(c) is not None}, user.locale)
        for c in ref_cols
    }
    out = []
    for raw in result:
        row: dict[str, Any] = {}
        for name, value in raw.items():
            if name in hidden:
                continue
            if name in user_cols:
                row[name] = "me" if value == uid else (others.get(value, "-") if value else None)
                continue
            row[name] = _plain(value)
            if name in labels:
                row[f"{name}_label"] = labels[name].get(value)
        out.append(row)
    return out


def collect(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about the person, file name -> rows of plain values."""
    uid = user.id
    assert uid is not None
    users = SQLModel.metadata.tables["user"]
    account = _rows(session, users, users.c.id == uid, user)
    for row in account:
        row["calendar_feed_enabled"] = bool(user.ical_token)
    data: dict[str, list[dict[str, Any]]] = {"account": account}
    by_table: dict[str, list[UserReference]] = {}
    for ref in user_references():
        by_table.setdefault(ref.table.name, []).append(ref)
    for name, refs in by_table.items():
        table = refs[0].table
        if name == "auditentry":
            where = table.c.actor_id == uid  # the person's own actions; others' are below
        elif name in ("signup", "hourentry"):
            # Decisions the person took for an association are that association's records.
            where = table.c.user_id == uid
        else:
            where = or_(*(table.c[r.column] == uid for r in refs))
        rows = _rows(session, table, where, user)
        if name == "signup":
            _add_engagement(session, rows)
        if name == "volunteerprofile":
            for row in rows:
                row["availability"] = " ".join(slots_of(int(row["availability"] or 0)))
        data[FILE_NAMES.get(name, name)] = rows
    data[ABOUT_ME_AUDIT] = _audit_about(session, user)
    notices = SQLModel.metadata.tables["notice"]
    signup_ids = {i for i in session.exec(select(Signup.id).where(Signup.user_id == uid)) if i}
    hour_ids = {i for i in session.exec(select(HourEntry.id).where(HourEntry.user_id == uid)) if i}
    about = notices_about(session, uid, signup_ids, hour_ids)
    data[ABOUT_ME_NOTICES] = _rows(
        session,
        notices,
        notices.c.id.in_(about),
        user,
        skip=frozenset({"payload", "to_email", "link", "user_id"}),
    )
    return data


def _add_engagement(session: Session, rows: list[dict[str, Any]]) -> None:
    """Sign-ups name the engagement and the association, not only a shift number."""
    shift_ids = {r["shift_id"] for r in rows}
    if not shift_ids:
        return
    facts = {
        shift_id: (title, org, _plain(ends))
        for shift_id, title, org, ends in session.exec(
            select(Shift.id, Opportunity.title, Organisation.name, Shift.ends_at)
            .join(Opportunity, col(Opportunity.id) == col(Shift.opportunity_id))
            .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
            .where(col(Shift.id).in_(shift_ids))
        ).all()
    }
    for row in rows:
        title, org, ends = facts.get(row["shift_id"], (None, None, None))
        row.update(opportunity=title, organisation=org, shift_ends_at=ends)


def _audit_about(session: Session, user: User) -> list[dict[str, Any]]:
    """Others' audit entries about the person: on the account (e.g. the conduct check seen), on
    their sign-ups and hours (who accepted, who confirmed)."""
    uid = user.id
    signup_ids = [i for i in session.exec(select(Signup.id).where(Signup.user_id == uid)) if i]
    hour_ids = [i for i in session.exec(select(HourEntry.id).where(HourEntry.user_id == uid)) if i]
    audit = SQLModel.metadata.tables["auditentry"]
    where = or_(
        (audit.c.object_type == "user") & (audit.c.object_id == uid),
        (audit.c.object_type == "signup") & audit.c.object_id.in_(signup_ids),
        (audit.c.object_type == "hour_entry") & audit.c.object_id.in_(hour_ids),
    )
    not_mine = or_(audit.c.actor_id.is_(None), audit.c.actor_id != uid)
    return _rows(session, audit, where & not_mine, user)


def table_csv(rows: list[dict[str, Any]], *, locale: str) -> bytes:
    """One table as CSV in the reader's spreadsheet convention; the columns are every key seen."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    return spreadsheet.csv_bytes(
        columns or ["empty"], [[row.get(c) for c in columns] for row in rows], locale=locale
    )


def zip_archive(
    data: Mapping[str, list[dict[str, Any]]],
    *,
    readme: str,
    dictionary: list[dict[str, str]],
    now: datetime,
    service: str,
    locale: str,
) -> bytes:
    """``README.txt``, ``data_dictionary.csv``, ``mitwirken.json`` with everything, and one CSV
    per file for spreadsheets, written for the person's language (German: ``;``, ``1,5``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", readme)
        zf.writestr("data_dictionary.csv", table_csv(list(dictionary), locale=locale))
        document = {"exported_at": now.isoformat(), "service": service, **data}
        zf.writestr(
            "mitwirken.json", json.dumps(document, ensure_ascii=False, indent=2, default=str)
        )
        for name, rows in data.items():
            zf.writestr(f"{name}.csv", table_csv(rows, locale=locale))
    return buffer.getvalue()
