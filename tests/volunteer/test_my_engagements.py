"""Meine Engagements, one page at a time: upcoming shifts first, then the history with hours."""

import re
from datetime import timedelta

from tests.factories import make_opportunity, make_organisation, make_shift, make_signup
from volunteer.models import SignupState
from volunteer.services.engagement.timeline import PER_PAGE


def _shown(page: str) -> tuple[list[int], list[int]]:
    """The sign-up ids of the page's upcoming cards and of its history rows, in page order."""
    upcoming, _, history = page.partition('id="past"')
    return (
        [int(i) for i in re.findall(r'<li class="card" id="signup-(\d+)"', upcoming)],
        [int(i) for i in re.findall(r'<tr id="signup-(\d+)"', history)],
    )


def _world(session, make_user, now):
    """Lena with 23 planned shifts (and one she withdrew from, one she was declined for) and
    30 past ones; Bo with one shift of his own."""
    org = make_organisation(session, now)
    need = make_opportunity(session, now, org, title="Tafel sortieren")
    lena, bo = make_user(first_name="Lena"), make_user(first_name="Bo")

    def signup(user, days, state=SignupState.APPLIED):
        shift = make_shift(session, now, need, starts_in=timedelta(days=days, hours=1))
        return make_signup(session, user, shift, now=now, state=state).id

    # Created out of order: the page orders by the shift's start, not by when she signed up.
    upcoming = {days: signup(lena, days) for days in reversed(range(1, 24))}
    gone = [signup(lena, 5, SignupState.WITHDRAWN), signup(lena, 6, SignupState.DECLINED)]
    past = {days: signup(lena, -days, SignupState.ATTENDED) for days in range(1, 31)}
    foreign = signup(bo, 2)
    return (
        lena,
        [upcoming[d] for d in sorted(upcoming)],
        [past[d] for d in sorted(past)],
        gone,
        foreign,
    )


def test_the_engagements_page_shows_the_next_shifts_first_and_the_history_on_later_pages(
    client, login, session, make_user, now
):
    lena, upcoming, past, gone, foreign = _world(session, make_user, now)
    login(lena)
    pages = [client.get(f"/ich/engagements?seite={n}") for n in (1, 2, 3)]
    assert all(p.status_code == 200 for p in pages)
    shown = [_shown(p.get_data(as_text=True)) for p in pages]
    # Page one: the twenty soonest plans and nothing of the past.
    assert shown[0] == (upcoming[:PER_PAGE], [])
    # Then the last three plans and the most recent past shifts, latest first.
    assert shown[1] == (upcoming[PER_PAGE:], past[: PER_PAGE - 3])
    assert shown[2] == ([], past[PER_PAGE - 3 :])
    everything = [i for u, h in shown for i in u + h]
    assert sorted(everything) == sorted(upcoming + past)  # each exactly once
    assert not set(everything) & {*gone, foreign}  # no withdrawn plan, nobody else's shift
    first, third = (p.get_data(as_text=True) for p in (pages[0], pages[2]))
    assert "Seite 1 von 3" in first and "Du hast 30 vergangene Termine" in first
    assert "Du hast 23 kommende Termine" in third and "Seite 3 von 3" in third
    # A page number past the end (an old link) shows the last page; nonsense shows the first.
    assert _shown(client.get("/ich/engagements?seite=99").get_data(as_text=True)) == shown[2]
    assert _shown(client.get("/ich/engagements?seite=x").get_data(as_text=True)) == shown[0]


def test_a_refused_hours_report_is_shown_on_the_page_that_lists_the_shift(
    client, login, session, make_user, now
):
    lena, _, past, _, _ = _world(session, make_user, now)
    login(lena)
    target = past[PER_PAGE]  # on page 3
    refused = client.post(f"/ich/engagements/{target}/stunden?seite=3", data={"minutes": 99999})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert target in _shown(page)[1]
    assert f'id="minutes-{target}-error"' in page
    done = client.post(f"/ich/engagements/{target}/stunden?seite=3", data={"minutes": 60})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/ich/engagements?seite=3#past")
    row = client.get("/ich/engagements?seite=3").get_data(as_text=True)
    assert "1 Std." in row.split(f'id="signup-{target}"')[1].split("</tr>")[0]
