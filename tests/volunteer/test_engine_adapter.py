"""The bridge from database rows to the matching engine, and the translated reasons."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from volunteer.models import (
    Opportunity,
    OpportunitySkill,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    SignupState,
    Skill,
    SkillCategory,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.discovery import engine, engine_values
from volunteer.web.wording.reasons import missing_text, reason_text

# Bochum Hauptbahnhof and a place about 2 km south (Südinnenstadt / Ehrenfeld).
HBF = (51.4788, 7.2232)
SOUTH = (51.4608, 7.2210)


@pytest.fixture(autouse=True)
def _fresh_cache():
    engine.invalidate()
    yield
    engine.invalidate()


@pytest.fixture
def skills(session):
    session.add(SkillCategory(slug="education", label_de="Bildung", label_en="Education"))
    session.commit()
    session.add_all(
        [
            Skill(
                slug="homework-help",
                category_slug="education",
                label_de="Hausaufgabenhilfe",
                label_en="Homework help",
            ),
            Skill(
                slug="reading-aloud",
                category_slug="education",
                label_de="Vorlesen",
                label_en="Reading aloud",
            ),
        ]
    )
    session.commit()
    return {s.slug: s for s in session.exec(__import__("sqlmodel").select(Skill)).all()}


@pytest.fixture
def volunteer(session, make_user, skills, now):
    user = make_user(first_name="Mia")
    session.add(
        VolunteerProfile(
            user_id=user.id,
            lat=HBF[0],
            lon=HBF[1],
            radius_km=5,
            availability=(1 << 15) | (1 << 16),  # sat morning + afternoon
            completed_at=now,
            languages=["de"],
            discoverable=True,
        )
    )
    session.add(VolunteerSkill(user_id=user.id, skill_id=skills["homework-help"].id))
    session.commit()
    return user


def _need(
    session,
    skills,
    *,
    verified=True,
    status=OpportunityStatus.PUBLISHED,
    capacity=2,
    where=SOUTH,
    skill="homework-help",
    title="Hausaufgabenhilfe in Ehrenfeld",
):
    org = Organisation(
        name=f"Verein für {title}",
        verified_at=datetime(2026, 1, 1, tzinfo=UTC) if verified else None,
    )
    session.add(org)
    session.commit()
    opp = Opportunity(
        organisation_id=org.id, title=title, status=status, lat=where[0], lon=where[1]
    )
    session.add(opp)
    session.commit()
    session.add(OpportunitySkill(opportunity_id=opp.id, skill_id=skills[skill].id, required=True))
    # Saturday 5 December 2026, 10:00 Berlin = 09:00 UTC
    shift = Shift(
        opportunity_id=opp.id,
        starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 11, tzinfo=UTC),
        capacity=capacity,
    )
    session.add(shift)
    session.commit()
    return opp, shift


def test_recommendations_come_with_reasons(session, volunteer, skills, now, app):
    opp, _ = _need(session, skills)
    recs = engine.recommend(session, volunteer, now=now)
    assert [r.opportunity.id for r in recs] == [opp.id]
    codes = {r["code"]: r for r in recs[0].match.reasons}
    assert codes["skills_matched"]["matched"] == 1
    assert 1.9 < codes["distance"]["km"] < 2.2
    assert codes["fits_slot"]["slots"] == ["sat-morning"]
    with app.test_request_context(headers={"Accept-Language": "de"}):
        texts = [reason_text(r) for r in recs[0].match.reasons]
    assert "1 von 1 gewünschten Fähigkeit" in texts
    assert any(t.endswith("km von deinem Zuhause") and "," in t for t in texts)
    assert "passt Samstag Vormittag" in texts


def test_unlisted_full_and_already_joined_needs_are_not_recommended(
    session, volunteer, skills, now
):
    _need(session, skills, verified=False, title="Unverifiziert")
    _need(session, skills, status=OpportunityStatus.DRAFT, title="Entwurf")
    _full, full_shift = _need(session, skills, capacity=1, title="Voll")
    session.add(Signup(shift_id=full_shift.id, user_id=None, state=SignupState.ACCEPTED))
    _joined, joined_shift = _need(session, skills, title="Schon dabei")
    session.add(Signup(shift_id=joined_shift.id, user_id=volunteer.id, state=SignupState.APPLIED))
    session.commit()
    assert engine.recommend(session, volunteer, now=now) == []


def test_no_profile_means_no_recommendations(session, make_user, now):
    assert engine.recommend(session, make_user(), now=now) == []


def test_explanation_names_what_is_missing(session, volunteer, skills, now, app):
    far_away = (51.52, 7.35)
    opp, _ = _need(session, skills, skill="reading-aloud", where=far_away)
    explanation = engine.explain_for(session, volunteer, opp, now=now)
    assert explanation is not None and not explanation.eligible
    codes = {m["code"] for m in explanation.missing}
    assert {"missing_skill", "beyond_radius"} <= codes
    with app.test_request_context(headers={"Accept-Language": "en"}):
        texts = [missing_text(m) for m in explanation.missing]
    assert "needs the skill “Reading aloud”" in texts


def test_candidates_are_discoverable_volunteers_not_yet_signed_up(
    session, volunteer, make_user, skills, now
):
    opp, shift = _need(session, skills)
    hidden = make_user(first_name="Ole")
    session.add(
        VolunteerProfile(
            user_id=hidden.id,
            lat=HBF[0],
            lon=HBF[1],
            radius_km=5,
            availability=1 << 15,
            completed_at=now,
            discoverable=False,
        )
    )
    session.add(VolunteerSkill(user_id=hidden.id, skill_id=skills["homework-help"].id))
    session.commit()
    assert [c.user.id for c in engine.candidates(session, opp, now=now)] == [volunteer.id]
    engine.invalidate()
    session.add(Signup(shift_id=shift.id, user_id=volunteer.id, state=SignupState.APPLIED))
    session.commit()
    assert engine.candidates(session, opp, now=now) == []


@pytest.mark.parametrize(
    ("moment", "slot"),
    [
        (datetime(2026, 3, 28, 10, 59, tzinfo=UTC), "sat-morning"),  # 11:59 CET
        (datetime(2026, 3, 29, 10, 30, tzinfo=UTC), "sun-afternoon"),  # 12:30 CEST, after DST
        (datetime(2026, 10, 25, 15, 30, tzinfo=UTC), "sun-afternoon"),  # 16:30 CET
        (datetime(2026, 10, 24, 15, 30, tzinfo=UTC), "sat-evening"),  # 17:30 CEST
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "fri-morning"),  # 00:30 on 1 Jan
    ],
)
def test_slots_are_computed_in_berlin_time_across_dst(moment, slot):
    assert engine_values.slot_of(moment) == slot


def test_pool_is_cached_until_a_commit_changes_what_it_is_built_from(
    session, volunteer, skills, now
):
    first = engine.opportunity_pool(session, now=now)
    assert engine.opportunity_pool(session, now=now) is first
    _need(session, skills)  # commits a new need: the index follows the commit
    assert len(engine.opportunity_pool(session, now=now + timedelta(seconds=1)).index.items) == 1


def test_a_stale_pool_is_served_while_a_new_one_is_built_in_the_background(
    session, volunteer, skills, now
):
    import time

    # A bulk SQL update is not seen by the ORM's flush: only the ttl brings the index up to date.
    _need(session, skills, status=OpportunityStatus.DRAFT)
    first = engine.opportunity_pool(session, now=now)
    assert len(first.index.items) == 0
    session.execute(update(Opportunity).values(status=OpportunityStatus.PUBLISHED))
    session.commit()
    stale = engine.opportunity_pool(session, now=now, ttl=0)  # expired: served, refresh starts
    assert stale is first
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fresh = engine.opportunity_pool(session, now=now, ttl=3600)
        if fresh is not first:
            break
        time.sleep(0.05)
    assert len(fresh.index.items) == 1


def test_recommendations_are_rows_of_the_callers_session(bind, volunteer, skills, now):
    from sqlmodel import Session

    with Session(bind=bind) as s1:
        opp, _ = _need(s1, skills)
        engine.recommend(s1, s1.get(type(volunteer), volunteer.id), now=now)
    with Session(bind=bind) as s2:
        (rec,) = engine.recommend(s2, s2.get(type(volunteer), volunteer.id), now=now)
        assert rec.opportunity in s2 and rec.opportunity.title == opp.title
