"""Every page of every role, in German and in English, shows no locale leak: dates, times,
numbers and plurals through Babel, every code through its label, every sentence translated.

Routes come from the URL map (``tests.crawl``), so a page added later is crawled too; the demo
city gives the pages real content (distances, hours, waiting lists, past engagements).
"""

import pytest
from sqlmodel import select

from tests.crawl import DEMO_LOGINS, ROLES, SEARCHES, demo_ids, urls
from tests.locale_leaks import page_leaks
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import User
from volunteer.platform.i18n import LANG_COOKIE


@pytest.fixture
def city(session, now):
    load_demo_data(session, now=now, scale=Scale(20, 30, 20), progress=False)
    session.commit()
    return demo_ids(session)


@pytest.mark.parametrize("locale", ["de", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_no_page_leaks_codes_or_the_other_language(app, client, login, session, city, role, locale):
    if role == "anonymous":
        client.set_cookie(LANG_COOKIE, locale)
    else:
        user = session.exec(select(User).where(User.email == DEMO_LOGINS[role])).one()
        user.locale = locale
        session.add(user)
        session.commit()
        login(user)
    found = []
    for endpoint, url in [*urls(app, city), *(("search", s) for s in SEARCHES)]:
        response = client.get(url)
        if response.status_code >= 300 or response.mimetype != "text/html":
            continue
        for leak in page_leaks(response.get_data(as_text=True), locale):
            found.append(f"{endpoint} {url}: {leak}")
    assert not found, "\n".join(sorted(set(found)))


@pytest.mark.parametrize(
    ("html", "locale", "what"),
    [
        ("<p>0.4 km</p>", "de", "decimal point"),
        ("<td>3.0 Std.</td>", "de", "decimal point"),
        ("<p>1,5 hours</p>", "en", "decimal comma"),
        ("<p>seit 2024-12-02</p>", "de", "ISO date"),
        ("<h1>Erinnerung: Tafel, 30.11.2026, 10:00:00</h1>", "de", "time with seconds"),
        ("<li>Sat 03.04.2027</li>", "en", "German weekday/month"),
        ("<li>Samstag, 3. April 2027</li>", "en", "German weekday/month"),
        ("<li>Saturday, 3 April</li>", "de", "English weekday/month"),
        ("<p>1 Personen</p>", "de", "plural slip"),
        ("<p>1 kommende Termine</p>", "de", "plural slip"),
        ("<p>beginnt in 0 Stunden</p>", "de", "plural slip"),
        ("<p>3 Termin(e)</p>", "de", "plural in brackets"),
        ("<td>verein</td>", "de", "raw code"),
        ("<td>pending</td>", "en", "raw code"),
        ("<p>Status: verify_email</p>", "en", "raw code"),
        ('<a href="/">Find opportunities</a>', "de", "untranslated"),
        ('<img alt="Please choose one of the options.">', "de", "untranslated"),
        ("<p>Engagement finden</p>", "en", "German on an English page"),
        ("<p>This is the thing you want</p>", "de", "English prose"),
    ],
)
def test_the_checker_catches_each_kind_of_leak(html, locale, what):
    assert any(leak.startswith(what) for leak in page_leaks(html, locale)), page_leaks(html, locale)


def test_the_checker_leaves_good_text_scripts_links_and_codes_in_attributes_alone():
    html = (
        '<p data-state="pending">Mi., 02.12.2026, 16:00–18:00 · 0,4 km · 1 Person · 3 Termine</p>'
        "<script>var d = '2026-12-02T10:00:00';</script><style>.a{width:0.5em}</style>"
        '<time datetime="2026-12-02">2. Dezember 2026</time> WCAG 2.1'
        "<p>Feld <code>confirmed_hours</code>, Datenlizenz Deutschland – Version 2.0</p>"
        '<a href="https://x.example/a_b/1.5">Link</a> kontakt@verein.example'
    )
    assert page_leaks(html, "de") == []
    assert page_leaks("<p>Wed, Dec 2, 2026, 4:00 PM · 0.4 km · 1 person · 3 dates</p>", "en") == []
