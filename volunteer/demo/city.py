"""Demo data: a realistic Bochum, from a small city to full size, plus one account per role.

``load_demo_data`` is what ``volunteer demo-data`` and ``make run`` (on an empty database) call.

- **Deterministic**: every generated person, association and need comes from its own random
  stream (seed, kind, index), so the same seed always yields the same city, and the larger scale
  is a superset of the smaller one.
- **Idempotent**: generated people are keyed by e-mail and associations by contact e-mail;
  whatever exists is skipped, so running twice adds nothing, and running ``bochum`` after
  ``demo`` only adds the difference. Needs, shifts and sign-ups are created with their
  association.
- **Fast at scale**: rows go in with ``insert(Model)`` in batches (RETURNING the new ids), the
  demo password is hashed once for everyone, and a tqdm bar on stderr shows progress.
- **Safe**: generated addresses are ``@example.org`` (RFC 2606), so no notice can reach a real
  person; only the three demo logins use ``demo.mitwirken.de``.

Dates are relative to the ``now`` passed in; shifts lie in the next eight weeks, and weekly needs
also have a few past weeks so that attendance and hour entries exist.
"""

import math
import random
import re
import secrets
import sys
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, col, select
from tqdm import tqdm

from volunteer.catalogue.gazetteer import District as CityDistrict
from volunteer.catalogue.gazetteer import Gazetteer, default_gazetteer
from volunteer.catalogue.reference import load_causes, load_skills
from volunteer.catalogue.sync import reference_ids, sync_reference_data
from volunteer.demo.content import (
    ABOUT_TEXTS,
    BOROUGH_TEMPLATE_KEYS,
    LOCAL_NAMES,
    NAME_GROUPS,
    ORG_TEMPLATES,
    PATRONS,
    PERSONAS,
    STREETS,
    NeedTemplate,
    OrgTemplate,
)
from volunteer.models import (
    AgeGroup,
    HourEntry,
    HourState,
    MemberRole,
    Membership,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    OpportunityStatus,
    Organisation,
    OrganisationCause,
    Role,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.accounts.passwords import hash_password

DEMO_PASSWORD = "Mitwirken-Demo-2026"  # noqa: S105 (a published demo login)
DEMO_VOLUNTEER = "ehrenamt@demo.mitwirken.de"
DEMO_ORG_ADMIN = "verein@demo.mitwirken.de"
DEMO_COORDINATOR = "stadt@demo.mitwirken.de"
DEMO_ACCOUNTS = [
    (DEMO_VOLUNTEER, "Lena", "Schneider", Role.VOLUNTEER),
    (DEMO_ORG_ADMIN, "Jonas", "Becker", Role.VOLUNTEER),  # admin through a membership
    (DEMO_COORDINATOR, "Aylin", "Yıldız", Role.COORDINATOR),
]
LOGINS_TEXT = (
    f"Demo logins (password {DEMO_PASSWORD}):\n"
    f"  volunteer          {DEMO_VOLUNTEER}\n"
    f"  association admin  {DEMO_ORG_ADMIN}\n"
    f"  city coordinator   {DEMO_COORDINATOR}"
)
GENERATED_DOMAIN = "example.org"
DEFAULT_SEED = 2026
BATCH = 2000  # rows per insert call: large enough to be fast, small enough for SQLite's limits
HORIZON = timedelta(weeks=8)
PAST_WEEKS = 3


@dataclass(frozen=True, slots=True)
class Scale:
    """How big the generated city is. Associations are added until both minimums are met."""

    volunteers: int
    organisations: int
    opportunities: int


SCALES: dict[str, Scale] = {
    "demo": Scale(volunteers=420, organisations=66, opportunities=150),
    "bochum": Scale(volunteers=150_000, organisations=66, opportunities=10_000),
}


def has_users(session: Session) -> bool:
    """Whether anyone has an account yet (``make run`` loads demo data only into an empty DB)."""
    return bool(session.exec(select(func.count()).select_from(User)).one())


# --- small helpers --------------------------------------------------------------------------------

_ASCII = str.maketrans({"ß": "ss", "ı": "i", "ł": "l", "đ": "d", "ä": "ae", "ö": "oe", "ü": "ue"})


def _slug(text: str) -> str:
    """An e-mail- and URL-safe ASCII slug ("Şahin" -> "sahin", "Müller" -> "mueller")."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column defaults for bulk rows (bulk inserts bypass SQLModel's Python-side defaults).

    Timestamps are left out on purpose: every generated time derives from ``now``, and a missing
    one should fail loudly (NOT NULL) rather than silently take the wall clock.
    """
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        default = info.get_default(call_default_factory=True)
        if default is not None and not isinstance(default, datetime):
            values[name] = default
    return values


def _availability(rng: random.Random, persona: str) -> int:
    """A 21-bit weekly grid (bit = day * 3 + part), evening- and weekend-heavy like real life."""
    weekday = {"morning": 0.08, "afternoon": 0.18, "evening": 0.5}
    if persona == "retiree":
        weekday = {"morning": 0.55, "afternoon": 0.5, "evening": 0.25}
    elif persona in ("student", "parent"):
        weekday = {"morning": 0.05, "afternoon": 0.35, "evening": 0.45}
    weekend = {"morning": 0.45, "afternoon": 0.45, "evening": 0.2}
    mask = 0
    for day in range(7):
        chances = weekend if day >= 5 else weekday
        for part, name in enumerate(("morning", "afternoon", "evening")):
            if rng.random() < chances[name]:
                mask |= 1 << (day * 3 + part)
    return mask or 1 << (5 * 3)  # nobody is never available: Saturday morning


def _batched(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_returning_ids(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Bulk insert, returning the new primary keys in the order of ``rows``."""
    ids: list[int] = []
    pk = model.id  # type: ignore[attr-defined]
    for chunk in _batched(rows):
        result = session.exec(
            insert(model).returning(pk, sort_by_parameter_order=True), params=list(chunk)
        )
        ids.extend(result.scalars().all())
    return ids


def _insert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _batched(rows):
        session.exec(insert(model), params=list(chunk))


# --- plans: what one generated person or association looks like ----------------------------------


@dataclass(slots=True)
class _Person:
    index: int
    email_key: str
    district: int
    borough: int
    adult: bool
    user: dict[str, Any]
    profile: dict[str, Any]
    skills: list[str]
    causes: list[str]


@dataclass(slots=True)
class _ShiftPlan:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    place: str
    series_id: str | None
    cancelled: bool
    signups: list[tuple[int, str, datetime]] = field(default_factory=list)  # person, state, at


@dataclass(slots=True)
class _NeedPlan:
    row: dict[str, Any]
    skills: list[tuple[str, bool]]
    causes: list[str]
    shifts: list[_ShiftPlan]


@dataclass(slots=True)
class _OrgPlan:
    index: int
    row: dict[str, Any]
    causes: list[str]
    borough: int
    admin: int | None  # person index; None = the demo org admin account
    member: int | None
    needs: list[_NeedPlan]


class _City:
    """Generates plans from the gazetteer and the demo content; knows nothing of the database."""

    def __init__(self, gazetteer: Gazetteer, *, now: datetime, seed: int) -> None:
        self.gaz = gazetteer
        self.now = now
        self.seed = seed
        self.tz = ZoneInfo(gazetteer.city.timezone)
        self.districts = sorted(gazetteer.districts, key=lambda d: d.number)
        # Larger districts house more people; a floor keeps small dense ones (Innenstadt) busy.
        self.district_weights = [max(d.area_km2, 3.0) for d in self.districts]
        self.postcodes: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for postcode in gazetteer.postcodes:
            for number, share in postcode.district_shares:
                self.postcodes[number].append((postcode.code, share))
        self.skills_by_category: dict[str, list[str]] = defaultdict(list)
        for skill in load_skills():
            self.skills_by_category[skill.category].append(skill.slug)
        self.local_templates = [t for t in ORG_TEMPLATES if t.key not in BOROUGH_TEMPLATE_KEYS]
        self.borough_templates = [t for t in ORG_TEMPLATES if t.key in BOROUGH_TEMPLATE_KEYS]
        self.cause_slugs = [cause.slug for cause in load_causes()]
        self.org_names: set[str] = set()
        self.defaults = {
            model: _defaults(model)
            for model in (User, VolunteerProfile, Organisation, Opportunity, Shift, Signup)
        }

    def rng(self, kind: str, index: int | str) -> random.Random:
        """An independent, reproducible stream per entity (string seeds hash with SHA-512)."""
        return random.Random(f"{self.seed}:{kind}:{index}")

    # places
    def postcode_for(self, rng: random.Random, district: CityDistrict) -> str:
        options = self.postcodes.get(district.number)
        if options:
            codes = [code for code, _ in options]
            return rng.choices(codes, weights=[share for _, share in options])[0]
        nearest = min(
            self.gaz.postcodes,
            key=lambda p: (p.lat - district.lat) ** 2 + (p.lon - district.lon) ** 2,
        )
        return nearest.code

    def point_in(self, rng: random.Random, district: CityDistrict) -> tuple[float, float]:
        """A point scattered around the district centroid, within its equivalent radius."""
        radius_km = math.sqrt(district.area_km2 / math.pi) * 0.7 * math.sqrt(rng.random())
        angle = rng.random() * 2 * math.pi
        lat = district.lat + radius_km / 111.2 * math.cos(angle)
        lon = district.lon + radius_km / (111.2 * math.cos(math.radians(lat))) * math.sin(angle)
        city = self.gaz.city
        lat = min(max(lat, city.min_lat), city.max_lat)
        lon = min(max(lon, city.min_lon), city.max_lon)
        return round(lat, 5), round(lon, 5)

    def local_name(self, district: CityDistrict) -> str:
        return LOCAL_NAMES.get(district.number, district.name)

    # people
    def person(self, index: int, password_hash: str) -> _Person:
        rng = self.rng("volunteer", index)
        group = rng.choices(NAME_GROUPS, weights=[g.weight for g in NAME_GROUPS])[0]
        female = rng.random() < 0.56
        first = rng.choice(group.female if female else group.male)
        last = rng.choice(group.surnames)
        email = f"{_slug(first)}.{_slug(last)}.{index + 1}@{GENERATED_DOMAIN}"
        age_roll = rng.random()
        age_group = (
            AgeGroup.UNDER_16
            if age_roll < 0.03
            else AgeGroup.MINOR
            if age_roll < 0.09
            else AgeGroup.ADULT
        )
        adult = age_group == AgeGroup.ADULT
        personas = [p for p in PERSONAS if adult or p[0] == "student"]
        persona, _, areas = rng.choices(personas, weights=[p[1] for p in personas])[0]
        district = rng.choices(self.districts, weights=self.district_weights)[0]
        lat, lon = self.point_in(rng, district)
        created = self.now - timedelta(days=rng.randint(1, 730), minutes=rng.randint(0, 1439))

        languages = ["de"] if persona != "newcomer" or rng.random() < 0.5 else []
        # The group's first language is likely (the community's own), the others rarer.
        chances = (0.35, 0.08, 0.05) if group.key == "german" else (0.75, 0.2, 0.1, 0.1)
        for code, chance in zip(group.languages, chances, strict=False):
            if rng.random() < chance:
                languages.append(code)
        if "en" not in languages and rng.random() < (0.5 if persona == "student" else 0.25):
            languages.append("en")
        languages = list(dict.fromkeys(languages)) or ["en"]

        skills: list[str] = []
        for _ in range(rng.randint(2, 5)):
            skills.append(rng.choice(self.skills_by_category[rng.choice(areas)]))
        translations = {
            "ar": "translate-arabic", "uk": "translate-ukrainian", "tr": "translate-turkish",
            "ru": "translate-russian", "en": "translate-english", "fa": "translate-farsi",
            "ku": "translate-kurdish", "pl": "translate-polish", "fr": "translate-french",
            "ro": "translate-romanian",
        }  # fmt: skip
        for code in languages:
            if code in translations and rng.random() < (0.15 if code == "en" else 0.6):
                skills.append(translations[code])
        if adult and rng.random() < 0.35:
            skills.append("driving-licence-b")
        if rng.random() < 0.2:
            skills.append("first-aid")
        causes = rng.sample(self.cause_slugs, k=rng.randint(1, 4))

        user = {
            **self.defaults[User],
            "email": email,
            "email_key": email,
            "password_hash": password_hash,
            "alternative_id": secrets.token_urlsafe(24),  # a credential: never from the seed
            "first_name": first,
            "last_name": last,
            "locale": "en" if rng.random() < (0.04 if group.key == "german" else 0.2) else "de",
            "role": Role.VOLUNTEER.value,
            "created_at": created,
            "email_verified_at": created + timedelta(minutes=rng.randint(2, 600)),
            "last_login_at": self.now - timedelta(days=rng.randint(0, 120)),
        }
        profile = {
            **self.defaults[VolunteerProfile],
            "postcode": self.postcode_for(rng, district),
            "district_number": district.number,
            "lat": lat,
            "lon": lon,
            "radius_km": float(
                rng.choice([2, 3, 5, 5, 5, 8, 10, 10, 15, 20] if adult else [2, 3, 5])
            ),
            "availability": _availability(rng, persona),
            "languages": languages,
            "age_group": age_group.value,
            "discoverable": rng.random() < 0.7,
            "about": rng.choice(ABOUT_TEXTS),
            "capacity": rng.choice([1, 1, 1, 2, 2, 3]),
            "digest_frequency": rng.choice(["weekly", "weekly", "never"]),
            "completed_at": created,
            "updated_at": created,
        }
        if age_group == AgeGroup.UNDER_16:
            profile["guardian_email"] = f"eltern.{index + 1}@{GENERATED_DOMAIN}"
            if rng.random() < 0.7:
                profile["guardian_consent_at"] = created + timedelta(days=rng.randint(0, 5))
        return _Person(
            index=index,
            email_key=email,
            district=district.number,
            borough=district.borough_number,
            adult=adult,
            user=user,
            profile=profile,
            skills=list(dict.fromkeys(skills)),
            causes=causes,
        )

    # associations
    def organisation(self, index: int, pools: "_Pools") -> _OrgPlan:
        rng = self.rng("organisation", index)
        template: OrgTemplate
        if index < 2 * len(self.districts):
            # Two per district first, so every district has associations even at the small scale.
            district = self.districts[index % len(self.districts)]
            position = (index % len(self.districts)) * 7 + (index // len(self.districts)) * 5
            template = self.local_templates[position % len(self.local_templates)]
        elif index < 2 * len(self.districts) + len(self.gaz.boroughs):
            borough = self.gaz.boroughs[index - 2 * len(self.districts)]
            district = self.gaz.nearest_district(borough.lat, borough.lon)
            template = self.borough_templates[borough.number % len(self.borough_templates)]
        else:
            district = rng.choices(self.districts, weights=self.district_weights)[0]
            pool = self.borough_templates if rng.random() < 0.12 else self.local_templates
            template = rng.choice(pool)
        borough = self.gaz.borough(district.borough_number)
        words = {
            "ort": self.local_name(district),
            "bezirk": borough.short_name,
            "jahr": str(rng.randint(1888, 1990)),
            "patron": rng.choice(PATRONS),
        }
        street = rng.choice(STREETS)
        name = template.name.format(**words)
        if name in self.org_names:
            name = f"{name.removesuffix(' e.V.')} – Quartier {street.removeprefix('Am ')}"
            suffix = 2
            base = name
            while name in self.org_names:
                name, suffix = f"{base} {suffix}", suffix + 1
        self.org_names.add(name)
        slug = _slug(name.removesuffix(" e.V."))[:60].strip("-")
        lat, lon = self.point_in(rng, district)
        created = self.now - timedelta(days=rng.randint(90, 1500))
        verified = index == 0 or rng.random() < 0.9
        address = f"{street} {rng.randint(1, 140)}"
        row = {
            **self.defaults[Organisation],
            "name": name,
            "kind": template.kind,
            "register_number": f"VR {rng.randint(1000, 6999)}" if name.endswith("e.V.") else None,
            "address": address,
            "postcode": self.postcode_for(rng, district),
            "district_number": district.number,
            "lat": lat,
            "lon": lon,
            "contact_email": f"info@{slug}.{GENERATED_DOMAIN}",
            "phone": f"{'02327' if borough.number == 2 else '0234'} {rng.randint(10000, 999999)}",
            "website": f"https://{slug}.{GENERATED_DOMAIN}",
            "description": template.description.format(**words),
            "created_at": created,
            "verified_at": created + timedelta(days=rng.randint(1, 30)) if verified else None,
        }
        admin = None if index == 0 else pools.pick(rng, borough.number, adult=True)
        member = pools.pick(rng, borough.number, adult=True) if rng.random() < 0.5 else None
        if member == admin:
            member = None
        plan = _OrgPlan(
            index=index,
            row=row,
            causes=list(template.causes),
            borough=borough.number,
            admin=admin,
            member=member,
            needs=[],
        )
        for position, need in enumerate(template.needs):
            plan.needs.append(
                self.need(rng, need, plan, district, words, f"{name}, {address}", position)
            )
        return plan

    def need(
        self,
        rng: random.Random,
        need: NeedTemplate,
        org: _OrgPlan,
        district: CityDistrict,
        words: dict[str, str],
        place: str,
        position: int,
    ) -> _NeedPlan:
        verified = org.row["verified_at"] is not None
        status = OpportunityStatus.PUBLISHED
        roll = rng.random()
        if not verified:
            status = OpportunityStatus.DRAFT if roll < 0.4 else OpportunityStatus.PUBLISHED
        elif roll < 0.04:
            status = OpportunityStatus.DRAFT
        elif roll < 0.06:
            status = OpportunityStatus.PAUSED
        created = max(org.row["created_at"], self.now - timedelta(days=rng.randint(5, 120)))
        row = {
            **self.defaults[Opportunity],
            "title": need.title.format(**words)[:160],
            "description": need.description.format(**words),
            "status": status.value,
            "is_remote": need.is_remote,
            "address": org.row["address"],
            "postcode": org.row["postcode"],
            "district_number": district.number,
            "lat": org.row["lat"],
            "lon": org.row["lon"],
            "minors_ok": need.minors_ok,
            "step_free": need.step_free and rng.random() < 0.85,
            "regular": need.regular,
            "needs_conduct_certificate": need.conduct_certificate,
            "languages": list(need.languages),
            "created_at": created,
            "updated_at": created,
            "published_at": created if status == OpportunityStatus.PUBLISHED else None,
        }
        skills = [(slug, True) for slug in need.skills]
        extra = list(need.nice_to_have)
        rng.shuffle(extra)
        skills += [(slug, False) for slug in extra[: rng.randint(0, 2)] if slug not in need.skills]
        return _NeedPlan(
            row=row,
            skills=skills,
            causes=list(need.causes),
            shifts=self.shifts(rng, need, place, created, position),
        )

    def shifts(
        self, rng: random.Random, need: NeedTemplate, place: str, created: datetime, position: int
    ) -> list[_ShiftPlan]:
        weekday = need.weekday if need.weekday is not None else rng.randrange(6)
        minute = rng.choice([0, 0, 0, 30])
        today = self.now.astimezone(self.tz).date()
        first = today + timedelta(days=(weekday - today.weekday()) % 7)
        if need.regular:
            weeks = range(-PAST_WEEKS, 8)
            series: str | None = str(uuid.UUID(int=rng.getrandbits(128)))
        else:
            offset = rng.randint(0, 7) if rng.random() < 0.85 else -rng.randint(1, 3)
            weeks = range(offset, offset + (1 if rng.random() < 0.7 else rng.randint(2, 3)))
            series = None
        capacity = max(1, need.capacity + rng.choice([-1, 0, 0, 0, 1]))
        plans = []
        for week in weeks:
            day: date = first + timedelta(weeks=week)
            local = datetime.combine(day, time(need.start_hour, minute), tzinfo=self.tz)
            starts = local.astimezone(self.now.tzinfo)
            if starts > self.now + HORIZON or starts < created:
                continue
            ends = (local + timedelta(hours=need.hours)).astimezone(self.now.tzinfo)
            plans.append(
                _ShiftPlan(
                    starts_at=starts,
                    ends_at=ends,
                    capacity=capacity,
                    place=place,
                    series_id=series,
                    cancelled=starts > self.now and rng.random() < 0.02,
                )
            )
        return plans


class _Pools:
    """Generated people by borough, so sign-ups and admins come from nearby."""

    def __init__(self) -> None:
        self.everyone: dict[int, list[int]] = defaultdict(list)
        self.adults: dict[int, list[int]] = defaultdict(list)

    def add(self, person: _Person) -> None:
        self.everyone[person.borough].append(person.index)
        if person.adult:
            self.adults[person.borough].append(person.index)

    def pick(self, rng: random.Random, borough: int, *, adult: bool) -> int | None:
        pool = (self.adults if adult else self.everyone).get(borough)
        return rng.choice(pool) if pool else None

    def sample(self, rng: random.Random, borough: int, k: int, *, adult: bool) -> list[int]:
        pool = (self.adults if adult else self.everyone).get(borough, [])
        return rng.sample(pool, min(k, len(pool)))


# --- sign-ups -------------------------------------------------------------------------------------


def _plan_signups(city: _City, org: _OrgPlan, pools: _Pools) -> None:
    """Fill shifts with sign-ups in realistic states: full, half-empty, waitlisted, attended."""
    for n, need in enumerate(org.needs):
        if need.row["status"] != OpportunityStatus.PUBLISHED or org.row["verified_at"] is None:
            continue
        rng = city.rng("signups", f"{org.index}:{n}")
        adult_only = not need.row["minors_ok"]
        for shift in need.shifts:
            past = shift.ends_at <= city.now
            fill = rng.random()
            wanted = round(shift.capacity * (fill * 1.3 if not past else 0.3 + 0.7 * fill))
            people = pools.sample(rng, org.borough, wanted, adult=adult_only)
            held = 0
            for person in people:
                at = min(city.now, shift.starts_at - timedelta(days=rng.randint(1, 20)))
                roll = rng.random()
                if past:
                    state = (
                        SignupState.ATTENDED if roll < 0.8
                        else SignupState.NO_SHOW if roll < 0.88
                        else SignupState.WITHDRAWN if roll < 0.95
                        else SignupState.DECLINED
                    )  # fmt: skip
                elif held >= shift.capacity:
                    state = SignupState.WAITLISTED
                else:
                    state = (
                        SignupState.ACCEPTED if roll < 0.55
                        else SignupState.APPLIED if roll < 0.88
                        else SignupState.WITHDRAWN if roll < 0.96
                        else SignupState.DECLINED
                    )  # fmt: skip
                if state in (SignupState.ACCEPTED, SignupState.APPLIED):
                    held += 1
                shift.signups.append((person, state.value, at))


# --- the writer -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Counts:
    volunteers: int = 0
    organisations: int = 0
    opportunities: int = 0
    shifts: int = 0
    signups: int = 0
    hours: int = 0


class _Writer:
    def __init__(self, session: Session, city: _City, *, progress: bool) -> None:
        self.session = session
        self.city = city
        self.progress = progress
        self.skill_ids, self.cause_ids = reference_ids(session)
        self.counts = _Counts()
        self.person_ids: dict[int, int] = {}
        self.coordinator_id: int | None = None
        self.org_admin_id: int | None = None

    def bar(self, total: int, desc: str) -> "tqdm[Any]":
        return tqdm(
            total=total, desc=desc, unit=" rows", file=sys.stderr, disable=not self.progress
        )

    def people(self, count: int, password_hash: str, pools: _Pools) -> None:
        existing = set(
            self.session.exec(
                select(User.email_key, User.id).where(
                    col(User.email_key).like(f"%@{GENERATED_DOMAIN}")
                )
            ).all()
        )
        ids_by_email: dict[str, int] = {key: id_ for key, id_ in existing if id_ is not None}
        pending: list[_Person] = []
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

    def _write_people(self, people: list[_Person]) -> None:
        ids = _insert_returning_ids(self.session, User, [p.user for p in people])
        profiles, skills, causes = [], [], []
        for person, user_id in zip(people, ids, strict=True):
            self.person_ids[person.index] = user_id
            profiles.append({**person.profile, "user_id": user_id})
            skills += [{"user_id": user_id, "skill_id": self.skill_ids[s]} for s in person.skills]
            causes += [{"user_id": user_id, "cause_id": self.cause_ids[c]} for c in person.causes]
        _insert(self.session, VolunteerProfile, profiles)
        _insert(self.session, VolunteerSkill, skills)
        _insert(self.session, VolunteerCause, causes)
        self.counts.volunteers += len(people)

    def organisations(self, scale: Scale, pools: _Pools) -> list[_OrgPlan]:
        existing = set(
            self.session.exec(
                select(Organisation.contact_email).where(
                    col(Organisation.contact_email).like(f"%.{GENERATED_DOMAIN}")
                )
            ).all()
        )
        written: list[_OrgPlan] = []
        pending: list[_OrgPlan] = []
        needs = 0
        index = 0
        with self.bar(scale.opportunities, "opportunities") as bar:
            while index < scale.organisations or needs < scale.opportunities:
                plan = self.city.organisation(index, pools)
                needs += len(plan.needs)
                bar.update(len(plan.needs))
                if plan.row["contact_email"] not in existing:
                    _plan_signups(self.city, plan, pools)
                    pending.append(plan)
                if len(pending) >= BATCH // 10:
                    self._write_organisations(pending)
                    written += pending
                    pending = []
                index += 1
            self._write_organisations(pending)
        return written + pending

    def _write_organisations(self, plans: list[_OrgPlan]) -> None:
        if not plans:
            return
        coordinator = self.coordinator_id
        org_rows = [
            {**p.row, "verified_by_id": coordinator if p.row["verified_at"] else None}
            for p in plans
        ]
        org_ids = _insert_returning_ids(self.session, Organisation, org_rows)
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
        _insert(self.session, Membership, memberships)
        _insert(self.session, OrganisationCause, org_causes)
        need_ids = _insert_returning_ids(self.session, Opportunity, need_rows)
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
        _insert(self.session, OpportunitySkill, links_skills)
        _insert(self.session, OpportunityCause, links_causes)
        shift_ids = _insert_returning_ids(self.session, Shift, shift_rows)
        self._write_signups(shift_plans, shift_ids)
        self.counts.organisations += len(plans)
        self.counts.opportunities += len(need_rows)
        self.counts.shifts += len(shift_rows)

    def _write_signups(
        self, shifts: list[tuple[_ShiftPlan, int, int | None]], shift_ids: list[int]
    ) -> None:
        rows, attended = [], []
        decided = {
            SignupState.ACCEPTED, SignupState.DECLINED, SignupState.ATTENDED,
            SignupState.NO_SHOW,
        }  # fmt: skip
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
                    }
                )
                if state == SignupState.ATTENDED:
                    attended.append((len(rows) - 1, shift, org_id, admin, user_id))
        signup_ids = _insert_returning_ids(self.session, Signup, rows)
        hours = []
        for position, shift, org_id, admin, user_id in attended:
            rng = self.city.rng("hours", signup_ids[position])
            roll = rng.random()
            state = (
                HourState.CONFIRMED if roll < 0.7
                else HourState.SUBMITTED if roll < 0.95
                else HourState.REJECTED
            )  # fmt: skip
            submitted = min(self.city.now, shift.ends_at + timedelta(hours=rng.randint(1, 48)))
            hours.append(
                {
                    "user_id": user_id,
                    "organisation_id": org_id,
                    "signup_id": signup_ids[position],
                    "worked_on": shift.starts_at.astimezone(self.city.tz).date(),
                    "minutes": int((shift.ends_at - shift.starts_at).total_seconds() // 60),
                    "note": "",
                    "state": state.value,
                    "created_at": submitted,
                    "decided_at": min(self.city.now, submitted + timedelta(days=2))
                    if state != HourState.SUBMITTED
                    else None,
                    "decided_by_id": admin if state != HourState.SUBMITTED else None,
                }
            )
        _insert(self.session, HourEntry, hours)
        self.counts.signups += len(rows)
        self.counts.hours += len(hours)


# --- the demo accounts ----------------------------------------------------------------------------


def _demo_accounts(session: Session, city: _City, password_hash: str) -> dict[str, User]:
    """The three known logins; created once, then left alone (a user may have changed them)."""
    accounts: dict[str, User] = {}
    for email, first, last, role in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email_key == email)).first()
        if user is None:
            user = User(
                email=email,
                email_key=email,
                password_hash=password_hash,
                first_name=first,
                last_name=last,
                role=role.value,
                created_at=city.now - timedelta(days=400),
                email_verified_at=city.now - timedelta(days=400),
            )
            session.add(user)
            session.flush()
            if email == DEMO_VOLUNTEER:
                _demo_volunteer_profile(session, city, user)
        accounts[email] = user
    return accounts


def _demo_volunteer_profile(session: Session, city: _City, user: User) -> None:
    """Lena from Höntrop: enough profile for good recommendations out of the box."""
    postcode = city.gaz.postcode("44869")
    assert postcode is not None and user.id is not None
    session.add(
        VolunteerProfile(
            user_id=user.id,
            postcode=postcode.code,
            address="Höntroper Straße 10",
            district_number=postcode.district_number,
            lat=postcode.lat,
            lon=postcode.lon,
            radius_km=6.0,
            # Mon-Fri evenings, Saturday morning and afternoon.
            availability=sum(1 << (d * 3 + 2) for d in range(5)) | 1 << 15 | 1 << 16,
            languages=["de", "en"],
            about="Ich arbeite im Büro und suche abends oder samstags etwas mit Menschen.",
            completed_at=city.now - timedelta(days=390),
            updated_at=city.now - timedelta(days=390),
        )
    )
    skill_ids, cause_ids = reference_ids(session)
    for slug in ("homework-help", "reading-aloud", "first-aid", "driving-licence-b", "gardening"):
        session.add(VolunteerSkill(user_id=user.id, skill_id=skill_ids[slug]))
    for slug in ("children-youth", "education", "environment"):
        session.add(VolunteerCause(user_id=user.id, cause_id=cause_ids[slug]))
    session.flush()


def _demo_volunteer_history(session: Session, city: _City, user: User) -> None:
    """Sign-ups in each state and a year of hours, so every page of the journey has content."""
    assert user.id is not None
    shifts = session.exec(
        select(Shift, Opportunity)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(Opportunity.status == OpportunityStatus.PUBLISHED.value)
        .where(col(Organisation.verified_at).is_not(None))
        .where(Organisation.district_number == 28)
        .where(col(Shift.cancelled_at).is_(None))
        .order_by(col(Shift.starts_at))
    ).all()
    taken = set(session.exec(select(Signup.shift_id).where(Signup.user_id == user.id)).all())
    future = [(s, o) for s, o in shifts if s.starts_at > city.now and s.id not in taken]
    past = [(s, o) for s, o in shifts if s.ends_at <= city.now and s.id not in taken]
    plan = [(future, SignupState.ACCEPTED), (future, SignupState.APPLIED)]
    plan += [(past, SignupState.ATTENDED)]
    for pool, state in plan:
        if not pool:
            continue
        shift, opportunity = pool.pop(0)
        assert shift.id is not None  # loaded from the database
        at = min(city.now, shift.starts_at - timedelta(days=3))
        signup = Signup(
            shift_id=shift.id, user_id=user.id, state=state.value, created_at=at, updated_at=at,
            decided_at=at if state != SignupState.APPLIED else None,
        )  # fmt: skip
        session.add(signup)
        session.flush()
        if state == SignupState.ATTENDED:
            session.add(
                HourEntry(
                    user_id=user.id, organisation_id=opportunity.organisation_id,
                    signup_id=signup.id, worked_on=shift.starts_at.astimezone(city.tz).date(),
                    minutes=int((shift.ends_at - shift.starts_at).total_seconds() // 60),
                    state=HourState.SUBMITTED.value, created_at=min(city.now, shift.ends_at),
                )
            )  # fmt: skip
    if shifts:
        # A year of weekly homework help: close to (not yet at) the Ehrenamtskarte's 200 hours.
        org_id = shifts[0][1].organisation_id
        today = city.now.astimezone(city.tz).date()
        for week in range(1, 47):
            worked = today - timedelta(weeks=week)
            at = datetime.combine(worked, time(20), tzinfo=city.tz)
            session.add(
                HourEntry(
                    user_id=user.id, organisation_id=org_id, worked_on=worked, minutes=240,
                    note="Hausaufgabenhilfe", state=HourState.CONFIRMED.value,
                    created_at=at, decided_at=at + timedelta(days=2),
                )
            )  # fmt: skip
    session.flush()


# --- entry point ----------------------------------------------------------------------------------


def load_demo_data(
    session: Session,
    *,
    now: datetime,
    scale: str | Scale = "demo",
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
) -> list[str]:
    """Fill the database with a realistic Bochum; returns summary lines for the CLI. Flushes only.

    ``scale`` is "demo" (≥ 60 associations in all 30 districts, ≥ 400 volunteers, ≥ 150 needs),
    "bochum" (150,000 volunteers, 10,000 needs) or a :class:`Scale`. ``progress`` shows tqdm
    bars on stderr (default: when stderr is a terminal).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    size = SCALES[scale] if isinstance(scale, str) else scale
    show = sys.stderr.isatty() if progress is None else progress
    reference = sync_reference_data(session)
    city = _City(default_gazetteer(), now=now, seed=seed)
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow by design: once for everyone
    accounts = _demo_accounts(session, city, password_hash)
    volunteer = accounts[DEMO_VOLUNTEER]
    had_history = bool(
        session.exec(
            select(func.count()).select_from(Signup).where(Signup.user_id == volunteer.id)
        ).one()
    )

    writer = _Writer(session, city, progress=show)
    writer.coordinator_id = accounts[DEMO_COORDINATOR].id
    writer.org_admin_id = accounts[DEMO_ORG_ADMIN].id
    pools = _Pools()
    writer.people(size.volunteers, password_hash, pools)
    writer.organisations(size, pools)
    if not had_history:
        _demo_volunteer_history(session, city, volunteer)
    session.flush()
    c = writer.counts
    return [
        str(reference),
        f"Demo data ({scale if isinstance(scale, str) else 'custom'}): added {c.volunteers} "
        f"volunteers, {c.organisations} organisations, {c.opportunities} opportunities, "
        f"{c.shifts} shifts, {c.signups} sign-ups, {c.hours} hour entries",
        LOGINS_TEXT,
    ]
