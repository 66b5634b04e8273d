"""The pages each role reaches: one home for the tests that walk the site.

``urls`` walks the URL map, so a page added tomorrow is crawled tomorrow (the no-500 test, the
locale-leak crawl); ``demo_pages`` names each demo login's main pages with real ids (the browser
tests at 320 and 1280 px, the locale crawl's query-string variants).
"""

from collections.abc import Iterator, Mapping

from flask import Flask
from sqlmodel import Session, col, select

from volunteer.demo.city import DEMO_COORDINATOR, DEMO_ORG_ADMIN, DEMO_VOLUNTEER
from volunteer.models import Membership, Opportunity, Shift, User

# What a URL rule's converters are filled with when the test knows no better value.
VALUES = {"int": "999999", "string": "nichts-hier", "path": "nichts/hier"}

# The demo login behind each role ("anonymous" has none).
DEMO_LOGINS = {"volunteer": DEMO_VOLUNTEER, "association": DEMO_ORG_ADMIN,
               "coordinator": DEMO_COORDINATOR}  # fmt: skip
ROLES = ("anonymous", *DEMO_LOGINS)

# Searches whose result pages show more than the plain list: distances, the best fits, a
# district, a period, an empty result.
SEARCHES = (
    "/engagements/?sort=nearest&radius=5",
    "/engagements/?sort=best&fits=1",
    "/engagements/?sort=soonest&district=1&from=2026-12-01&to=2026-12-31",
    "/engagements/?q=Tafel",
    "/engagements/?q=nichts-zu-finden-xyz",
    "/engagements/?page=2",
)


def urls(app: Flask, known: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(endpoint, path) of every GET route, its arguments taken from ``known`` by name."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        args = {}
        for name, conv in rule._converters.items():
            kind = type(conv).__name__.replace("Converter", "").lower()
            args[name] = known.get(name, VALUES.get(kind, "x"))
        try:
            yield rule.endpoint, rule.build(args, append_unknown=False)[1]
        except Exception:  # a converter this walk does not know how to fill
            continue


def demo_ids(session: Session) -> dict[str, str]:
    """Ids of the demo association's first need and its first shift, by URL argument name."""
    admin = session.exec(select(User).where(User.email == DEMO_ORG_ADMIN)).one()
    org_id = session.exec(
        select(Membership.organisation_id).where(Membership.user_id == admin.id)
    ).first()
    need = session.exec(
        select(Opportunity)
        .where(Opportunity.organisation_id == org_id)
        .order_by(col(Opportunity.id))
    ).first()
    assert need is not None and org_id is not None
    shift = session.exec(select(Shift.id).where(Shift.opportunity_id == need.id)).first()
    return {
        "org_id": str(org_id),
        "opportunity_id": str(need.id),
        "need_id": str(need.id),
        "shift_id": str(shift),
    }


def demo_pages(session: Session) -> dict[str, list[str]]:
    """Each role's main pages in the demo city, keyed "visitor" or by the demo login."""
    ids = demo_ids(session)
    need, org_id, shift = ids["need_id"], ids["org_id"], ids["shift_id"]
    o = f"/vereine/{org_id}"
    return {
        "visitor": [
            "/",
            "/engagements/",
            f"/engagements/{need}",
            "/engagements/stadtteile",
            f"/engagements/vereine/{org_id}",
            "/datenschutz",
            "/barrierefreiheit",
            "/impressum",
            "/konto/anmelden",
            "/konto/registrieren",
        ],
        DEMO_VOLUNTEER: [
            "/ich/profil",
            "/ich/profil/mehr",
            "/ich/fuer-dich",
            "/ich/engagements",
            "/ich/meine-daten",
            "/postfach/",
            "/benachrichtigungen",
            "/konto/",
            f"/engagements/{need}",
        ],
        DEMO_ORG_ADMIN: [
            f"{o}/",
            f"{o}/einsaetze",
            f"{o}/einsaetze/{need}",
            f"{o}/termine/{shift}",
            f"{o}/bewerbungen",
            f"{o}/stunden",
            f"{o}/mitglieder",
            f"{o}/profil",
        ],
        DEMO_COORDINATOR: [
            "/koordination/",
            "/koordination/statistik",
            "/koordination/vereine",
            "/koordination/faehigkeiten",
            "/koordination/benachrichtigungen",
            "/koordination/luecken",
            "/koordination/vorschlag",
            "/koordination/protokoll",
            "/stil",
        ],
    }
