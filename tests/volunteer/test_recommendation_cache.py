""" "Für dich" keeps each person's ranking in the process: for that person only, and never
longer than what it was ranked from (their profile, their sign-ups, the listed needs)."""

from datetime import timedelta

from sqlalchemy import event, insert, update

from tests.factories import (
    create_need,
    make_profile,
    make_shift,
    make_signup,
    register_org,
    seed_reference,
    set_profile,
)
from volunteer.models import (
    Notice,
    NoticeStatus,
    Opportunity,
    OpportunityStatus,
    Role,
    Signup,
    SignupState,
    VolunteerProfile,
)
from volunteer.services.discovery import freshness
from volunteer.services.notices.outbox import INAPP


def _world(session, make_user, now):
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR, email="koordination@bochum.example")
    admin = make_user(email="admin@verein.example")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    need = create_need(session, org, admin, now=now)  # asks for reading aloud, in 44787
    shift = make_shift(session, now, need, starts_in=timedelta(days=2))
    lena, bo = make_user(email="lena@example.org"), make_user(email="bo@example.org")
    make_profile(session, lena, now=now)  # reads aloud, lives next door: a fit
    make_profile(session, bo, now=now, skills=())  # the skill is missing: almost a fit
    return need, shift, lena, bo


def _fits(client, need) -> bool:
    """Whether the need is among the page's fits (not only "almost a fit")."""
    page = client.get("/ich/fuer-dich")
    assert page.status_code == 200
    fits = page.text.split('class="cards recommendation-list"')[1:]
    return bool(fits) and f"/engagements/{need.id}" in fits[0].split("near-title")[0]


def test_each_person_gets_their_own_ranking_however_often_they_alternate(
    client, login, session, make_user, now
):
    need, _, lena, bo = _world(session, make_user, now)
    for _ in range(3):
        login(lena)
        assert _fits(client, need)
        login(bo)
        assert not _fits(client, need)
        assert f"/engagements/{need.id}" in client.get("/ich/fuer-dich").text  # almost a fit
    assert (session, lena.id) in freshness.PERSONAL and (session, bo.id) in freshness.PERSONAL


def test_a_changed_profile_a_sign_up_or_an_unlisted_need_is_ranked_again(
    client, login, session, make_user, now
):
    need, shift, lena, _ = _world(session, make_user, now)
    login(lena)
    assert _fits(client, need)
    # Her own change in this process (the clock stands still: the stamp alone would not show it).
    set_profile(session, lena, availability=0)
    assert not _fits(client, need)
    set_profile(session, lena, availability=(1 << 21) - 1)
    assert _fits(client, need)
    # A change the process did not make (another worker): the profile's stamp shows it.
    session.exec(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == lena.id)
        .values(availability=0, updated_at=now + timedelta(seconds=1))
    )
    session.commit()
    assert not _fits(client, need)
    set_profile(session, lena, availability=(1 << 21) - 1)
    assert _fits(client, need)
    # Signed up: the need is hers already, not a recommendation.
    signup = make_signup(session, lena, shift, now=now)
    assert f"/engagements/{need.id}" not in client.get("/ich/fuer-dich").text
    session.delete(signup)
    session.commit()
    assert _fits(client, need)
    # Paused by the association: gone from the page at once.
    need.status = OpportunityStatus.PAUSED
    session.add(need)
    session.commit()
    assert f"/engagements/{need.id}" not in client.get("/ich/fuer-dich").text


def test_deleting_the_account_drops_what_was_kept_for_the_person(
    client, login, session, make_user, now
):
    _, _, lena, bo = _world(session, make_user, now)
    for person in (lena, bo):
        login(person)
        client.get("/ich/fuer-dich")
    assert (session, lena.id) in freshness.PERSONAL
    lena.deleted_at = now
    session.add(lena)
    session.commit()
    assert (session, lena.id) not in freshness.PERSONAL
    assert (session, bo.id) in freshness.PERSONAL  # nobody else's


def test_the_kept_page_never_shows_a_stale_place_count_or_the_wrong_language(
    client, login, session, make_user, now
):
    _, shift, lena, bo = _world(session, make_user, now)
    login(lena)
    assert "2 Plätze frei" in client.get("/ich/fuer-dich").text
    assert "2 Plätze frei" in client.get("/ich/fuer-dich").text  # the kept page
    # Someone else takes a place: the cards' figures are read on every visit, and the kept
    # page is used only while they are the same.
    make_signup(session, bo, shift, now=now)
    page = client.get("/ich/fuer-dich").text
    assert "1 Platz frei" in page and "2 Plätze frei" not in page
    client.post("/sprache", data={"lang": "en"})
    english = client.get("/ich/fuer-dich").text
    assert "1 place left" in english and "Platz frei" not in english


def _unseen(session, statement) -> None:
    """A change as another worker process makes it: a Core statement, so no ORM flush tells
    this process's caches about it (``freshness`` only hears of its own commits)."""
    session.connection().execute(statement)
    session.commit()


def test_what_another_process_changed_shows_on_the_next_visit(
    client, login, session, make_user, now
):
    need, shift, lena, bo = _world(session, make_user, now)
    login(lena)
    assert "2 Plätze frei" in client.get("/ich/fuer-dich").text
    assert (session, lena.id) in freshness.PERSONAL  # her ranking is kept
    signup = {"shift_id": shift.id, "created_at": now, "updated_at": now}
    _unseen(session, insert(Signup).values(user_id=bo.id, state=SignupState.ACCEPTED, **signup))
    page = client.get("/ich/fuer-dich").text
    assert "1 Platz frei" in page and "2 Plätze frei" not in page
    # She signed up in another worker: the need is hers now, not a recommendation.
    _unseen(session, insert(Signup).values(user_id=lena.id, state=SignupState.APPLIED, **signup))
    assert f"/engagements/{need.id}" not in client.get("/ich/fuer-dich").text
    _unseen(
        session, update(Signup).where(Signup.user_id == lena.id).values(state=SignupState.WITHDRAWN)
    )
    assert _fits(client, need)
    # Paused by the association in another worker: gone from the page at once.
    _unseen(
        session,
        update(Opportunity)
        .where(Opportunity.id == need.id)
        .values(status=OpportunityStatus.PAUSED),
    )
    assert f"/engagements/{need.id}" not in client.get("/ich/fuer-dich").text


def test_a_returning_visit_reads_what_may_have_changed_in_one_statement(
    client, login, session, make_user, bind, now
):
    need, _, lena, _ = _world(session, make_user, now)
    login(lena)
    assert _fits(client, need)
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    event.listen(bind, "before_cursor_execute", seen)
    try:
        assert _fits(client, need)
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    # The signed-in user, then her stamps, sign-ups, skills, unread notices and the cards.
    assert len(reads) == 2, reads


def test_the_badge_on_for_you_counts_the_persons_unread_notices(
    client, login, session, make_user, now
):
    _, _, lena, bo = _world(session, make_user, now)
    for person, key in ((lena, "a"), (lena, "b"), (bo, "c")):
        session.add(
            Notice(
                kind="signup_accepted",
                channel=INAPP,
                dedupe_key=key,
                user_id=person.id,
                status=NoticeStatus.SENT,
                due_at=now,
                sent_at=now,
            )
        )
    session.commit()
    login(lena)
    assert 'class="nav-badge">2<' in client.get("/ich/fuer-dich").text
    _unseen(session, update(Notice).where(Notice.dedupe_key == "a").values(read_at=now))
    assert 'class="nav-badge">1<' in client.get("/ich/fuer-dich").text
    login(bo)
    assert 'class="nav-badge">1<' in client.get("/ich/fuer-dich").text
