from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from sqlmodel import col, select

from volunteer.catalogue.reference import (
    load_causes,
    load_languages,
    load_skill_categories,
    load_skills,
)
from volunteer.models import (
    Cause,
    District,
    OpportunityCause,
    OpportunitySkill,
    Shift,
    Skill,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.extensions import csrf, limiter
from volunteer.platform.inputs import parse_date, parse_int
from volunteer.services.discovery import cards, search
from volunteer.services.discovery.listing import listed_opportunity
from volunteer.web.api import bp
from volunteer.web.errors import problem
from volunteer.web.helpers import public_url

csrf.exempt(bp)

FILTERS = {
    "q",
    "skill",
    "cause",
    "district",
    "from",
    "to",
    "minors",
    "step_free",
    "kind",
    "sort",
    "page",
}
API_SORTS = ("soonest", "nearest")


def _api_limit() -> str:
    """Every endpoint of the open-data API shares this per-client limit (``API_RATE_LIMIT``)."""
    return str(current_app.config["API_RATE_LIMIT"])


@bp.after_request
def _open_data(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code == 200:
        # Shared caches may keep an answer for a minute; its words follow the visitor's language
        # (Accept-Language or the language cookie), so caches must key on both. Links are built
        # from BASE_URL, never from the Host header, so the host need not be part of the key.
        response.headers.setdefault("Cache-Control", "public, max-age=60")
        response.vary.update(("Accept-Language", "Cookie"))
    else:
        # Never cache a refusal (a 429 shared by a proxy would lock out every client behind it).
        response.headers["Cache-Control"] = "no-store"
    return response


def _invalid(params: list[dict[str, str]]) -> Response:
    return problem(
        400,
        _("Bad request"),
        _("Some query parameters are not valid."),
        invalid_params=params,
    )


def _validate(
    args: dict[str, str], *, skills: set[str], causes: set[str], districts: set[int]
) -> list[dict[str, str]]:
    """Strict checks: an API client should hear about a typo, unlike a person browsing."""
    errors = []
    for name in args:
        if name not in FILTERS:
            errors.append({"name": name, "reason": _("unknown parameter")})
    checks: dict[str, Callable[[str], bool]] = {
        "skill": lambda v: v in skills,
        "cause": lambda v: v in causes,
        "district": lambda v: parse_int(v, 1) in districts,
        "kind": lambda v: v in search.KINDS,
        "sort": lambda v: v in API_SORTS,
        "minors": lambda v: v in ("0", "1"),
        "step_free": lambda v: v in ("0", "1"),
        "page": lambda v: parse_int(v, 1, search.MAX_PAGE) is not None,
        "q": lambda v: len(v) <= search.MAX_QUERY,
    }
    for name, ok in checks.items():
        if name in args and not ok(args[name]):
            errors.append({"name": name, "reason": _("invalid value")})
    for name in ("from", "to"):
        if name in args and parse_date(args[name]) is None:
            errors.append({"name": name, "reason": _("expected a date like 2026-12-24")})
    return errors


def _opportunity_json(hit: cards.Hit) -> dict[str, Any]:
    o = hit.opportunity
    return {
        "id": o.id,
        "title": o.title,
        "organisation": hit.organisation_name,
        "district": hit.district_name,
        "remote": o.is_remote,
        "next_start": hit.next_start.isoformat() if hit.next_start else None,
        "places_left": hit.places_left,
        "minors_ok": o.minors_ok,
        "step_free": o.step_free,
        "regular": o.regular,
        "url": public_url("opportunities.detail", opportunity_id=o.id),
        "api_url": public_url("api.opportunity", opportunity_id=o.id),
    }


@bp.get("/opportunities")
@limiter.limit(_api_limit)
def opportunities() -> Any:
    db = get_session()
    args = {k: v for k, v in request.args.items()}
    skills = set(db.exec(select(Skill.slug)).all())
    causes = set(db.exec(select(Cause.slug)).all())
    districts = set(db.exec(select(District.number)).all())
    errors = _validate(args, skills=skills, causes=causes, districts=districts)
    if errors:
        return _invalid(errors)
    params = search.parse_params(args, skills=skills, causes=causes, districts=districts)
    result = search.search(db, params, user=None, now=now())
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "items": [_opportunity_json(h) for h in result.hits],
        }
    )


@bp.get("/opportunities/<int:opportunity_id>")
@limiter.limit(_api_limit)
def opportunity(opportunity_id: int) -> Any:
    db = get_session()
    row = listed_opportunity(db, opportunity_id)
    if row is None:
        return problem(404, _("Page not found"), _("No listed opportunity has this id."))
    opp, org = row
    moment = now()
    taken = cards.shift_facts(db, [opp.id or 0], now=moment)
    shifts = db.exec(
        select(Shift)
        .where(
            Shift.opportunity_id == opp.id,
            Shift.starts_at > moment,
            col(Shift.cancelled_at).is_(None),
        )
        .order_by(col(Shift.starts_at))
        .limit(100)
    ).all()
    skills = db.exec(
        select(Skill.slug, OpportunitySkill.required)
        .join(OpportunitySkill, col(OpportunitySkill.skill_id) == col(Skill.id))
        .where(OpportunitySkill.opportunity_id == opp.id)
    ).all()
    causes = db.exec(
        select(Cause.slug)
        .join(OpportunityCause, col(OpportunityCause.cause_id) == col(Cause.id))
        .where(OpportunityCause.opportunity_id == opp.id)
    ).all()
    district = db.get(District, opp.district_number) if opp.district_number else None
    return jsonify(
        {
            "id": opp.id,
            "title": opp.title,
            "description": opp.description,
            "organisation": {"id": org.id, "name": org.name, "kind": org.kind},
            "district": district.name if district else None,
            "remote": opp.is_remote,
            "location": None
            if opp.is_remote or opp.lat is None
            else {"lat": opp.lat, "lon": opp.lon},
            "required_skills": sorted(s for s, req in skills if req),
            "optional_skills": sorted(s for s, req in skills if not req),
            "causes": sorted(causes),
            "languages": opp.languages,
            "minors_ok": opp.minors_ok,
            "step_free": opp.step_free,
            "regular": opp.regular,
            "places_left": taken.get(opp.id or 0, (None, 0))[1],
            "shifts": [
                {
                    "start": s.starts_at.isoformat(),
                    "end": s.ends_at.isoformat(),
                    "capacity": s.capacity,
                    "place": s.place,
                }
                for s in shifts
            ],
            "url": public_url("opportunities.detail", opportunity_id=opp.id),
        }
    )


@bp.get("/districts")
@limiter.limit(_api_limit)
def districts() -> Any:
    return jsonify(
        [
            {
                "number": d.number,
                "name": d.name,
                "borough": d.borough_number,
                "lat": d.lat,
                "lon": d.lon,
                "listed_opportunities": n,
            }
            for d, n in search.district_counts(get_session(), now=now())
        ]
    )


@bp.get("/taxonomy")
@limiter.limit(_api_limit)
def taxonomy() -> Any:
    def labelled(items: Any, key: str) -> list[dict[str, Any]]:
        return [{key: getattr(i, key), "de": i.label_de, "en": i.label_en} for i in items]

    return jsonify(
        {
            "skill_categories": labelled(load_skill_categories(), "slug"),
            "skills": [
                {"slug": s.slug, "category": s.category, "de": s.label_de, "en": s.label_en}
                for s in load_skills()
            ],
            "causes": labelled(load_causes(), "slug"),
            "languages": labelled(load_languages(), "code"),
        }
    )
