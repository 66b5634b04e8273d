"""Recognition milestones and the weekly digest, called directly with a fixed ``now`` and
delivered through the recording channel."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from notifications.rules.volunteers import schedule_digests, schedule_recognition
from notifications.scheduler import SCHEDULE, rules
from tests.factories import make_hours, make_opportunity, make_shift, set_profile
from volunteer.models import (
    Notice,
    Opportunity,
    User,
)
from volunteer.services.discovery import engine

HBF = (51.4788, 7.2232)
EVERY_SLOT = (1 << 21) - 1


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Any:
    engine.invalidate()
    yield
    engine.invalidate()


def _hours(session: Session, w: dict[str, Any], day: date, minutes: int, decided: datetime) -> None:
    make_hours(
        session, w["volunteer"], w["org"], worked_on=day, minutes=minutes, decided_at=decided
    )


def test_recognition_announces_recent_milestones_once_in_the_readers_language(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    w = world()
    session.delete(w["entry"])  # the fixture's entry lies in the future
    _hours(session, w, date(2026, 11, 20), 300, now - timedelta(days=6))
    _hours(session, w, date(2026, 11, 26), 330, now - timedelta(days=1))  # 10.5 h in all
    w["volunteer"].locale = "en"
    session.add(w["volunteer"])
    session.commit()
    assert schedule_recognition(session, now=now) == 2  # first engagement, 10 hours
    assert schedule_recognition(session, now=now + timedelta(hours=1)) == 0  # idempotent
    session.commit()
    keys = {n.dedupe_key for n in session.exec(select(Notice).where(Notice.channel == "email"))}
    uid = w["volunteer"].id
    assert keys == {
        f"recognition:{uid}:first_engagement:email",
        f"recognition:{uid}:hours_10:email",
    }
    dispatcher.run_until_idle()
    subjects = sorted(m.subject for _n, m in recording.sent)
    assert subjects == [
        "Congratulations: 10 confirmed hours",
        "Congratulations: your first engagement",
    ]


def test_old_milestones_are_not_announced_but_the_first_anniversary_is(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    w = world()
    session.delete(w["entry"])
    year_ago = (now - timedelta(days=370)).date()
    _hours(session, w, year_ago, 720, now - timedelta(days=369))  # 12 h, a year ago
    session.commit()
    assert schedule_recognition(session, now=now) == 1
    session.commit()
    dispatcher.run_until_idle()
    ((notice, message),) = recording.sent
    assert notice.payload["milestone"] == "one_year"
    assert message.subject == "Glückwunsch: ein Jahr Engagement"


def _volunteer(session: Session, make_user: Callable[..., User], now: datetime, **kw: Any) -> User:
    user = make_user(first_name="Mia", locale="de")
    set_profile(
        session,
        user,
        lat=HBF[0],
        lon=HBF[1],
        radius_km=10,
        availability=EVERY_SLOT,
        completed_at=now - timedelta(days=60),
        languages=["de"],
        **kw,
    )
    return user


def _publish(session: Session, w: dict[str, Any], title: str, at: datetime) -> Opportunity:
    opp = make_opportunity(
        session,
        at,
        w["org"],
        title=title,
        description="",
        address="Kortumstraße 1, 44787 Bochum",
        lat=HBF[0] + 0.01,
        lon=HBF[1],
        published_at=at,
        created_at=at,
    )
    make_shift(
        session,
        at,
        opp,
        starts_in=timedelta(days=10),
        hours=2,
        capacity=5,
        place="",
        created_at=at,
        updated_at=at,
    )
    engine.invalidate()
    return opp


def test_weekly_digest_lists_new_matches_with_reasons_only_when_something_is_new(
    session: Session,
    world: Callable[..., dict[str, Any]],
    make_user: Callable[..., User],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    w = world()
    _publish(session, w, "Vorlesen in der Stadtbücherei", now - timedelta(days=2))
    _publish(session, w, "Alt und längst bekannt", now - timedelta(days=30))
    mia = _volunteer(session, make_user, now)
    quiet = _volunteer(session, make_user, now, digest_frequency="never")
    assert schedule_digests(session, now=now) == 1  # Mia only; the other chose "never"
    assert schedule_digests(session, now=now + timedelta(hours=2)) == 0  # same week
    session.commit()
    digest = session.exec(
        select(Notice).where(Notice.kind == "digest", Notice.channel == "email")
    ).one()
    assert digest.user_id == mia.id and digest.user_id != quiet.id
    titles = {session.get(Opportunity, i).title for i in digest.payload["opportunity_ids"]}  # type: ignore[union-attr]
    assert "Vorlesen in der Stadtbücherei" in titles and "Alt und längst bekannt" not in titles
    assert len(titles) <= 5
    dispatcher.run_until_idle()
    ((_n, message),) = recording.sent
    assert "Vorlesen in der Stadtbücherei" in message.text
    assert " km von deinem Zuhause" in message.text  # the engine's reason, worded in German
    # Next week, nothing new: no digest. Then a new need appears: a digest with only that one.
    next_week = now + timedelta(days=7)
    assert schedule_digests(session, now=next_week) == 0
    _publish(session, w, "Hausaufgabenhilfe", next_week - timedelta(days=1))
    assert schedule_digests(session, now=next_week) == 1
    session.commit()
    latest = session.exec(
        select(Notice)
        .where(Notice.kind == "digest", Notice.channel == "email")
        .order_by(Notice.id.desc())  # type: ignore[union-attr]
    ).first()
    assert latest is not None
    assert [session.get(Opportunity, i).title for i in latest.payload["opportunity_ids"]] == [  # type: ignore[union-attr]
        "Hausaufgabenhilfe"
    ]


def test_the_scheduler_runs_recognition_and_digest_rules() -> None:
    table = rules()
    assert table["recognition"] is schedule_recognition and table["digest"] is schedule_digests
    assert SCHEDULE["digest"]["trigger"] == "cron" and SCHEDULE["recognition"]["minutes"] == 15
