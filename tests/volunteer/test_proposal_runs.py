"""The city-wide proposal as a background job: queued on the page, computed by the worker's job,
read from what was stored, and acted on with invitations a volunteer answers.

The known city: two needs, each with one place. V1 is closest to the first need and also fits
the second (which needs first aid); V2 fits only the first. The best-pair-first rule gives V1
the first need and leaves the second empty; the exact assignment sends V1 to the second and V2
to the first, filling both places.
"""

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from notifications.proposals import run_next_proposal
from tests.factories import (
    add_shift,
    create_need,
    make_profile,
    make_signup,
    register_org,
    seed_reference,
)
from tests.spreadsheets import read_as_german_excel
from volunteer.models import (
    AuditEntry,
    Cause,
    Notice,
    ProposalPair,
    ProposalRun,
    ProposalStatus,
    Role,
    Shift,
    Signup,
    SignupState,
)
from volunteer.services.coordination import proposal
from volunteer.services.discovery import engine


@pytest.fixture
def city(session: Session, make_user, now: datetime) -> dict:
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR, first_name="Kim")
    admin = make_user(first_name="Vorstand")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    children = session.exec(select(Cause).where(Cause.slug == "children-youth")).one()
    reading = create_need(
        session, org, admin, now=now, title="Vorlesen in der Kita", cause_ids=[children.id]
    )
    first_aid = create_need(
        session,
        org,
        admin,
        now=now,
        title="Sanitätsdienst beim Stadtfest",
        skills=("first-aid",),
        address="44801",
    )
    s1 = add_shift(session, reading, admin, now=now, days=3, capacity=1)
    s2 = add_shift(session, first_aid, admin, now=now, days=5, capacity=1)
    v1 = make_user(first_name="Aylin")
    make_profile(session, v1, now=now, skills=("reading-aloud", "first-aid"))
    v2 = make_user(first_name="Ben")
    make_profile(session, v2, now=now, skills=("reading-aloud",), postcode="44789")
    return {
        "coordinator": coordinator,
        "admin": admin,
        "reading": reading,
        "first_aid": first_aid,
        "s1": s1,
        "s2": s2,
        "v1": v1,
        "v2": v2,
    }


