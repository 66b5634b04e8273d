"""The search's words: each one must occur, case-insensitively and literally, inside the title,
the description or the organisation's name of a need (answered from the listing's word index)."""

from datetime import timedelta

import pytest

from tests.factories import make_opportunity, make_organisation, make_shift, seed_reference
from volunteer.services.discovery import engine


@pytest.fixture
def needs(session, now):
    seed_reference(session)
    tafel = make_organisation(session, now, name="Bochumer Tafel e.V.")
    garden = make_organisation(session, now, name="Nachbarschaft Langendreer")
    for org, title, description in (
        (tafel, "Ausgabe begleiten", "Lesen, sortieren und an der Straße verteilen."),
        (garden, "Gemeinschaftsgarten pflegen", "Beete gießen und Kinder anleiten."),
    ):
        need = make_opportunity(session, now, org, title=title, description=description)
        make_shift(session, now, need, starts_in=timedelta(days=3), capacity=2)
    engine.invalidate()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("garten", {"Gemeinschaftsgarten pflegen"}),  # inside a longer word
        ("STRASSE", {"Ausgabe begleiten"}),  # case folded: ß is ss
        ("e.V.", {"Ausgabe begleiten"}),  # the organisation's name, punctuation literal
        ("kinder gießen", {"Gemeinschaftsgarten pflegen"}),  # every word, anywhere in the need
        ("kinder tafel", set()),  # each word in another need: none has both
        ("begleitenlesen", set()),  # never across the title and the description
        ("verteilen.", {"Ausgabe begleiten"}),
        ("a", {"Ausgabe begleiten", "Gemeinschaftsgarten pflegen"}),
        ("nirgendwo", set()),
    ],
)
def test_a_search_finds_the_needs_containing_every_word(client, needs, query, found):
    page = client.get("/engagements/", query_string={"q": query}).get_data(as_text=True)
    titles = {"Ausgabe begleiten", "Gemeinschaftsgarten pflegen"}
    assert {t for t in titles if t in page} == found
