"""Two people racing for the last place never overbook it: real threads, separate connections.

Not the in-memory StaticPool fixture (one shared connection would serialise everything by
accident): a file SQLite database, and a throw-away schema in the PostgreSQL test database.
"""

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

import volunteer.models  # noqa: F401
from tests.factories import make_opportunity, make_shift
from volunteer.models import Notice, Shift, Signup, SignupState, User
from volunteer.platform.db import make_engine
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
RACERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def race_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
        SQLModel.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    url = os.environ.get("VOLUNTEER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI must test PostgreSQL: VOLUNTEER_TEST_POSTGRES_URL is not set")
        pytest.skip("VOLUNTEER_TEST_POSTGRES_URL is not set (PostgreSQL tests run in CI)")
    schema = f"race_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    SQLModel.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _setup(engine: Engine, capacity: int) -> tuple[int, list[int]]:
    with Session(engine, expire_on_commit=False) as s:
        shift = make_shift(s, NOW, make_opportunity(s, NOW), capacity=capacity)
        users = [
            User(
                email=f"racer{i}@example.org",
                email_key=f"racer{i}@example.org",
                password_hash="x",
                email_verified_at=NOW,
            )
            for i in range(RACERS)
        ]
        s.add_all(users)
        s.commit()
        return shift.id, [u.id for u in users]


def _race(engine: Engine, shift_id: int, user_ids: list[int], **kwargs: object) -> list[str]:
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user_id: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            user = s.get(User, user_id)
            shift = s.get(Shift, shift_id)
            barrier.wait()
            try:
                signup = signups.sign_up(s, user, shift, now=NOW, **kwargs)  # type: ignore[arg-type]
                s.commit()
                result = str(signup.state)
            except ServiceError as err:
                s.rollback()
                result = err.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_parallel_sign_ups_for_the_last_place_never_overbook(race_engine: Engine) -> None:
    shift_id, user_ids = _setup(race_engine, capacity=1)
    outcomes = _race(race_engine, shift_id, user_ids)
    assert len(outcomes) == RACERS
    assert outcomes.count(SignupState.APPLIED) == 1
    assert outcomes.count("shift_full") == RACERS - 1
    with Session(race_engine) as s:
        assert signups.places_taken(s, s.get(Shift, shift_id)) == 1
        assert len(s.exec(select(Signup)).all()) == 1


def test_parallel_sign_ups_fill_places_and_queue_the_rest_in_order(race_engine: Engine) -> None:
    shift_id, user_ids = _setup(race_engine, capacity=3)
    outcomes = _race(race_engine, shift_id, user_ids, join_waitlist=True)
    assert outcomes.count(SignupState.APPLIED) == 3
    assert outcomes.count(SignupState.WAITLISTED) == RACERS - 3
    with Session(race_engine, expire_on_commit=False) as s:
        shift = s.get(Shift, shift_id)
        assert signups.places_taken(s, shift) == 3
        holder = s.exec(select(Signup).where(Signup.state == SignupState.APPLIED)).first()
        user = s.get(User, holder.user_id)
        signups.withdraw(s, holder, by=user, now=NOW + timedelta(minutes=1))
        s.commit()
        assert signups.places_taken(s, shift) == 3
        kinds = s.exec(select(Notice.kind).where(Notice.kind == "waitlist_moved_up")).all()
        assert len(kinds) == 2  # e-mail and in-app for the one person moved up
