"""Descriptions written with a little Markdown: rendered safely on the public pages, previewed
on the need and organisation forms without saving anything."""

import pytest
from sqlmodel import select

from tests.factories import make_association, seed_reference
from volunteer.models import Opportunity, Organisation
from volunteer.platform.richtext import render
from volunteer.services.discovery import engine

DESCRIPTION = (
    "Wir lesen **jede Woche** mit Kindern.\n\n"
    "- Bücher *aussuchen*\n- vorlesen\n\n"
    "Mehr auf [unserer Seite](https://lesepaten.example/ueber_uns) oder "
    "[per Mail](mailto:hallo@lesepaten.example)."
)


@pytest.fixture
def world(session, now):
    seed_reference(session)
    engine.invalidate()
    return make_association(session, now=now, with_shift=False)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("- eins\n- **zwei**", "<ul><li>eins</li><li><strong>zwei</strong></li></ul>"),
        ("1. eins\n2. zwei", "<ol><li>eins</li><li>zwei</li></ol>"),
        (
            "*kursiv* und _auch_, aber snake_case_name",
            "<p><em>kursiv</em> und <em>auch</em>, aber snake_case_name</p>",
        ),
        (
            "[Seite](https://a.example/x_y_z?a=1&b=2)",
            '<p><a href="https://a.example/x_y_z?a=1&amp;b=2" rel="nofollow noopener">'
            "Seite</a></p>",
        ),
        (
            "Siehe https://a.example/info.",
            '<p>Siehe <a href="https://a.example/info" rel="nofollow noopener">'
            "https://a.example/info</a>.</p>",
        ),
        (
            "[böse](javascript:alert(1)) [x](data:text/html,hi)",
            "<p>[böse](javascript:alert(1)) [x](data:text/html,hi)</p>",
        ),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        (
            '[a"b](https://a.example/"onclick=x)',
            '<p><a href="https://a.example/&quot;onclick=x" rel="nofollow noopener">a"b</a></p>',
        ),
        ("<b>roh</b>", "<p>&lt;b&gt;roh&lt;/b&gt;</p>"),
    ],
)
def test_formatting_renders_lists_emphasis_and_only_safe_links(text, html):
    assert str(render(text)) == html


def test_public_need_and_organisation_pages_render_the_formatting(world, client, session):
    need, org = world["need"], world["org"]
    need.description = DESCRIPTION
    org.description = DESCRIPTION + "\n\n[klick](javascript:alert(1))"
    session.add_all([need, org])
    session.commit()
    for url in (f"/engagements/{need.id}", f"/engagements/vereine/{org.id}"):
        page = client.get(url).text
        assert "<strong>jede Woche</strong>" in page
        assert "<li>Bücher <em>aussuchen</em></li>" in page
        link = '<a href="https://lesepaten.example/ueber_uns" rel="nofollow noopener">'
        assert link + "unserer Seite</a>" in page
        assert 'href="mailto:hallo@lesepaten.example"' in page
        assert 'href="javascript' not in page


def test_need_preview_shows_the_rendered_text_and_saves_nothing(world, client, login, session):
    org = world["org"]
    login(world["admin"])
    before = len(session.exec(select(Opportunity)).all())
    form = {"title": "Sprachcafé", "address": "44787", "description": DESCRIPTION, "preview": "1"}
    response = client.post(f"/vereine/{org.id}/einsaetze/neu", data=form)
    assert response.status_code == 200
    assert "Vorschau" in response.text and "<strong>jede Woche</strong>" in response.text
    assert 'value="Sprachcafé"' in response.text  # what was typed stays in the form
    assert "**jede Woche**" in response.text  # and the raw text stays in the textarea
    assert len(session.exec(select(Opportunity)).all()) == before

    need = world["need"]
    url = f"/vereine/{org.id}/einsaetze/{need.id}/bearbeiten"
    edit = client.post(url, data={**form, "title": "Neuer Titel"})
    assert edit.status_code == 200 and "<li>vorlesen</li>" in edit.text
    session.expire_all()
    saved = session.get(Opportunity, need.id)
    assert (saved.title, saved.description) == (
        "Lesepatin für die Grundschule",
        "Wir lesen mit Kindern.",
    )


def test_preview_names_markup_the_save_would_refuse(world, client, login):
    login(world["admin"])
    form = {"title": "Sprachcafé", "address": "44787", "description": "<b>fett</b>", "preview": "1"}
    response = client.post(f"/vereine/{world['org'].id}/einsaetze/neu", data=form)
    assert response.status_code == 422 and "ohne HTML" in response.text
    assert "&lt;b&gt;fett&lt;/b&gt;" in response.text and "<b>fett</b>" not in response.text


def test_organisation_preview_shows_the_rendered_text_and_saves_nothing(
    world, client, login, session
):
    org = world["org"]
    login(world["admin"])
    page = client.get(f"/vereine/{org.id}/profil").text
    assert 'name="preview"' in page and "Vorschau" in page
    # Enter in a text field sends the form with its first button: that one saves.
    form_html = page[page.index(f'action="/vereine/{org.id}/profil"') :]
    assert form_html.index('type="submit"') < form_html.index('name="preview"')
    form = {"name": "Lesepaten Neu", "kind": "verein", "address": "Weitmar"}
    form["contact_email"] = "hallo@lesepaten.example"
    response = client.post(
        f"/vereine/{org.id}/profil", data={**form, "description": DESCRIPTION, "preview": "1"}
    )
    assert response.status_code == 200
    assert (
        "<strong>jede Woche</strong>" in response.text and 'value="Lesepaten Neu"' in response.text
    )
    session.expire_all()
    saved = session.get(Organisation, org.id)
    assert saved.name == "Lesepaten Bochum e.V." and not saved.description
    # Without the preview button the same form saves.
    assert (
        client.post(
            f"/vereine/{org.id}/profil", data={**form, "description": DESCRIPTION}
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Organisation, org.id).description == DESCRIPTION
