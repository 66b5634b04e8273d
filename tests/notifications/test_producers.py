"""Producers and templates agree: every notice kind is written by its real producer (the service
or rule the live path calls) and the row it wrote renders in German and English.

A hand-built payload would test the template against the test's idea of the payload; here the
payload is whatever the producer wrote, so a producer sending ``name`` where the template reads
``volunteer_name`` fails.
"""

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from notifications.render import render
from notifications.rules.coordinators import schedule_coordinator_summaries
from notifications.rules.guardians import schedule_guardian_requests
from notifications.rules.organisations import schedule_unfilled_shifts
from notifications.rules.reminders import schedule_reminders
from notifications.rules.volunteers import schedule_digests, schedule_recognition
from tests.factories import (
    GEOCODER,
    TEST_PASSWORD,
    add_shift,
    create_need,
    make_profile,
    seed_reference,
)
from volunteer.config import DEFAULTS
from volunteer.models import AgeGroup, Notice, ProposalPair, Role, User
from volunteer.platform.links import public_links
from volunteer.platform.signing import fill_slots
from volunteer.services.accounts import account, credentials, guardians, retention
from volunteer.services.accounts.consents import ShownText
from volunteer.services.coordination import proposal, verification
from volunteer.services.discovery import engine
from volunteer.services.engagement import applications, hours, series, signups
from volunteer.services.notices import outbox
from volunteer.services.notices.kinds import KINDS, PayloadMismatch, UnknownKind
from volunteer.services.organisations import invitations
from volunteer.services.organisations import organisation as organisations
from volunteer.services.organisations import shifts as shift_service

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"


