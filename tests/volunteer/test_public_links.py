"""Links that leave the site come from one builder (``volunteer.platform.links``): named by
endpoint, so a renamed page breaks here instead of in a mailbox; on ``BASE_URL``, never on the
request's Host; token slots survive for the renderer to sign."""

import pytest
from flask import Flask
from sqlmodel import select
from werkzeug.routing import BuildError

from tests.factories import make_user
from volunteer.models import Notice
from volunteer.platform.links import PublicLinks
from volunteer.platform.signing import fill_slots
from volunteer.services.accounts import account

SLOT = "{token:" + "k" * 24 + "}"


def test_an_unknown_endpoint_raises(links: PublicLinks) -> None:
    with pytest.raises(BuildError):
        links("accounts.verify_old_name", token="x")


def test_links_sit_on_the_base_url_and_keep_token_slots(app: Flask) -> None:
    app.config["BASE_URL"] = "https://mitwirken.example/bochum/"
    links = PublicLinks(app)
    url = links("accounts.verify", token=SLOT)
    assert url == f"https://mitwirken.example/bochum/konto/bestaetigen/{SLOT}"
    signed = fill_slots(url, str(app.config["SECRET_KEY"]))
    assert signed.startswith("https://mitwirken.example/bochum/konto/bestaetigen/")
    assert "{" not in signed and "%7B" not in signed


def test_the_mailed_verification_link_opens_the_verification_page(
    client, session, links, now, mailed_link
) -> None:
    person = make_user(session, now=now, email_verified_at=None)
    account.send_verification(session, person, now=now, links=links, hours=24, mail_budget=5)
    session.commit()
    notice = session.exec(select(Notice).where(Notice.kind == "verify_email")).first()
    assert notice is not None
    response = client.get(mailed_link(notice).removeprefix("http://localhost"))
    assert response.status_code in (200, 302)
    session.refresh(person)
    assert person.email_verified_at is not None
