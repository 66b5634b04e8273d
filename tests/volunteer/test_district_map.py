"""The district map: a choropleth drawn from the district polygons, links with text
alternatives, a table beside it, no JavaScript; and the drawing module the coordinators reuse."""

import re
from datetime import timedelta

from sqlmodel import select

from tests.factories import make_opportunity, make_organisation, make_shift
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import District, OpportunityStatus
from volunteer.web.charts.map import bands, choropleth, district_shapes, step_of


def test_every_statistical_district_has_a_shape_matching_the_gazetteer(session):
    sync_reference_data(session)
    numbers = {d.number for d in session.exec(select(District)).all()}
    assert {s.number for s in district_shapes()} == numbers
    assert len(district_shapes()) == 30


def test_steps_are_zero_for_nothing_and_four_bands_up_to_the_maximum():
    assert [step_of(v, 8) for v in (0, 1, 2, 3, 4, 5, 8)] == [0, 1, 1, 2, 2, 3, 4]
    assert step_of(3, 0) == 0
    assert bands(8) == [(1, 0, 2), (2, 2, 4), (3, 4, 6), (4, 6, 8)]


def test_a_map_without_links_is_shapes_with_titles_only(app):
    with app.test_request_context():
        svg = str(choropleth({10: 0.5}, title="Quote", label=lambda n, v: f"{n}: {v}", show=str))
    assert svg.count("<path") == 30 and "<a " not in svg
    assert "<script" not in svg and 'aria-label="Quote"' in svg


def test_district_page_draws_a_linked_choropleth_and_a_table(client, session, now):
    sync_reference_data(session)
    d = session.exec(select(District).where(District.name == "Grumme")).one()
    org = make_organisation(session, now)
    for title in ("Eins", "Zwei"):
        need = make_opportunity(session, now, org, title=title, district_number=d.number)
        make_shift(session, now, need, starts_in=timedelta(days=3))
    session.commit()
    page = client.get("/engagements/stadtteile").get_data(as_text=True)
    start = page.index('<svg class="district-choropleth"')
    svg = page[start : page.index("</svg>", start)]
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', svg)
    assert len(links) == 30
    assert (f"/engagements/?district={d.number}", "Grumme: 2 Engagements") in links
    assert 'class="map-step-4"' in svg  # Grumme holds the maximum
    assert "<script" not in page
    assert f'<a href="/engagements/?district={d.number}">Grumme</a>' in page  # the table
    assert "Geometrie: Stadt Bochum, statistische Bezirke." in page


def test_the_district_figures_follow_a_new_need_and_a_closed_one(client, session, now):
    """Counted from the search's cached listing (``search.district_counts``): a commit that
    publishes or closes a need is in the next visit's figures, as it is in the search."""
    sync_reference_data(session)
    d = session.exec(select(District).where(District.name == "Grumme")).one()
    org = make_organisation(session, now)
    first = make_opportunity(session, now, org, title="Eins", district_number=d.number)
    make_shift(session, now, first, starts_in=timedelta(days=3))
    assert "Grumme: 1 Engagement" in client.get("/engagements/stadtteile").get_data(as_text=True)
    second = make_opportunity(session, now, org, title="Zwei", district_number=d.number)
    make_shift(session, now, second, starts_in=timedelta(days=4))
    assert "Grumme: 2 Engagements" in client.get("/engagements/stadtteile").get_data(as_text=True)
    first.status = OpportunityStatus.CLOSED
    session.add(first)
    session.commit()
    page = client.get("/engagements/stadtteile").get_data(as_text=True)
    assert "Grumme: 1 Engagement" in page
    assert "1 Engagement" in client.get(f"/engagements/?district={d.number}").get_data(as_text=True)
