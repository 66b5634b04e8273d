"""Match statistics: every figure from known rows, through the aggregates the dashboard reads.

The period used is 1–10 November 2026 (Berlin); its previous period is 22–31 October. Facts are
placed at the first and the last second of the period and one second before it, so a figure
that slipped a day (UTC instead of Berlin, an exclusive end) would show.
"""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from sqlmodel import select

from notifications.scheduler import SCHEDULE, rules
from tests.factories import create_need, make_profile, register_org, seed_reference
from tests.spreadsheets import german_records
from volunteer.models import (
    ActiveDay,
    FunnelDay,
    HourEntry,
    HourState,
    MatchDay,
    Opportunity,
    Role,
    Shift,
    Signup,
    SignupState,
)
from volunteer.services.coordination import match_aggregates, match_columns, match_statistics
from volunteer.services.coordination.match_aggregates import MEASURES, day_start
from volunteer.services.coordination.match_statistics import Period
from volunteer.services.engagement import signups as signup_service
from volunteer.services.errors import ServiceError

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 10))
FIRST = day_start(PERIOD.start)  # 2026-10-31 23:00 UTC: midnight in Bochum
LAST = day_start(PERIOD.end + timedelta(days=1)) - timedelta(seconds=1)
BEFORE = FIRST - timedelta(seconds=1)  # the previous period's last second


@pytest.fixture
def coordinator(make_user):
    return make_user(role=Role.COORDINATOR, email="koordination@bochum.example")


@pytest.fixture
def need(session, make_user, coordinator, now):
    seed_reference(session)
    admin = make_user(email="admin@verein.example")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    return create_need(session, org, admin, now=now)


def _shift(session, need, starts_at, capacity):
    shift = Shift(
        opportunity_id=need.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=capacity,
    )
    session.add(shift)
    session.commit()
    return shift


def _signup(session, user, shift, state, *, created, accepted=None):
    signup = Signup(
        shift_id=shift.id,
        user_id=user.id,
        state=state,
        created_at=created,
        updated_at=created,
        accepted_at=accepted,
    )
    session.add(signup)
    session.commit()
    return signup


def _hours(session, user, need, signup, worked_on, minutes, state=HourState.CONFIRMED):
    session.add(
        HourEntry(
            user_id=user.id,
            organisation_id=need.organisation_id,
            signup_id=signup.id if signup else None,
            worked_on=worked_on,
            minutes=minutes,
            state=state,
        )
    )
    session.commit()


@pytest.fixture
def history(session, need, make_user):
    """Three volunteers, three shifts of one need in one district (see the module docstring)."""
    u1, u2, u3 = (make_user(email=f"v{i}@example.org") for i in (1, 2, 3))
    make_profile(session, u1, now=FIRST)  # completed at the period's first second
    a = _shift(session, need, FIRST, 3)  # Sunday 1 Nov, 00:00 in Bochum
    b = _shift(session, need, LAST, 2)  # Tuesday 10 Nov, 23:59:59
    c = _shift(session, need, BEFORE, 1)  # Saturday 31 Oct, 23:59:59
    s1a = _signup(session, u1, a, SignupState.ATTENDED, created=FIRST, accepted=FIRST)
    _signup(session, u2, a, SignupState.NO_SHOW, created=BEFORE, accepted=BEFORE)
    _signup(session, u1, b, SignupState.ATTENDED, created=LAST, accepted=LAST)
    _signup(session, u3, b, SignupState.ATTENDED, created=LAST)
    s3c = _signup(session, u3, c, SignupState.ATTENDED, created=BEFORE, accepted=BEFORE)
    _hours(session, u1, need, s1a, PERIOD.start, 90)
    _hours(session, u3, need, s3c, date(2026, 10, 31), 60)
    _hours(session, u2, need, None, date(2026, 11, 5), 45, state=HourState.SUBMITTED)
    opp = session.get(Opportunity, need.id)
    opp.published_at = FIRST - timedelta(hours=36)
    opp.first_accepted_at = FIRST
    session.add(opp)
    match_aggregates.count_shown(session, [need.id], what="recommended", now=FIRST)
    match_aggregates.count_shown(session, [need.id, need.id], what="recommended", now=LAST)
    match_aggregates.count_shown(session, [need.id], what="opened", now=LAST)
    match_aggregates.count_shown(session, [need.id], what="opened", now=BEFORE)
    match_aggregates.write_shown(session)  # what the process added up since its last write
    match_aggregates.refresh(session, start=date(2026, 10, 1), end=date(2026, 11, 27))
    session.commit()
    return {"users": (u1, u2, u3), "shifts": (a, b, c)}


