"""The engine's cached indexes follow every commit: the needs a commit touched are patched in on
the next request (a sign-up, an edit, a new or withdrawn need), without rebuilding the city."""

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_opportunity, make_organisation, make_shift, seed_reference
from tests.volunteer.test_volunteer_pages import PROFILE
from volunteer.models import District, Opportunity, OpportunityStatus, Organisation
from volunteer.services.discovery import engine, freshness


@pytest.fixture
def city(session, now):
    seed_reference(session)
    d = session.exec(select(District).order_by(District.number)).first()
    org = make_organisation(session, now, name="Kinderhilfe Hamme e.V.")
    place = {"district_number": d.number, "lat": d.lat, "lon": d.lon}
    opp = make_opportunity(session, now, org, title="Hausaufgaben begleiten", **place)
    other = make_opportunity(session, now, org, title="Lesepatenschaft", **place)
    # Saturday mornings and Monday evenings are in the test profile's availability.
    shift = make_shift(session, now, opp, starts_in=timedelta(days=2), capacity=3)
    make_shift(session, now, other, starts_in=timedelta(days=3), capacity=2)
    engine.invalidate()
    return opp, other, shift


def _pool(session, now):
    return engine.opportunity_pool(session, now=now)


def _capacity(pool, opp):
    return pool.index.capacity[pool.index.position[str(opp.id)]]


def test_a_sign_up_shows_in_places_left_and_home_figures_on_the_next_request(
    client, login, make_user, session, now, city
):
    opp, other, shift = city
    page = client.get("/").get_data(as_text=True)  # builds the home page's tally
    assert "<strong>5</strong> freie Plätze bei kommenden Terminen" in page
    assert "3 Plätze frei" in client.get("/engagements/").get_data(as_text=True)  # card cached
    before = _pool(session, now)
    assert _capacity(before, opp) == 3
    login(make_user())
    answer = client.post(f"/engagements/schichten/{shift.id}/anmelden", data={})
    assert answer.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "<strong>4</strong> freie Plätze bei kommenden Terminen" in page
    page = client.get("/engagements/").get_data(as_text=True)
    assert "2 Plätze frei" in page and "3 Plätze frei" not in page
    after = _pool(session, now)
    assert _capacity(after, opp) == 2 and _capacity(after, other) == 2
    # Patched, not rebuilt: the untouched need is the very same engine value as before.
    kept = after.index.items[after.index.position[str(other.id)]]
    assert kept is before.index.items[before.index.position[str(other.id)]]
    assert after.built_at == before.built_at


def test_a_changed_need_shows_its_new_title_and_rules_on_the_next_request(
    client, session, now, city
):
    opp, _other, _shift = city
    assert "Hausaufgaben begleiten" in client.get("/engagements/").get_data(as_text=True)
    pool = _pool(session, now)
    assert pool.index.adults_only[pool.index.position[str(opp.id)]]
    opp.title = "Hausaufgabenhilfe am Nachmittag"
    opp.minors_ok = True
    session.add(opp)
    session.commit()
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Hausaufgabenhilfe am Nachmittag" in page and "Hausaufgaben begleiten" not in page
    pool = _pool(session, now)
    assert not pool.index.adults_only[pool.index.position[str(opp.id)]]


def test_a_new_need_joins_for_you_and_a_withdrawn_one_leaves_it(
    client, login, make_user, session, now, city
):
    opp, _other, _shift = city
    login(make_user())
    client.post("/ich/profil", data=PROFILE)
    assert "Hausaufgaben begleiten" in client.get("/ich/fuer-dich").get_data(as_text=True)
    org = session.get(Organisation, opp.organisation_id)
    d = session.get(District, opp.district_number)
    fresh = make_opportunity(
        session,
        now,
        org,
        title="Vorlesen in der Kita",
        district_number=d.number,
        lat=d.lat,
        lon=d.lon,
    )
    make_shift(session, now, fresh, starts_in=timedelta(days=2), capacity=2)
    withdrawn = session.get(Opportunity, opp.id)
    withdrawn.status = OpportunityStatus.DRAFT
    session.add(withdrawn)
    session.commit()
    page = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert "Vorlesen in der Kita" in page
    assert "Hausaufgaben begleiten" not in page
    assert str(opp.id) not in _pool(session, now).index.position