def _start(client, now: datetime, **extra) -> str:
    today = now.date()
    data = {
        "period_start": today.isoformat(),
        "period_end": (today + timedelta(days=13)).isoformat(),
        **extra,
    }
    response = client.post("/koordination/vorschlag", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_queued_proposal_is_computed_by_the_job_and_shown_from_what_was_stored(
    app, client, login, session, city, now
):
    login(city["coordinator"])
    status_url = _start(client, now)
    run = session.exec(select(ProposalRun)).one()
    assert run.status == ProposalStatus.QUEUED  # the request only queued it
    waiting = client.get(status_url)
    assert waiting.headers["Refresh"] == "3"  # reloads itself, no JavaScript
    assert "wartet auf den Start" in waiting.get_data(as_text=True)
    still = client.get(status_url + "?auto=0")  # the person can turn that off
    assert "Refresh" not in still.headers and "Jetzt aktualisieren" in still.get_data(as_text=True)

    assert run_next_proposal(app, worker="test", now=now) == run.id
    assert run_next_proposal(app, worker="test", now=now) is None  # nothing left to claim
    session.refresh(run)
    assert run.status == ProposalStatus.DONE and run.progress == 100
    f = run.figures
    assert (f["pairs"], f["needs_filled"], f["open_places"]) == (2, 2, 2)
    assert (f["greedy_pairs"], f["greedy_needs_filled"]) == (1, 1)
    pairs = {(p.volunteer_id, p.shift_id) for p in session.exec(select(ProposalPair)).all()}
    assert pairs == {(city["v1"].id, city["s2"].id), (city["v2"].id, city["s1"].id)}

    finished = client.get(status_url)
    assert "Refresh" not in finished.headers
    page = finished.get_data(as_text=True)
    assert "Kim" in page  # who ran it
    assert "Sanitätsdienst beim Stadtfest" in page and "Vorlesen in der Kita" in page
    assert page.count('name="pair"') == 2  # every pair once
    assert "Paare" in page and "vermittelt" not in page
    assert "Bestes Paar zuerst" in page  # the greedy baseline beside it
    assert "35 %" in page  # the score explained: the skills weight
    assert f["kept_pairs"] == f["candidate_pairs"] == 3  # a small city keeps every pair
    assert "Nicht jedes mögliche Paar wird abgewogen" in page  # and the cut is explained
    assert session.exec(select(Signup)).all() == []  # a proposal signs nobody up

    rows = read_as_german_excel(client.get(status_url + ".csv").data)
    assert rows[0][:2] == ["Personen-Nr.", "Vorname"] and rows[0][7] == "Passung"
    assert all("," in r[7] and "." not in r[7] for r in rows[1:])  # 0,61: a number to Excel
    assert sorted((r[1], r[3]) for r in rows[1:]) == [
        ("Aylin", "Sanitätsdienst beim Stadtfest"),
        ("Ben", "Vorlesen in der Kita"),
    ]
    audit = session.exec(select(AuditEntry.action)).all()
    assert "proposal.requested" in audit


def test_fill_fairly_districts_and_causes_narrow_the_proposal(
    app, client, login, session, city, now
):
    login(city["coordinator"])
    _start(client, now, cause="children-youth", fair="1")
    run_next_proposal(app, worker="test", now=now)
    run = session.exec(select(ProposalRun)).one()
    assert run.fill_fairly and run.cause_slugs == ["children-youth"]
    assert run.figures["needs"] == 1  # only the reading need has that cause
    (pair,) = session.exec(select(ProposalPair)).all()
    assert session.get(Shift, pair.shift_id).opportunity_id == city["reading"].id
    assert pair.volunteer_id == city["v1"].id

    district = city["first_aid"].district_number
    _start(client, now, district=str(district))
    run_next_proposal(app, worker="test", now=now)
    second = session.exec(select(ProposalRun).where(ProposalRun.id != run.id)).one()
    assert second.district_numbers == [district]
    assert set(
        session.exec(
            select(Shift.opportunity_id)
            .join(ProposalPair, col(ProposalPair.shift_id) == Shift.id)
            .where(ProposalPair.run_id == second.id)
        ).all()
    ) == {city["first_aid"].id}


def test_a_period_without_shifts_proposes_nothing(app, client, login, session, city, now):
    login(city["coordinator"])
    start = now.date() + timedelta(days=6)  # both shifts are earlier
    client.post(
        "/koordination/vorschlag",
        data={"period_start": start.isoformat(), "period_end": start.isoformat()},
    )
    run_next_proposal(app, worker="test", now=now)
    run = session.exec(select(ProposalRun)).one()
    assert run.status == ProposalStatus.DONE and run.figures["pairs"] == 0
    page = client.get(f"/koordination/vorschlag/{run.id}").get_data(as_text=True)
    assert "keine Paare" in page


def test_nobody_is_proposed_for_a_need_they_already_signed_up_for(app, session, city, now):
    # Ben waits for the reading shift: inviting him to it could only fail as "already signed up".
    make_signup(session, city["v2"], city["s1"], now=now, state=SignupState.WAITLISTED)
    options = proposal.default_options(now=now)
    run = proposal.queue(session, options, by=city["coordinator"], now=now)
    session.commit()
    assert run_next_proposal(app, worker="test", now=now) == run.id
    pairs = set(
        session.exec(
            select(ProposalPair.volunteer_id, Shift.opportunity_id).join(
                Shift, col(Shift.id) == ProposalPair.shift_id
            )
        ).all()
    )
    assert (city["v2"].id, city["reading"].id) not in pairs
    assert pairs  # Aylin is still proposed


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-10", "2026-12-01", "muss am Starttag oder danach enden"),
        ("kein Datum", "2026-12-01", "Tag, Monat und Jahr"),
        ("2026-11-01", "2026-11-02", "vorbei"),
        ("2026-11-28", "2027-06-01", "höchstens 84 Tage"),
    ],
)
def test_a_bad_period_is_a_clear_error(client, login, session, city, start, end, message):
    login(city["coordinator"])
    response = client.post(
        "/koordination/vorschlag", data={"period_start": start, "period_end": end}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.exec(select(ProposalRun)).all() == []


def test_only_coordinators_reach_proposals_and_unknown_runs_are_404(client, login, city, make_user):
    login(make_user())
    assert client.get("/koordination/vorschlag").status_code == 404
    assert client.post("/koordination/vorschlag", data={}).status_code == 404
    login(city["coordinator"])
    assert client.get("/koordination/vorschlag/999").status_code == 404
    assert client.get("/koordination/vorschlag/999.csv").status_code == 404


def test_a_dead_worker_lease_is_taken_over_and_nothing_is_computed_twice(session, city, now):
    run = proposal.queue(
        session, proposal.default_options(now=now), by=city["coordinator"], now=now
    )
    session.commit()
    assert proposal.claim_next(session, worker="a", now=now).id == run.id
    session.commit()
    assert proposal.claim_next(session, worker="b", now=now) is None  # a holds it
    later = now + proposal.LEASE + timedelta(seconds=1)
    taken = proposal.claim_next(session, worker="b", now=later)
    assert taken is not None and taken.claimed_by == "b"


def _finished_run(app, client, login, session, city, now) -> ProposalRun:
    login(city["coordinator"])
    _start(client, now)
    run_next_proposal(app, worker="test", now=now)
    return session.exec(select(ProposalRun)).one()


def test_invitations_are_sent_for_selected_pairs_and_answered_into_the_normal_signup(
    app, client, login, session, city, now
):
    run = _finished_run(app, client, login, session, city, now)
    pairs = {p.volunteer_id: p for p in session.exec(select(ProposalPair)).all()}
    p1, p2 = pairs[city["v1"].id], pairs[city["v2"].id]
    response = client.post(
        f"/koordination/vorschlag/{run.id}/einladen", data={"pair": [p1.id, p2.id]}
    )
    assert response.status_code == 302
    notices = session.exec(select(Notice).where(Notice.kind == "proposal_invitation")).all()
    assert {n.user_id for n in notices} == {city["v1"].id, city["v2"].id}
    page = client.get(f"/koordination/vorschlag/{run.id}").get_data(as_text=True)
    assert "2 Einladungen verschickt" in page and 'name="pair"' not in page
    # Sending again changes nothing.
    client.post(f"/koordination/vorschlag/{run.id}/einladen", data={"pair": [p1.id]})
    resent = session.exec(select(Notice).where(Notice.kind == "proposal_invitation")).all()
    assert len(resent) == len(notices)  # one per channel, as before
    assert session.exec(select(Signup)).all() == []  # an invitation signs nobody up

    # Aylin accepts with one click: a normal application on the proposed shift.
    login(city["v1"])
    page = client.get(f"/ich/einladungen/{p1.id}").get_data(as_text=True)
    assert "Sanitätsdienst beim Stadtfest" in page and "Ja, melde mich an" in page
    assert client.get(f"/ich/einladungen/{p2.id}").status_code == 404  # Ben's, not hers
    client.post(f"/ich/einladungen/{p1.id}/annehmen")
    signup = session.exec(select(Signup).where(Signup.user_id == city["v1"].id)).one()
    assert signup.shift_id == city["s2"].id and signup.state == SignupState.APPLIED
    session.refresh(p1)
    assert p1.answer == "accepted" and p1.signup_id == signup.id
    assert session.exec(select(Notice).where(Notice.kind == "application_new")).first()
    again = client.post(f"/ich/einladungen/{p1.id}/annehmen", follow_redirects=True)
    assert "bereits beantwortet" in again.get_data(as_text=True)

    # Ben says no: recorded, no sign-up.
    login(city["v2"])
    client.post(f"/ich/einladungen/{p2.id}/ablehnen")
    session.refresh(p2)
    assert p2.answer == "declined"
    assert session.exec(select(Signup).where(Signup.user_id == city["v2"].id)).first() is None

    login(city["coordinator"])
    page = client.get(f"/koordination/vorschlag/{run.id}").get_data(as_text=True)
    assert "davon haben sich 1 angemeldet und 1 abgesagt" in page


def test_the_sign_up_rules_apply_when_accepting(app, client, login, session, city, now, make_user):
    run = _finished_run(app, client, login, session, city, now)
    pair = session.exec(
        select(ProposalPair).where(ProposalPair.volunteer_id == city["v2"].id)
    ).one()
    client.post(f"/koordination/vorschlag/{run.id}/einladen", data={"pair": [pair.id]})
    # Someone else takes the only place first: Ben may join the waiting list instead.
    other = make_user()
    session.add(Signup(shift_id=city["s1"].id, user_id=other.id, state=SignupState.APPLIED))
    session.commit()
    login(city["v2"])
    page = client.get(f"/ich/einladungen/{pair.id}").get_data(as_text=True)
    assert "Warteliste" in page
    client.post(f"/ich/einladungen/{pair.id}/annehmen", data={"join_waitlist": "1"})
    signup = session.exec(select(Signup).where(Signup.user_id == city["v2"].id)).one()
    assert signup.state == SignupState.WAITLISTED


def test_a_volunteer_gets_at_most_the_weekly_number_of_invitations(session, city, now):
    options = proposal.default_options(now=now)
    runs = []
    for _ in range(3):
        run = proposal.queue(session, options, by=city["coordinator"], now=now)
        session.commit()
        proposal.claim_next(session, worker="t", now=now)
        proposal.compute(session, run, now=now)
        session.commit()
        runs.append(run)

    def invite(run: ProposalRun, at: datetime) -> proposal.InviteOutcome:
        ids = [
            p.id
            for p in session.exec(
                select(ProposalPair).where(
                    ProposalPair.run_id == run.id, ProposalPair.volunteer_id == city["v1"].id
                )
            )
        ]
        return proposal.invite(session, run, ids, by=city["coordinator"], now=at, per_week=2)

    assert invite(runs[0], now - timedelta(days=6)).sent == 1
    assert invite(runs[1], now - timedelta(days=5)).sent == 1
    blocked = invite(runs[2], now - timedelta(days=4))
    assert blocked.sent == 0 and blocked.over_limit == ["Aylin"]
    # Seven days after the first one, there is room for one more.
    assert invite(runs[2], now + timedelta(days=1, hours=1)).sent == 1


def test_a_deleted_volunteer_leaves_no_proposed_pair(app, client, login, session, city, now):
    from volunteer.services.accounts import privacy

    _finished_run(app, client, login, session, city, now)
    privacy.delete_account(session, city["v1"], now=now)
    session.commit()
    volunteers = {p.volunteer_id for p in session.exec(select(ProposalPair)).all()}
    assert volunteers == {city["v2"].id}


def test_the_scheduler_job_keeps_the_volunteer_pool_warm_while_idle_for_the_next_run(
    app, session, city, make_user, now
):
    """A worker process builds the pool on its first idle tick (it just started), so the first
    run finds it warm; after a profile changed, an idle tick builds it again, at most once per
    ``warm_every``."""
    from notifications.scheduler import NoticeClock

    engine.invalidate()
    clock = NoticeClock(app, blocking=False, holder="warm")
    assert clock.proposals() is None  # nothing queued: the tick warms the pool instead
    assert "volunteers" in engine.index_ages()
    warmed = engine.volunteer_pool(session)
    assert sorted(warmed.user_ids) == sorted([city["v1"].id, city["v2"].id])

    run = proposal.queue(
        session, proposal.default_options(now=now), by=city["coordinator"], now=now
    )
    session.commit()
    assert clock.proposals() == run.id
    assert engine.volunteer_pool(session) is warmed  # the run built no pool of its own

    newcomer = make_user(first_name="Cem")
    make_profile(session, newcomer, now=now)
    session.commit()  # a profile changed: the pool is dropped at once (consent counts)
    assert "volunteers" not in engine.index_ages()
    assert clock.proposals() is None
    assert "volunteers" not in engine.index_ages()  # warmed less than a minute ago: waits
    clock.proposal_job.warm_every = 0.0
    assert clock.proposals() is None
    assert "volunteers" in engine.index_ages()
    assert newcomer.id in engine.volunteer_pool(session).user_ids