def test_columns_before_the_first_refresh_are_kept_until_it_stamps_them(session, now):
    """A database no refresh has stamped yet (a new deployment's first minutes) must not read
    every aggregate again on every statistics page; the first refresh is read at once."""
    seed_reference(session)
    first = match_columns.current(session)
    assert match_columns.current(session) is first and first.token is None
    match_aggregates.refresh_recent(session, now=now)
    session.commit()
    stamped = match_columns.current(session)
    assert stamped is not first and stamped.token is not None


def test_no_data_gives_zeros_and_no_rates(session):
    seed_reference(session)
    current, previous = match_statistics.compare(session, PERIOD)
    for report in (current, previous):
        city = report.city
        assert (city.applied, city.accepted, city.attended, city.places, city.minutes) == (
            0,
            0,
            0,
            0,
            0,
        )
        assert city.fill_rate is None and city.no_show_rate is None
        assert city.median_wait_hours is None
        assert city.active == 0 and city.returning == 0
    assert len(current.districts) == 30 and len(current.boroughs) == 6
    assert all(f.places == 0 for f in current.slots.values())


def test_every_figure_of_a_period_and_its_previous_period(session, need, history):
    current, previous = match_statistics.compare(session, PERIOD)
    city = current.city
    assert city.profiles == 1
    assert (city.recommended, city.opened) == (3, 1)
    assert (city.applied, city.accepted) == (3, 2)  # u3's sign-up on B was never accepted
    assert (city.attended, city.no_show) == (3, 1)
    assert (city.places, city.filled) == (5, 4)
    assert city.fill_rate == pytest.approx(0.8)
    assert city.no_show_rate == pytest.approx(0.25)
    assert (city.hour_entries, city.minutes) == (1, 90)  # the submitted entry does not count
    assert city.median_wait_hours == pytest.approx(36)
    assert (city.active, city.returning) == (2, 1)  # u1 and u3; u3 was active before too

    before = previous.city
    assert previous.period == Period(date(2026, 10, 22), date(2026, 10, 31))
    assert (before.applied, before.accepted, before.attended, before.no_show) == (2, 2, 1, 0)
    assert (before.places, before.filled, before.minutes) == (1, 1, 60)
    assert (before.recommended, before.opened) == (0, 1)
    assert (before.active, before.returning) == (1, 0)
    assert before.median_wait_hours is None


def test_one_district_carries_the_whole_city(session, need, history):
    report = match_statistics.report(session, PERIOD)
    here = [r for r in report.districts if r.figures.places]
    assert [r.key for r in here] == [need.district_number]
    figures = here[0].figures
    assert (figures.applied, figures.attended, figures.places, figures.minutes) == (3, 3, 5, 90)
    assert (figures.active, figures.returning) == (2, 1)
    (borough,) = [b for b in report.boroughs if b.figures.places]
    assert borough.key == report.district_borough[need.district_number]
    assert (borough.figures.filled, borough.figures.active) == (4, 2)
    assert sum(r.figures.places for r in report.districts) == report.city.places
    (skill,) = report.skills  # the need asks for one skill
    assert (skill.figures.applied, skill.figures.places, skill.figures.opened) == (3, 5, 1)
    assert skill.figures.median_wait_hours == pytest.approx(36)


def test_slots_and_weeks_follow_bochum_time(session, need, history):
    report = match_statistics.report(session, PERIOD)
    busy = {slot: f.places for slot, f in report.slots.items() if f.places}
    assert busy == {"sun-morning": 3, "tue-evening": 2}  # 00:00 Sunday, 23:59 Tuesday
    weeks = dict(report.weeks)
    assert list(weeks) == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
    assert (weeks[date(2026, 10, 26)].places, weeks[date(2026, 11, 9)].places) == (3, 2)
    assert sum(w.applied for w in weeks.values()) == report.city.applied


