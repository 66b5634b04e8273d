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
