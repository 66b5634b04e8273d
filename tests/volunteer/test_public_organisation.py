"""The public page of an organisation: logo or initials, description, district, open needs and
the contact it allows."""

from datetime import timedelta

from tests.factories import make_opportunity, make_organisation, make_shift
from volunteer.models import OpportunityStatus, Signup, SignupState


def _org(session, now, **kw):
    values = {
        "name": "Nachbarschaftshilfe Hamme",
        "description": "Wir helfen:\n\n- beim Einkaufen\n- **mit Zeit**",
        "website": "https://hamme.example.org",
        "contact_email": "kontakt@hamme.example.org",
        "phone": "0234 123456",
    }
    values.update(kw)
    return make_organisation(session, now, **values)


def test_visitors_see_description_needs_and_website_but_not_email_or_phone(client, session, now):
    org = _org(session, now)
    listed = make_opportunity(session, now, org, title="Einkaufshilfe")
    make_opportunity(session, now, org, title="Entwurf", status=OpportunityStatus.DRAFT)
    make_shift(session, now, listed)
    page = client.get(f"/engagements/vereine/{org.id}").get_data(as_text=True)
    assert "<h1>Nachbarschaftshilfe Hamme</h1>" in page
    assert ">NH</span>" in page  # initials: no logo
    assert "<li>beim Einkaufen</li>" in page and "<strong>mit Zeit</strong>" in page
    assert "Einkaufshilfe" in page and "Entwurf" not in page
    assert "1 offenes Angebot" in page
    assert "https://hamme.example.org" in page
    assert "kontakt@hamme.example.org" not in page and "0234 123456" not in page


def test_a_volunteer_who_signed_up_sees_email_and_phone(client, session, now, make_user, login):
    org = _org(session, now)
    shift = make_shift(session, now, make_opportunity(session, now, org), starts_in=timedelta(3))
    user = make_user()
    session.add(Signup(shift_id=shift.id, user_id=user.id, state=SignupState.ACCEPTED))
    session.commit()
    login(user)
    page = client.get(f"/engagements/vereine/{org.id}").get_data(as_text=True)
    assert "kontakt@hamme.example.org" in page and "0234 123456" in page


def test_an_unverified_or_unknown_organisation_has_no_public_page(client, session, now):
    hidden = _org(session, now, verified_at=None)
    session.commit()
    assert client.get(f"/engagements/vereine/{hidden.id}").status_code == 404
    assert client.get("/engagements/vereine/999999").status_code == 404


def test_need_page_links_to_the_organisation_page(client, session, now):
    org = _org(session, now)
    need = make_opportunity(session, now, org)
    session.commit()
    page = client.get(f"/engagements/{need.id}").get_data(as_text=True)
    assert f'href="/engagements/vereine/{org.id}"' in page