def test_a_refresh_is_idempotent_and_only_touches_its_days(session, need, history):
    rows = session.exec(select(MatchDay)).all()
    before = sorted((r.day, r.cut, r.key, r.places, r.applied) for r in rows)
    match_aggregates.refresh(session, start=PERIOD.start, end=PERIOD.end)
    session.commit()
    after = sorted(
        (r.day, r.cut, r.key, r.places, r.applied) for r in session.exec(select(MatchDay)).all()
    )
    assert after == before


def _summed_days(session, period, cut):
    """The reference: a period's figures summed straight from the daily rows, per key."""
    out: dict[int, dict[str, int]] = {}
    for row in session.exec(
        select(MatchDay).where(
            MatchDay.cut == cut, MatchDay.day >= period.start, MatchDay.day <= period.end
        )
    ).all():
        sums = out.setdefault(row.key, dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            sums[m] += getattr(row, m)
    return out


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2026, 11, 2), date(2026, 11, 8)),  # one whole week, no edge days
        Period(date(2026, 10, 26), date(2026, 11, 15)),  # three whole weeks
        Period(date(2026, 10, 31), date(2026, 11, 9)),  # edge days on both sides of a week
        Period(date(2026, 11, 1), date(2026, 11, 1)),  # one day, a Sunday
        Period(date(2026, 11, 3), date(2026, 11, 7)),  # inside one week
    ],
)
def test_whole_weeks_and_edge_days_add_up_to_the_days(session, need, history, period):
    report = match_statistics.report(session, period)
    city = {
        m: sum(v[m] for v in _summed_days(session, period, "district").values()) for m in MEASURES
    }
    assert {m: getattr(report.city, m) for m in MEASURES} == city
    skills = _summed_days(session, period, "skill")
    assert {r.key: r.figures.applied for r in report.skills} == {
        k: v["applied"] for k, v in skills.items()
    }
    assert sum(f.places for _monday, f in report.weeks) == city["places"]


def test_a_refresh_of_some_days_shows_in_the_weeks_of_the_report(session, need, history):
    week = Period(date(2026, 11, 2), date(2026, 11, 8))
    before = dict(match_statistics.report(session, week).weeks)[date(2026, 11, 2)].places
    extra = _shift(session, need, day_start(date(2026, 11, 4)) + timedelta(hours=10), 4)
    assert extra.id
    match_aggregates.refresh(session, start=date(2026, 11, 4), end=date(2026, 11, 5))
    session.commit()
    ((start, figures),) = match_statistics.report(session, week).weeks
    assert start == date(2026, 11, 2)
    assert figures.places == before + 4
    assert figures.places == sum(
        v["places"] for v in _summed_days(session, week, "district").values()
    )


def test_the_scheduled_rule_rebuilds_the_recent_days(session, need, make_user, now):
    assert "statistics" in SCHEDULE
    volunteer = make_user()
    shift = _shift(session, need, now - timedelta(days=2), 2)
    _signup(session, volunteer, shift, SignupState.ATTENDED, created=now - timedelta(days=3))
    assert rules()["statistics"](session, now=now) == 0  # it queues no notices
    session.commit()
    report = match_statistics.report(session, match_statistics.default_period(now=now))
    assert (report.city.places, report.city.attended, report.city.active) == (2, 1, 1)


def test_figures_are_kept_in_memory_until_the_next_refresh(session, need, make_user, now):
    volunteer = make_user()
    shift = _shift(session, need, now - timedelta(days=2), 2)
    _signup(session, volunteer, shift, SignupState.ATTENDED, created=now - timedelta(days=3))
    rules()["statistics"](session, now=now)
    session.commit()
    period = match_statistics.default_period(now=now)
    assert match_statistics.report(session, period).city.places == 2
    _shift(session, need, now - timedelta(days=1), 3)
    session.commit()
    # Counted at the last refresh, as the page says ("updated every quarter of an hour").
    assert match_statistics.report(session, period).city.places == 2
    rules()["statistics"](session, now=now)
    session.commit()
    assert match_statistics.report(session, period).city.places == 5


