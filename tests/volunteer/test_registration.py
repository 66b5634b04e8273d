"""Registration answers alike for known and unknown addresses, and a race on one address is no 500.

Known or not, the person gets the same page ("check your mail") and is not logged in; a known
address gets a mail to its owner instead of an error, and the password is hashed either way,
so the answer takes the same work. Two registrations of one address at once meet the unique
e-mail key: both are answered alike, exactly one account exists.
"""

import re
import threading

from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.conftest import FIXED_NOW
from tests.volunteer.test_signup_race import race_engine  # noqa: F401  (the fixture)
from volunteer.app import create_app
from volunteer.models import Notice, User
from volunteer.services.accounts import account

_PER_REQUEST = re.compile(
    r'(name="csrf_token" [^>]*value|value="[^"]*" name="csrf_token"|nonce)="[^"]*"'
)
FORM = {"first_name": "Lena", "password": "Zwei Bäume am Kemnader See", "accept_terms": "y"}


def _register(app: Flask, email: str) -> tuple[int, str, str]:
    """Register from a fresh browser: the first status, where it leads, and the page shown."""
    client = app.test_client()
    first = client.post("/konto/registrieren", data={**FORM, "email": email})
    page = client.get(first.headers.get("Location", "/"))
    home = client.get("/konto/")  # logged in? (the settings page needs a login)
    return first.status_code, f"{first.headers.get('Location')} {home.status_code}", page.text


def test_known_and_unknown_addresses_get_the_same_answer_and_the_owner_a_mail(
    app, session, make_user, monkeypatch
):
    hashed: list[str] = []
    real = account.hash_password
    monkeypatch.setattr(account, "hash_password", lambda pw: hashed.append(pw) or real(pw))
    owner = make_user(email="Mia@Example.org", first_name="Mia")

    known = _register(app, "mia@EXAMPLE.org")
    unknown = _register(app, "mib@EXAMPLE.org")  # same length: the pages may differ in nothing
    assert known[0] == unknown[0] == 302
    assert known[1] == unknown[1] == "/konto/anmelden 302"  # nobody is logged in by it
    assert _same(known[2]) == _same(unknown[2]).replace("mib@", "mia@")
    assert "Bitte schau in dein Postfach" in known[2]
    assert hashed == [FORM["password"], FORM["password"]]  # the hash ran in both branches

    session.expire_all()
    assert session.exec(select(User).where(User.email_key == "mia@example.org")).one() == owner
    told = session.exec(select(Notice).where(Notice.user_id == owner.id)).all()
    assert [(n.kind, n.to_email, n.status) for n in told] == [
        ("registration_attempt", "Mia@Example.org", "pending")
    ]  # the owner is told, and gets no verification link
    new = session.exec(select(User).where(User.email_key == "mib@example.org")).one()
    assert new.email_verified_at is None
    assert [n.kind for n in session.exec(select(Notice).where(Notice.user_id == new.id))] == [
        "verify_email"
    ]


def _same(page: str) -> str:
    return _PER_REQUEST.sub("", page)


def test_a_weak_password_is_refused_alike_for_known_and_unknown_addresses(app, make_user):
    make_user(email="mia@example.org")
    answers = [
        app.test_client().post(
            "/konto/registrieren", data={**FORM, "email": email, "password": "passwort123"}
        )
        for email in ("mia@example.org", "mib@example.org")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    bodies = [_same(a.text).replace("mib@", "mia@") for a in answers]
    assert bodies[0] == bodies[1] and "zu häufig" in bodies[0]


def _race_app(engine: Engine) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "race-test-secret-key-that-is-long-enough-1",
            "DATABASE_BIND": engine,
            "DATABASE_URL": "sqlite://",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "BASE_URL": "http://localhost",
            "CLOCK": lambda: FIXED_NOW,
        }
    )


RACERS = 8


def test_concurrent_registrations_of_one_address_all_get_the_same_answer(
    race_engine: Engine,  # noqa: F811
) -> None:
    app = _race_app(race_engine)
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        client = app.test_client()
        client.get("/konto/registrieren")
        barrier.wait()
        response = client.post(
            "/konto/registrieren", data={**FORM, "email": "Race@Example.org", "first_name": f"R{n}"}
        )
        with lock:
            answers.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert answers == [(302, "/konto/anmelden")] * RACERS
    with Session(race_engine) as s:
        (user,) = s.exec(select(User).where(User.email_key == "race@example.org")).all()
        kinds = [n.kind for n in s.exec(select(Notice).where(Notice.user_id == user.id)).all()]
    assert kinds.count("verify_email") == 1
    # The others were told to the owner; one mail per racing second at most (dedupe key).
    assert set(kinds) <= {"verify_email", "registration_attempt"}
