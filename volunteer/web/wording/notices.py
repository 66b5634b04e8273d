"""Notice kinds and delivery failures in words, for the coordinators' failed-notices page.

Every kind in ``services/notices/kinds.KINDS`` has a label here: the ones people choose about
come from the preference page's own labels (``settings.CONFIGURABLE``), the rest (security
mails, mails to parents, invitations to an association) are named below. A test checks that
no kind is left without one, so the page never shows ``verify_email``.
"""

from typing import Any

from flask_babel import lazy_gettext as _l

from volunteer.services.notices.settings import CONFIGURABLE

_OTHER_KINDS: dict[str, Any] = {
    "verify_email": _l("Confirm the e-mail address of a new account"),
    "password_reset": _l("Link to set a new password"),
    "password_changed": _l("The password was changed"),
    "email_change": _l("Confirm a new e-mail address"),
    "email_changed": _l("The e-mail address was changed (to the old address)"),
    "registration_attempt": _l("Someone tried to register with the person's address"),
    "email_claim_attempt": _l("Someone tried to move another account to the person's address"),
    "account_inactive": _l("Warning before an unused account is deleted"),
    "guardian_consent": _l("Request for a parent's or guardian's consent"),
    "guardian_reminder": _l("Reminder to a parent or guardian"),
    "organisation_verified": _l("An association was verified"),
    "organisation_info_requested": _l("An association is asked for more information"),
    "organisation_rejected": _l("An association was not verified"),
    "organisation_invite": _l("Invitation to join an association"),
}
KIND_LABELS: dict[str, Any] = {k.kind: k.label for k in CONFIGURABLE} | _OTHER_KINDS

#: Why a notice failed (``services/notices/failures.reason``), and what can be done.
CAUSE_SENTENCES: dict[str, Any] = {
    "address_invalid": _l(
        "The e-mail address is not a valid address. Correct it, or mark the person unreachable."
    ),
    "address_refused": _l(
        "The recipient's mail server refused the address: it may be misspelt or no longer "
        "exist. Correct it, or mark the person unreachable."
    ),
    "server_unreachable": _l(
        "Our mail server could not be reached, even after several tries. Once it works again, "
        "send the notice again."
    ),
    "service_fault": _l(
        "The notice could not be written because of a fault in the service. Please tell the "
        "operators; sending it again will not help until it is fixed."
    ),
    "unknown": _l("The notice could not be delivered. Send it again, or mark it unreachable."),
}
#: Causes where the mail server's own reply helps (it names the address problem).
SHOW_SERVER_REPLY = frozenset({"address_invalid", "address_refused"})