def _active_entries(columns):
    return sorted(
        zip(
            columns.active_day.tolist(),
            [columns.active_districts[r] for r in columns.active_row.tolist()],
            columns.active_user.tolist(),
            strict=True,
        )
    )


def test_a_partial_refresh_reads_only_its_days_again_and_equals_a_full_read(
    session, need, history, make_user
):
    kept = match_columns.current(session)
    volunteer = make_user()
    day = day_start(date(2026, 11, 4))
    extra = _shift(session, need, day + timedelta(hours=10), 4)
    _signup(session, volunteer, extra, SignupState.ATTENDED, created=day, accepted=day)
    match_aggregates.refresh(session, start=date(2026, 11, 4), end=date(2026, 11, 5))
    session.commit()
    patched = match_columns.current(session)
    assert patched.token != kept.token
    assert list(patched.cells)[: len(kept.cells)] == list(kept.cells)  # kept's days, kept
    full = match_columns.read(session, patched.token)
    assert (patched.first, patched.days, set(patched.cells)) == (
        full.first,
        full.days,
        set(full.cells),
    )
    for cell in full.cells:
        assert (patched.totals[:, patched.cells[cell]] == full.totals[:, full.cells[cell]]).all()
    assert _active_entries(patched) == _active_entries(full)
    city = match_statistics.report(session, PERIOD).city
    assert (city.places, city.attended, city.active) == (9, 4, 3)


def test_accepting_a_sign_up_stamps_the_moment_and_the_needs_first_acceptance(
    session, need, make_user, now
):
    admin = make_user(email="entscheidet@verein.example")
    shift = _shift(session, need, now + timedelta(days=3), 2)
    first, second = make_user(), make_user()
    a = _signup(session, first, shift, SignupState.APPLIED, created=now)
    b = _signup(session, second, shift, SignupState.APPLIED, created=now)
    signup_service.transition(session, a, SignupState.ACCEPTED, by=admin, now=now)
    later = now + timedelta(hours=5)
    signup_service.transition(session, b, SignupState.ACCEPTED, by=admin, now=later)
    session.commit()
    assert session.get(Opportunity, need.id).first_accepted_at == now
    assert (a.accepted_at, b.accepted_at) == (now, later)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (None, date(2026, 11, 10), "bad_date"),
        (date(2026, 11, 10), date(2026, 11, 1), "period_order"),
        (date(2026, 11, 1), date(2026, 11, 29), "period_future"),
        (date(2020, 1, 1), date(2026, 11, 1), "statistics_period_too_long"),
    ],
)
def test_a_period_is_parsed_strictly(start, end, code, now):
    with pytest.raises(ServiceError) as problem:
        match_statistics.period_of(start, end, now=now)
    assert problem.value.code == code


def test_opening_a_need_and_seeing_recommendations_count_per_day_never_per_person(
    client, login, session, need, make_user, now
):
    volunteer = make_user()
    make_profile(session, volunteer, now=now)
    _shift(session, need, now + timedelta(days=2), 2)
    login(volunteer)
    assert client.get(f"/engagements/{need.id}").status_code == 200
    assert client.get(f"/engagements/{need.id}").status_code == 200
    page = client.get("/ich/fuer-dich")
    assert page.status_code == 200
    match_aggregates.write_shown(session)  # the counts the process has not written yet
    session.commit()
    rows = {(r.cut, r.key): r for r in session.exec(select(FunnelDay)).all()}
    district = rows[("district", need.district_number)]
    assert district.day == now.date() and district.opened == 2
    assert district.recommended >= 1  # the need is recommended to a reader next door
    assert set(FunnelDay.model_fields) == {"day", "cut", "key", "recommended", "opened"}