def produce_every_kind(
    session: Session, make_user: Callable[..., User], now: datetime, app: Flask
) -> None:
    """Drive each producer once, as the pages and the scheduler do."""
    links = public_links(app)
    seed_reference(session)
    coordinator = make_user(first_name="Clara", role=Role.COORDINATOR)
    admin = make_user(first_name="Vera")
    org = organisations.register(
        session,
        organisations.OrganisationInput(
            name="Tafel Bochum e.V.", kind="verein", address="Kortumstraße 5, 44787 Bochum"
        ),
        by=admin,
        now=now,
        geocoder=GEOCODER,
    )  # organisation_registered
    organisations.verify(session, org, by=coordinator, now=now)  # organisation_verified
    other = organisations.register(
        session,
        organisations.OrganisationInput(
            name="Nachbarschaftshilfe Wattenscheid", kind="initiative", address="44866"
        ),
        by=admin,
        now=now,
        geocoder=GEOCODER,
    )
    verification.decide(
        session, other, "info_requested", by=coordinator, now=now, message="Bitte Satzung senden."
    )  # organisation_info_requested
    verification.decide(
        session, other, "rejected", by=coordinator, now=now, message="Kein Verein in Bochum."
    )  # organisation_rejected
    invitations.invite(
        session,
        org,
        email="neu@example.org",
        role="member",
        by=admin,
        now=now,
        links=links,
        mail_budget=5,
    )  # organisation_invite
    session.commit()
    need = create_need(session, org, admin, now=now, title="Lebensmittel sortieren")
    tomorrow = add_shift(session, need, admin, now=now, days=1, start=time(10), end=time(12))
    in_two_days = add_shift(session, need, admin, now=now, days=2, capacity=3)
    small = add_shift(session, need, admin, now=now, days=5, capacity=1)

    aylin = make_user(first_name="Aylin")
    make_profile(session, aylin, now=now)
    jonas = make_user(first_name="Jonas")
    make_profile(session, jonas, now=now)
    mia = make_user(first_name="Mia")
    make_profile(session, mia, now=now, discoverable=False)
    engine.invalidate()

    applied = signups.sign_up(session, aylin, tomorrow, now=now)  # received, application_new
    applications.decide(session, org, applied, "accept", by=admin, now=now, message="Schön!")
    declined = signups.sign_up(session, mia, in_two_days, now=now)
    applications.decide(session, org, declined, "decline", by=admin, now=now, message="Voll.")
    first = signups.sign_up(session, mia, small, now=now)
    signups.sign_up(session, aylin, small, now=now, join_waitlist=True)
    signups.withdraw(session, first, by=mia, now=now)  # signup_withdrawn, waitlist_moved_up
    applications.message_shift(
        session, org, tomorrow, "Bitte am Tor B klingeln.", by=admin, now=now
    )
    applications.invite_candidate(session, org, need, jonas, by=admin, now=now)
    run = proposal.queue(session, proposal.default_options(now=now), by=coordinator, now=now)
    proposal.claim_next(session, worker="test", now=now)
    proposal.compute(session, run, now=now)
    pair_ids = session.exec(select(ProposalPair.id).where(ProposalPair.run_id == run.id)).all()
    proposal.invite(
        session, run, [int(i) for i in pair_ids if i], by=coordinator, now=now, per_week=2
    )  # proposal_invitation
    session.commit()

    # reminders and the unfilled shift first: changing and cancelling come after.
    schedule_reminders(session, now=now)
    schedule_unfilled_shifts(session, now=now)
    schedule_digests(session, now=now)
    schedule_coordinator_summaries(session, now=now)
    session.commit()

    # Jonas joins a weekly series (one mail for all its dates) and leaves it again (one mail).
    (weekly, *_rest) = shift_service.add_shifts(
        session,
        need,
        shift_service.ShiftInput(
            day=(now + timedelta(days=3)).date(), start=time(9), end=time(11), capacity=1,
            repeat="weekly", repeat_until=(now + timedelta(days=17)).date(),
        ),
        by=admin,
        now=now,
    )  # fmt: skip
    signups.sign_up(session, mia, weekly, now=now)  # so Jonas waits for the first date
    assert weekly.series_id is not None
    series.sign_up_series(session, jonas, weekly.series_id, now=now)  # series_joined
    series.leave_series(session, jonas, weekly.series_id, now=now)  # series_left
    session.commit()

    data = shift_service.ShiftInput(
        day=(now + timedelta(days=1)).date(), start=time(11), end=time(13), capacity=2
    )
    shift_service.edit_shift(session, tomorrow, data, by=admin, now=now)  # shift_changed
    shift_service.cancel_shift(session, small, reason="Die Halle ist gesperrt.", by=admin, now=now)

    account.send_verification(session, jonas, now=now, links=links, hours=24, mail_budget=5)
    account.register(
        session, email=jonas.email.upper(), password="Ein anderer langer Satz 9",
        first_name="Wer auch immer", locale="de", now=now, links=links, min_length=10,
        verify_hours=24, privacy_shown=ShownText(version="1", text="Datenschutz"), mail_budget=5,
    )  # fmt: skip  # registration_attempt: the address has an account
    credentials.request_password_reset(
        session, jonas.email, now=now, links=links, hours=2, mail_budget=5
    )
    credentials.change_password(
        session, jonas, current=TEST_PASSWORD, new="Ein neuer langer Satz 43", now=now,
        min_length=10,
    )  # fmt: skip
    credentials.request_email_change(
        session, jonas, new_email="jonas@example.net", password="Ein neuer langer Satz 43",
        now=now, links=links, hours=24, mail_budget=5,
    )  # fmt: skip
    credentials.request_email_change(
        session, jonas, new_email=mia.email, password="Ein neuer langer Satz 43",
        now=now, links=links, hours=24, mail_budget=5,
    )  # fmt: skip  # email_claim_attempt, to Mia: the address has an account
    change = session.exec(select(Notice).where(Notice.kind == "email_change")).one()
    with app.app_context():  # the link is signed with the app secret, as the mail carries it
        raw = fill_slots(change.payload["url"], str(app.config["SECRET_KEY"])).rsplit("/", 1)[1]
        credentials.confirm_email_change(session, raw, now=now)  # email_changed, to the old address

    child = make_user(first_name="Emil")
    profile = make_profile(session, child, now=now)
    profile.age_group = AgeGroup.UNDER_16
    profile.guardian_email = "eltern@example.org"
    session.add(profile)
    guardians.request_consent(session, child, now=now)  # guardian_consent
    schedule_guardian_requests(session, now=now + timedelta(days=14))  # guardian_reminder
    session.commit()

    # Two days later Aylin reports her hours: the first report is rejected, the second confirmed.
    later = now + timedelta(days=2)
    wrong = hours.submit_hours(session, aylin, applied, minutes=60, margin_minutes=30, now=later)
    hours.reject(session, org, wrong, by=admin, now=later, reason="Da war geschlossen.")
    entry = hours.submit_hours(session, aylin, applied, minutes=120, margin_minutes=30, now=later)
    hours.confirm(session, org, entry, by=admin, now=later)
    schedule_recognition(session, now=later)
    session.commit()

    # Nobody used this account for two years: warned before the retention rule deletes it.
    make_user(
        first_name="Ida",
        created_at=now - timedelta(days=800),
        last_login_at=now - timedelta(days=731),
    )
    retention.expire_inactive(session, retention.Periods.from_config(DEFAULTS), now=now)
    session.commit()


