"""The demo city's plan: which people, associations, needs, shifts and sign-ups it has.

Pure planning from the content in :mod:`volunteer.demo.content` and seeded random streams (no
database writes); :mod:`volunteer.demo.writer` turns a plan into rows and
:mod:`volunteer.demo.city` ties both together.
"""

import math
import random
import re
import secrets
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from volunteer.catalogue.gazetteer import District as CityDistrict
from volunteer.catalogue.gazetteer import Gazetteer
from volunteer.catalogue.reference import load_causes, load_skills
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
    Opportunity,
    OpportunityStatus,
    Organisation,
    Role,
    Shift,
    Signup,
    User,
    VolunteerProfile,
)

GENERATED_DOMAIN = "example.org"
DEFAULT_SEED = 2026
HORIZON = timedelta(weeks=8)
PAST_WEEKS = 3


@dataclass(frozen=True, slots=True)
class Scale:
    """How big the generated city is. Associations are added until both minimums are met."""

    volunteers: int
    organisations: int
    opportunities: int
    history_days: int = 0  # past engagement before the planned weeks (``history.py``)


SCALES: dict[str, Scale] = {
    "demo": Scale(volunteers=420, organisations=66, opportunities=150),
    # Two years of history: the match statistics' benchmark (bench/dashboard_bench.py) needs it.
    "bochum": Scale(volunteers=150_000, organisations=66, opportunities=10_000, history_days=730),
}


# --- small helpers --------------------------------------------------------------------------------

_ASCII = str.maketrans({"ß": "ss", "ı": "i", "ł": "l", "đ": "d", "ä": "ae", "ö": "oe", "ü": "ue"})


def slugify(text: str) -> str:
    """An e-mail- and URL-safe ASCII slug ("Şahin" -> "sahin", "Müller" -> "mueller")."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def availability_mask(rng: random.Random, persona: str) -> int:
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


# --- plans: what one generated person or association looks like ----------------------------------


@dataclass(slots=True)
class Person:
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
class ShiftPlan:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    place: str
    series_id: str | None
    cancelled: bool
    signups: list[tuple[int, str, datetime]] = field(default_factory=list)  # person, state, at


@dataclass(slots=True)
class NeedPlan:
    row: dict[str, Any]
    skills: list[tuple[str, bool]]
    causes: list[str]
    shifts: list[ShiftPlan]


@dataclass(slots=True)
class OrgPlan:
    index: int
    row: dict[str, Any]
    causes: list[str]
    borough: int
    admin: int | None  # person index; None = the demo org admin account
    member: int | None
    needs: list[NeedPlan]


class Pools:
    """Generated people by borough, so sign-ups and admins come from nearby."""

    def __init__(self) -> None:
        self.everyone: dict[int, list[int]] = defaultdict(list)
        self.adults: dict[int, list[int]] = defaultdict(list)

    def add(self, person: Person) -> None:
        self.everyone[person.borough].append(person.index)
        if person.adult:
            self.adults[person.borough].append(person.index)

    def pick(self, rng: random.Random, borough: int, *, adult: bool) -> int | None:
        pool = (self.adults if adult else self.everyone).get(borough)
        return rng.choice(pool) if pool else None

    def sample(self, rng: random.Random, borough: int, k: int, *, adult: bool) -> list[int]:
        pool = (self.adults if adult else self.everyone).get(borough, [])
        return rng.sample(pool, min(k, len(pool)))


class CityPlan:
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
            model: row_defaults(model)
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
    def person(self, index: int, password_hash: str) -> Person:
        rng = self.rng("volunteer", index)
        group = rng.choices(NAME_GROUPS, weights=[g.weight for g in NAME_GROUPS])[0]
        female = rng.random() < 0.56
        first = rng.choice(group.female if female else group.male)
        last = rng.choice(group.surnames)
        email = f"{slugify(first)}.{slugify(last)}.{index + 1}@{GENERATED_DOMAIN}"
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
            "availability": availability_mask(rng, persona),
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
        return Person(
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
    def organisation(self, index: int, pools: Pools) -> OrgPlan:
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
        slug = slugify(name.removesuffix(" e.V."))[:60].strip("-")
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
        plan = OrgPlan(
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
        org: OrgPlan,
        district: CityDistrict,
        words: dict[str, str],
        place: str,
        position: int,
    ) -> NeedPlan:
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
        return NeedPlan(
            row=row,
            skills=skills,
            causes=list(need.causes),
            shifts=self.shifts(rng, need, place, created, position),
        )

    def shifts(
        self, rng: random.Random, need: NeedTemplate, place: str, created: datetime, position: int
    ) -> list[ShiftPlan]:
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
                ShiftPlan(
                    starts_at=starts,
                    ends_at=ends,
                    capacity=capacity,
                    place=place,
                    series_id=series,
                    cancelled=starts > self.now and rng.random() < 0.02,
                )
            )
        return plans


def row_defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column defaults for bulk rows (bulk inserts bypass SQLModel's Python-side defaults).

    Timestamps are left out on purpose: every generated time derives from ``now``, and a missing
    one should fail loudly (NOT NULL) rather than silently take the wall clock. Optional columns
    are given as None, so that every row of a model has the same keys: a bulk insert takes its
    columns from the first row of a batch, and a key only some rows carry (a minor's guardian
    address) was dropped, or failed the batch, depending on which row came first.
    """
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id" or info.is_required():
            continue
        default = info.get_default(call_default_factory=True)
        if not isinstance(default, datetime):
            values[name] = default
    return values