def test_an_organisation_change_rebuilds_the_needs_indexes(client, session, now, city):
    opp, _other, _shift = city
    client.get("/engagements/")
    assert str(opp.id) in _pool(session, now).index.position
    org = session.get(Organisation, opp.organisation_id)
    org.verified_at = None  # no longer listed: every one of its needs leaves at once
    session.add(org)
    session.commit()
    assert "opportunities" not in freshness.index_ages()
    assert "Hausaufgaben begleiten" not in client.get("/engagements/").get_data(as_text=True)
    assert str(opp.id) not in _pool(session, now).index.position


def test_a_commit_during_a_background_rebuild_is_patched_in_afterwards(session):
    """The rebuild read the rows before the commit; the commit must not be lost when the
    rebuilt value replaces the patched one."""
    cache = freshness._Cache()
    started, release = threading.Event(), threading.Event()
    builds: list[str] = []

    def build(_s):
        builds.append("built")
        if len(builds) == 2:  # the background rebuild
            started.set()
            release.wait(10)
        return ("value", len(builds))

    def patch(_s, value, changes):
        return (*value, "patched", sorted(changes.opportunity_ids))

    assert cache.get("kind", session, 60, build, patch) == ("value", 1)
    assert cache.get("kind", session, 0, build, patch) == ("value", 1)  # stale: refresh starts
    assert started.wait(10)
    cache.note(freshness.Changes(opportunity_ids={7}))
    release.set()
    deadline = time.monotonic() + 10
    while cache._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.get("kind", session, 60, build, patch) == ("value", 2, "patched", [7])


def test_search_filters_follow_an_edit_and_a_new_date_on_the_next_request(
    client, session, now, city
):
    opp, _other, _shift = city
    assert "Hausaufgaben begleiten" not in client.get("/engagements/?q=nachmittag").get_data(
        as_text=True
    )
    later = (now + timedelta(days=20)).date().isoformat()
    dated = f"/engagements/?from={later}&to={later}"
    assert "Hausaufgaben begleiten" not in client.get(dated).get_data(as_text=True)
    opp.title = "Hausaufgaben am Nachmittag"
    session.add(opp)
    session.commit()
    make_shift(session, now, opp, starts_in=timedelta(days=20, hours=1), capacity=2)
    assert "Hausaufgaben am Nachmittag" in client.get("/engagements/?q=NACHMITTAG").get_data(
        as_text=True
    )
    assert "Hausaufgaben am Nachmittag" in client.get(dated).get_data(as_text=True)
    assert "Hausaufgaben am" not in client.get("/engagements/?q=nach%25mittag").get_data(
        as_text=True
    )


def test_readers_arriving_during_a_first_build_wait_for_it_instead_of_building_again(session):
    """A worker's first count of the city takes seconds: eight threads asking at once must not
    start eight builds."""
    cache = freshness._Cache()
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []
    got: list[object] = []

    def build(_s):
        builds.append(1)
        started.set()
        release.wait(10)
        return len(builds)

    first = threading.Thread(target=lambda: got.append(cache.get("kind", session, 60, build)))
    first.start()
    assert started.wait(10)
    others = [
        threading.Thread(target=lambda: got.append(cache.get("kind", session, 60, build)))
        for _ in range(3)
    ]
    for t in others:
        t.start()
    release.set()
    for t in (first, *others):
        t.join(10)
    assert builds == [1] and got == [1, 1, 1, 1]


def test_a_value_that_does_not_follow_commits_is_renewed_by_its_age_alone(session):
    """The coordinators' counts say when they were taken: no commit (not even one that changes
    an organisation, which drops the needs' indexes) makes the next reader wait for a recount."""
    cache = freshness._Cache()
    builds: list[int] = []

    def build(_s):
        builds.append(1)
        return len(builds)

    assert cache.get("counts", session, 60, build, follows_commits=False) == 1
    cache.note(freshness.Changes(everything=True, volunteers=True, opportunity_ids={1}))
    assert cache.get("counts", session, 60, build, follows_commits=False) == 1
    assert builds == [1]


def test_a_renamed_district_shows_in_the_search_form_and_on_the_cards_at_once(
    client, session, now, city
):
    """The search's districts come from the per-process cache (``search.districts``) and its
    cards from the listing: a district written through the ORM (as the catalogue sync writes
    them) counts as a change to every need and drops both."""
    opp, _other, _shift = city
    page = client.get("/engagements/").get_data(as_text=True)
    district = session.get(District, opp.district_number)
    assert f">{district.name}</option>" in page
    district.name = "Neu-Hamme"
    session.add(district)
    session.commit()
    page = client.get("/engagements/").get_data(as_text=True)
    assert ">Neu-Hamme</option>" in page
    card = page[page.index("Hausaufgaben begleiten") :][:3000]
    assert "Neu-Hamme" in card
