"""Counts of people that leave the service: 1-4 hidden, and a second cell when one alone would
be hidden (the column total would give it away)."""

import pytest

from tests.factories import GEOCODER, make_profile, seed_reference
from tests.spreadsheets import german_records
from volunteer.models import Role
from volunteer.services.coordination.disclosure import SUPPRESSED, protect


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ([], []),
        ([0, 0], [0, 0]),  # nobody singles out no one
        ([5, 6, 7], [5, 6, 7]),  # five is shown
        ([4, 4, 9], [".", ".", 9]),  # two hidden: neither can be worked out from the total
        ([4, 9, 6, 0], [".", 9, 6, "."]),  # one alone would be given away: the smallest joins
        ([4, 9, 6], [".", 9, "."]),
        ([1], ["."]),  # a single cell is its own total: nothing to hide it with
        ([3, 0, 0], [".", ".", 0]),
    ],
)
def test_small_counts_are_hidden_with_secondary_suppression(counts, published):
    assert protect(counts) == published
    assert SUPPRESSED == "."


def test_the_district_report_hides_small_counts_of_volunteers(
    client, login, session, make_user, now
):
    seed_reference(session)
    placed = {"44787": 5, "44866": 4, "44892": 7}
    for postcode, n in placed.items():
        for _ in range(n):
            make_profile(session, make_user(), now=now, postcode=postcode)
    login(make_user(role=Role.COORDINATOR))
    report = german_records(client.get("/koordination/bericht.csv").data)
    rows = {r["Stadtteil-Nr."]: r for r in report}
    cell = {
        postcode: rows[str(GEOCODER.geocode(postcode).district_number)]["Ehrenamtliche"]
        for postcode in placed
    }
    # Wattenscheid's 4 are hidden, and so is the smallest other count (a district with nobody):
    # with only one cell hidden, the city total would reveal it. Five and seven stay.
    assert cell == {"44787": "5", "44866": ".", "44892": "7"}
    column = [r["Ehrenamtliche"] for r in rows.values()]
    assert column.count(".") == 2 and set(column) == {".", "0", "5", "7"}
