"""The wording of every consent Mitwirken asks for, with its version: one home for both.

The forms and pages show these texts, and the services record the version and a hash of the
text in the language it was shown in (``services.accounts.consents``), so a record proves what
the person agreed to. Change a text, change its version.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from volunteer.services.accounts.consents import DISCOVERABLE, GUARDIAN, PRIVACY, ShownText

VERSIONS = {PRIVACY: "2026-12-01", DISCOVERABLE: "2026-12-01", GUARDIAN: "2026-12-01"}

PRIVACY_LABEL = _l(
    "I have read the privacy notice and agree that my data is processed to arrange volunteering."
)
DISCOVERABLE_LABEL = _l(
    "Associations may find me and invite me. Before I apply, they see only my first name, my "
    "district and roughly how far away I live. I can switch this off at any time."
)


def guardian_paragraphs(child: str, operator: str) -> list[str]:
    """What the guardian is asked to agree to, formally ("Sie"): who, what data, why, for how
    long and how to withdraw. Shown on the consent page; the mail says the same in short."""
    return [
        _(
            "%(child)s would like to volunteer through Mitwirken, the volunteering service of "
            "%(operator)s, and gave your e-mail address as that of a parent or guardian.",
            child=child,
            operator=operator,
        ),
        _(
            "Because %(child)s is under 16, we need your consent (Art. 8 GDPR) before "
            "%(child)s can sign up for an engagement or be found by associations.",
            child=child,
        ),
        _(
            "We process the first name, e-mail address, postcode or district, the times, "
            "skills and interests %(child)s entered, and the sign-ups and hours. We use them "
            "only to suggest suitable engagements and to pass the sign-up to the association "
            "that offers it. Associations see the first name and district; contact details "
            "only after a sign-up.",
            child=child,
        ),
        _(
            "You can withdraw your consent at any time through the link in our e-mail, "
            "without giving reasons. %(child)s is then no longer visible to associations and "
            "upcoming sign-ups are cancelled.",
            child=child,
        ),
    ]


def shown(kind: str, *, child: str = "", operator: str = "") -> ShownText:
    """The wording of a consent as it is shown now, in the current language."""
    if kind == PRIVACY:
        text = str(PRIVACY_LABEL)
    elif kind == DISCOVERABLE:
        text = str(DISCOVERABLE_LABEL)
    else:
        text = "\n\n".join(guardian_paragraphs(child, operator))
    return ShownText(version=VERSIONS[kind], text=text)


def consent_label(kind: str) -> str:
    """The name of a consent in the history table on "Meine Daten"."""
    labels: dict[str, str] = {
        PRIVACY: _("Privacy notice accepted"),
        DISCOVERABLE: _("Associations may find and invite me"),
        GUARDIAN: _("Consent of a parent or guardian"),
    }
    return labels.get(kind, kind)


def withdrawn_how_label(how: str) -> str:
    """How a consent ended, in words (never the sign-up word "Abgesagt")."""
    labels: dict[str, str] = {
        "profile": _("withdrawn by you"),
        "guardian_link": _("withdrawn by your parent or guardian"),
        "guardian_changed": _("ended: another parent or guardian was named"),
        "superseded": _("replaced by a newer wording"),
        "account_deleted": _("ended with the account"),
    }
    return labels.get(how) or _("consent withdrawn")