def test_every_kind_comes_from_its_producer_and_renders_in_german_and_english(
    session: Session, make_user: Callable[..., User], app: Flask, now: datetime
) -> None:
    produce_every_kind(session, make_user, now, app)
    produced = list(session.exec(select(Notice).where(Notice.channel == "email")).all())
    assert {n.kind for n in produced} == set(KINDS)
    seen: dict[tuple[str, str], Any] = {}
    with app.app_context():
        for notice in produced:
            for locale in ("de", "en"):
                notice.locale = locale
                message = render(session, notice, app=app, now=now)
                for text in (message.subject, message.text, message.html):
                    assert "{{" not in text and "%(" not in text, notice.kind
                    assert "Undefined" not in text and "None" not in text, (notice.kind, text)
                assert message.subject.strip() and message.link.startswith("http"), notice.kind
                seen[(notice.kind, locale)] = message
    session.rollback()  # the locale changes above were for rendering only
    de = {kind: m for (kind, locale), m in seen.items() if locale == "de"}
    en = {kind: m for (kind, locale), m in seen.items() if locale == "en"}
    assert "Hallo Aylin," in de["signup_accepted"].text
    assert "Hello Aylin," in en["signup_accepted"].text
    # The payload's frozen facts reach the reader.
    assert "Bitte am Tor B klingeln." in de["shift_message"].text
    assert "Da war geschlossen." in de["hours_rejected"].html
    assert "Die Halle ist gesperrt." in de["shift_cancelled"].text  # the reason reaches them
    assert "Die Halle ist gesperrt." in de["shift_cancelled"].html
    assert "Schön!" in de["signup_accepted"].text
    assert "jonas@example.net" in de["email_change"].text
    assert "jonas@example.net" in de["email_changed"].text
    assert "/vereine/einladung/" in de["organisation_invite"].text
    assert "/ich/einladungen/" in de["proposal_invitation"].link
    assert "Bitte Satzung senden." in de["organisation_info_requested"].text
    assert "Kein Verein in Bochum." in de["organisation_rejected"].html
    assert "Lebensmittel sortieren" in de["proposal_invitation"].subject
    assert "Jonas" in de["shift_unfilled"].text and "Mia" not in de["shift_unfilled"].text

    # The guardian mail names the child and addresses the guardian formally ("Sie").
    (guardian,) = [n for n in produced if n.kind == "guardian_consent"]
    assert guardian.to_email == "eltern@example.org"
    message = de["guardian_consent"]
    assert message.subject == "Ihre Einwilligung für Emil: Ehrenamt mit Mitwirken"
    assert "Emil hat sich bei Mitwirken" in message.text and "Emil" in message.html
    assert "/ich/einwilligung/" in message.link
    for kind in ("guardian_consent", "guardian_reminder"):
        assert de[kind].text.startswith("Sehr geehrte Erziehungsberechtigte,")
        assert "Emil" in de[kind].subject
        words = set(re.findall(r"\w+", de[kind].text + de[kind].html))
        assert {"Sie", "Ihre"} <= words
        assert not words & {"du", "dich", "dir", "dein", "deine", "Du", "Dein", "Deine"}, words
        assert en[kind].text.startswith("Dear parent or guardian,")


def test_every_declared_kind_has_its_three_templates_and_nothing_else() -> None:
    for kind in KINDS:
        for name in ("subject.txt", "body.txt", "body.html"):
            assert (TEMPLATES / kind / name).is_file(), f"{kind}/{name} is missing"
    assert {p.name for p in TEMPLATES.iterdir() if p.is_dir()} == set(KINDS)


def test_every_payload_key_a_template_reads_is_declared_for_its_kind() -> None:
    for kind, declared in KINDS.items():
        text = "".join((TEMPLATES / kind / n).read_text() for n in ("subject.txt", "body.txt"))
        text += (TEMPLATES / kind / "body.html").read_text()
        read = set(re.findall(r"payload\.(\w+)", text))
        assert read <= declared.keys, f"{kind} templates read undeclared {read - declared.keys}"


def test_enqueue_refuses_an_unknown_kind_and_a_payload_lacking_a_key(
    session: Session, now: datetime
) -> None:
    with pytest.raises(UnknownKind):
        outbox.enqueue(session, "sigup_received", dedupe_key="typo", now=now, to_email="a@b.de")
    with pytest.raises(PayloadMismatch, match="guardian_request_id"):
        outbox.enqueue(
            session,
            "guardian_consent",
            dedupe_key="g",
            now=now,
            to_email="a@b.de",
            payload={"url": "http://localhost/x", "name": "Mia"},
        )
    assert session.exec(select(Notice)).all() == []