def test_the_page_shows_the_figures_charts_and_tables(client, login, coordinator, history):
    login(coordinator)
    page = client.get("/koordination/statistik?von=2026-11-01&bis=2026-11-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    svgs = [
        html[i : html.index("</svg>", i) + 6]
        for i in range(len(html))
        if html.startswith('<svg class="chart', i) or html.startswith('<svg class="district', i)
    ]
    assert len(svgs) == 4  # funnel, trend, heatmap and the district map
    ns = "{http://www.w3.org/2000/svg}"
    funnel, trend, grid, district_map = (ET.fromstring(s) for s in svgs)
    for chart in (funnel, trend, grid):
        assert chart.get("role") == "img" and chart.find(f"{ns}title").text
        assert chart.find(f"{ns}desc").text
    assert district_map.get("aria-label")
    values = [t.text for t in funnel.iter(f"{ns}text") if t.get("class") == "chart-value"]
    assert values == ["1", "3", "1", "3", "2", "3", "1"]  # the funnel of the period, in order
    cells = [t.text for t in grid.iter(f"{ns}text") if "chart-cell" in (t.get("class") or "")]
    assert len(cells) == 21 and cells.count("–") == 19  # two slots had shifts
    assert "67 %" in cells and "100 %" in cells  # 2 of 3 on Sunday morning, 2 of 2 on Tuesday
    assert "80 %" in html and "25 %" in html  # German percent formats
    summary = html[html.index('id="summary-table"') : html.index("</table>")]
    assert "<td" in summary and ">3<" in summary  # sign-ups this period
    assert "1.11.2026" in html or "01.11.2026" in html


def test_bad_dates_answer_with_a_translated_error(client, login, coordinator, need):
    login(coordinator)
    for query in (
        "von=2026-02-30&bis=2026-03-01",
        "von=gestern&bis=heute",
        "von=2026-11-10&bis=2026-11-01",
        "von=2026-11-01",
    ):
        page = client.get(f"/koordination/statistik?{query}")
        assert page.status_code == 400
        assert 'role="alert"' in page.get_data(as_text=True)
    assert client.get("/koordination/statistik.csv?von=x&bis=y").status_code == 400
    assert client.get("/koordination/statistik.csv?teil=nope").status_code == 400


def test_the_csv_matches_the_table_and_hides_small_counts(
    client, login, coordinator, history, need
):
    login(coordinator)
    data = client.get("/koordination/statistik.csv?von=2026-11-01&bis=2026-11-10&teil=bezirke").data
    records = german_records(data)
    assert len(records) == 30
    (here,) = [r for r in records if r["places"] not in ("0", "")]
    assert here["places"] == "5"
    assert here["confirmed_hours"] == "1,5"
    # 3 sign-ups and 2 active volunteers would single people out: hidden, with a second cell.
    assert here["signups"] == "." and here["active_volunteers"] == "."
    assert here["fill_rate"] == "."


def test_demo_history_gives_a_past_with_returning_volunteers(session, now):
    from volunteer.demo.city import Scale, load_demo_data

    scale = Scale(volunteers=80, organisations=30, opportunities=40, history_days=200)
    lines = load_demo_data(session, now=now, scale=scale, progress=False)
    session.commit()
    assert "History (200 days)" in lines[1 + 1]
    period = Period(date(2026, 6, 1), date(2026, 8, 31))
    current, previous = match_statistics.compare(session, period)
    city = current.city
    assert city.applied > 0 and city.attended > 0 and city.hour_entries > 0
    assert 0 < city.fill_rate <= 1 and 0 < city.no_show_rate < 1
    assert 0 < city.returning <= city.active
    assert city.recommended > city.applied and city.median_wait_hours is not None
    assert previous.city.applied > 0
    again = load_demo_data(session, now=now, scale=scale, progress=False)
    assert "added 0 shifts, 0 sign-ups, 0 hour entries" in again[2]


def test_a_deleted_account_is_no_longer_among_the_active(session, need, history, now):
    from volunteer.services.accounts import privacy

    u1 = history["users"][0]
    assert match_statistics.report(session, PERIOD).city.active == 2
    privacy.delete_account(session, u1, now=now)
    session.commit()
    city = match_statistics.report(session, PERIOD).city
    assert (city.active, city.returning) == (1, 1)  # only u3 is left, and was active before
    for row in session.exec(select(ActiveDay)).all():
        assert u1.id not in match_aggregates.unpack(row.user_ids).tolist()
