"""Writing the demo city's plan into the database: batched inserts that return the new ids."""

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select
from tqdm import tqdm

from volunteer.catalogue.sync import reference_ids
from volunteer.demo.plan import (
    GENERATED_DOMAIN,
    CityPlan,
    OrgPlan,
    Person,
    Pools,
    Scale,
    ShiftPlan,
)
from volunteer.demo.signups import HOUR_STATES, by_roll, plan_signups
from volunteer.models import (
    HourEntry,
    HourState,
    MemberRole,
    Membership,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    OrganisationCause,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.platform.db import insert_rows
from volunteer.services.organisations.recurrence import duration_minutes

BATCH = 2000  # rows per insert call: large enough to be fast, small enough for SQLite's limits


def insert_returning_ids(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Bulk insert, returning the new primary keys in the order of ``rows``.

    The keys are given here (after the table's largest) rather than read back with RETURNING:
    SQLAlchemy sorts returned keys back into parameter order by splicing every batch, which cost
    most of the time of writing a million sign-ups. The demo data is the only writer while it
    runs; on PostgreSQL the key sequence is moved past the new keys afterwards.
    """
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    first = int(session.execute(sa_select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    ids = list(range(first, first + len(rows)))
    insert_rows(session, model, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": f'"{table.name}"', "last": ids[-1]},
        )
    return ids


# --- the writer -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    volunteers: int = 0
    organisations: int = 0
    opportunities: int = 0
    shifts: int = 0
    signups: int = 0
    hours: int = 0


class Writer:
    def __init__(self, session: Session, city: CityPlan, *, progress: bool) -> None:
        self.session = session
        self.city = city
        self.progress = progress
        self.skill_ids, self.cause_ids = reference_ids(session)
        self.counts = Counts()
        self.person_ids: dict[int, int] = {}
        self.coordinator_id: int | None = None
        self.org_admin_id: int | None = None

    def bar(self, total: int, desc: str) -> "tqdm[Any]":
        return tqdm(
            total=total, desc=desc, unit=" rows", file=sys.stderr, disable=not self.progress
        )

    def people(self, count: int, password_hash: str, pools: Pools) -> None:
        existing = set(
            self.session.exec(
                select(User.email_key, User.id).where(
                    col(User.email_key).like(f"%@{GENERATED_DOMAIN}")
                )
            ).all()
        )
        ids_by_email: dict[str, int] = {key: id_ for key, id_ in existing if id_ is not None}
        pending: list[Person] = []
        with self.bar(count, "volunteers") as bar:
            for index in range(count):
                person = self.city.person(index, password_hash)
                pools.add(person)
                if person.email_key in ids_by_email:
                    self.person_ids[index] = ids_by_email[person.email_key]
                else:
                    pending.append(person)
                if len(pending) >= BATCH or (index == count - 1 and pending):
                    self._write_people(pending)
                    bar.update(len(pending))
                    pending = []
            bar.update(count - bar.n)

    def _write_people(self, people: list[Person]) -> None:
        ids = insert_returning_ids(self.session, User, [p.user for p in people])
        profiles, skills, causes = [], [], []
        for person, user_id in zip(people, ids, strict=True):
            self.person_ids[person.index] = user_id
            profiles.append({**person.profile, "user_id": user_id})
            skills += [{"user_id": user_id, "skill_id": self.skill_ids[s]} for s in person.skills]
            causes += [{"user_id": user_id, "cause_id": self.cause_ids[c]} for c in person.causes]
        insert_rows(self.session, VolunteerProfile, profiles)
        insert_rows(self.session, VolunteerSkill, skills)
        insert_rows(self.session, VolunteerCause, causes)
        self.counts.volunteers += len(people)

    def organisations(self, scale: Scale, pools: Pools) -> list[OrgPlan]:
        existing = set(
            self.session.exec(
                select(Organisation.contact_email).where(
                    col(Organisation.contact_email).like(f"%.{GENERATED_DOMAIN}")
                )
            ).all()
        )
        written: list[OrgPlan] = []
        pending: list[OrgPlan] = []
        needs = 0
        index = 0
        with self.bar(scale.opportunities, "opportunities") as bar:
            while index < scale.organisations or needs < scale.opportunities:
                plan = self.city.organisation(index, pools)
                needs += len(plan.needs)
                bar.update(len(plan.needs))
                if plan.row["contact_email"] not in existing:
                    plan_signups(self.city, plan, pools)
                    pending.append(plan)
                if len(pending) >= BATCH // 10:
                    self._write_organisations(pending)
                    written += pending
                    pending = []
                index += 1
            self._write_organisations(pending)
        return written + pending

    def _write_organisations(self, plans: list[OrgPlan]) -> None:
        if not plans:
            return
        coordinator = self.coordinator_id
        org_rows = [
            {**p.row, "verified_by_id": coordinator if p.row["verified_at"] else None}
            for p in plans
        ]
        org_ids = insert_returning_ids(self.session, Organisation, org_rows)
        memberships, org_causes, need_rows, need_plans = [], [], [], []
        for plan, org_id in zip(plans, org_ids, strict=True):
            admin = self.org_admin_id if plan.admin is None else self.person_ids.get(plan.admin)
            created = plan.row["created_at"]
            if admin is not None:
                memberships.append(
                    {"organisation_id": org_id, "user_id": admin, "role": MemberRole.ADMIN.value,
                     "created_at": created}
                )  # fmt: skip
            member = self.person_ids.get(plan.member) if plan.member is not None else None
            if member is not None and member != admin:
                memberships.append(
                    {"organisation_id": org_id, "user_id": member,
                     "role": MemberRole.MEMBER.value, "created_at": created}
                )  # fmt: skip
            org_causes += [
                {"organisation_id": org_id, "cause_id": self.cause_ids[c]} for c in plan.causes
            ]
            for need in plan.needs:
                need_rows.append({**need.row, "organisation_id": org_id})
                need_plans.append((need, org_id, admin))
        insert_rows(self.session, Membership, memberships)
        insert_rows(self.session, OrganisationCause, org_causes)
        need_ids = insert_returning_ids(self.session, Opportunity, need_rows)
        links_skills, links_causes, shift_rows, shift_plans = [], [], [], []
        for (need, org_id, admin), need_id in zip(need_plans, need_ids, strict=True):
            links_skills += [
                {"opportunity_id": need_id, "skill_id": self.skill_ids[s], "required": r}
                for s, r in need.skills
            ]
            links_causes += [
                {"opportunity_id": need_id, "cause_id": self.cause_ids[c]} for c in need.causes
            ]
            for shift in need.shifts:
                shift_rows.append(
                    {
                        **self.city.defaults[Shift],
                        "opportunity_id": need_id,
                        "starts_at": shift.starts_at,
                        "ends_at": shift.ends_at,
                        "capacity": shift.capacity,
                        "place": shift.place[:200],
                        "series_id": shift.series_id,
                        "cancelled_at": need.row["created_at"] if shift.cancelled else None,
                        "created_at": need.row["created_at"],
                        "updated_at": need.row["created_at"],
                    }
                )
                shift_plans.append((shift, org_id, admin))
        insert_rows(self.session, OpportunitySkill, links_skills)
        insert_rows(self.session, OpportunityCause, links_causes)
        shift_ids = insert_returning_ids(self.session, Shift, shift_rows)
        self._write_signups(shift_plans, shift_ids)
        self.counts.organisations += len(plans)
        self.counts.opportunities += len(need_rows)
        self.counts.shifts += len(shift_rows)

    def _write_signups(
        self, shifts: list[tuple[ShiftPlan, int, int | None]], shift_ids: list[int]
    ) -> None:
        rows, attended = [], []
        decided = {
            SignupState.ACCEPTED, SignupState.DECLINED, SignupState.ATTENDED,
            SignupState.NO_SHOW,
        }  # fmt: skip
        accepted = {SignupState.ACCEPTED, SignupState.ATTENDED, SignupState.NO_SHOW}
        for (shift, org_id, admin), shift_id in zip(shifts, shift_ids, strict=True):
            for person, state, at in shift.signups:
                user_id = self.person_ids.get(person)
                if user_id is None:
                    continue
                rows.append(
                    {
                        **self.city.defaults[Signup],
                        "shift_id": shift_id,
                        "user_id": user_id,
                        "state": state,
                        "created_at": at,
                        "updated_at": at,
                        "decided_at": at + timedelta(hours=20) if state in decided else None,
                        "decided_by_id": admin if state in decided else None,
                        "accepted_at": at + timedelta(hours=20) if state in accepted else None,
                    }
                )
                if state == SignupState.ATTENDED:
                    attended.append((len(rows) - 1, shift, org_id, admin, user_id))
        signup_ids = insert_returning_ids(self.session, Signup, rows)
        hours = []
        for position, shift, org_id, admin, user_id in attended:
            rng = self.city.rng("hours", signup_ids[position])
            state = by_roll(rng.random(), HOUR_STATES)
            submitted = min(self.city.now, shift.ends_at + timedelta(hours=rng.randint(1, 48)))
            hours.append(
                {
                    "user_id": user_id,
                    "organisation_id": org_id,
                    "signup_id": signup_ids[position],
                    "worked_on": shift.starts_at.astimezone(self.city.tz).date(),
                    "minutes": duration_minutes(shift.starts_at, shift.ends_at),
                    "note": "",
                    "state": state.value,
                    "created_at": submitted,
                    "decided_at": min(self.city.now, submitted + timedelta(days=2))
                    if state != HourState.SUBMITTED
                    else None,
                    "decided_by_id": admin if state != HourState.SUBMITTED else None,
                }
            )
        insert_rows(self.session, HourEntry, hours)
        self.counts.signups += len(rows)
        self.counts.hours += len(hours)
