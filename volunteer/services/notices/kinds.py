"""Every notice kind, and the payload keys its templates and renderer read: one declaration each.

A producer (a service or a notice rule) and the templates in ``templates/notices/<kind>/`` are
written in different places; this table is the contract between them. ``outbox.enqueue`` refuses
a payload that lacks a required key, so a producer sending ``name`` where the templates read
``volunteer_name`` fails in its own test, not silently in a recipient's inbox. A test checks
that every ``payload.<key>`` a template reads is declared here, and renders every kind from the
payload its real producer writes.

Ids (``signup_id``, ``shift_id``, ...) name the objects the renderer loads
(:func:`notifications.render.load_objects`); other keys are facts frozen at the time of the event.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What one kind's payload carries: ``required`` keys must be there, ``optional`` may be."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    #: Protects the account itself: e-mail only, cannot be switched off.
    security: bool = False
    #: A mail anyone can make us send to an address by filling in a form (a link to confirm,
    #: reset or join): counted against the recipient's hourly mail budget
    #: (:func:`volunteer.services.notices.outbox.enqueue`). Alarms about a change that happened
    #: (password or address changed) are never refused.
    budgeted: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return self.required | self.optional


def _kind(
    *required: str, optional: tuple[str, ...] = (), security: bool = False, budgeted: bool = False
) -> Kind:
    return Kind(frozenset(required), frozenset(optional), security, budgeted)


# The state a sign-up notice was written in, and the organisation's own words if it gave any.
_SIGNUP = ("state", "shift_id", "message", "opportunity_id")

KINDS: dict[str, Kind] = {
    # accounts (security). ``name`` overrides the recipient's display name in the greeting.
    "verify_email": _kind("url", optional=("name",), security=True, budgeted=True),
    "password_reset": _kind("url", "hours", optional=("name",), security=True, budgeted=True),
    "password_changed": _kind(optional=("name",), security=True),
    "email_change": _kind("url", "new_email", optional=("name",), security=True, budgeted=True),
    # To the owner of an address someone tried to register again (instead of "already exists").
    "registration_attempt": _kind(optional=("name",), security=True, budgeted=True),
    # To the owner of an address another account asked to move to (instead of "already exists").
    "email_claim_attempt": _kind(optional=("name",), security=True, budgeted=True),
    # To the old address once a change is confirmed: a takeover must not go unnoticed.
    "email_changed": _kind("new_email", optional=("name",), security=True),
    # The retention rule's warning before an unused account is deleted (cannot be switched off).
    "account_inactive": _kind("delete_on", optional=("name",), security=True),
    # To a parent or guardian, who has no account: the renderer loads the request and the child
    # and signs the link at delivery, so the outbox holds no working link. Greeted formally.
    "guardian_consent": _kind("guardian_request_id", security=True),
    "guardian_reminder": _kind("guardian_request_id", security=True),
    # volunteers
    # ``waitlist_place``: her place when she joined the waiting list (the mail says it).
    "signup_received": _kind("signup_id", optional=(*_SIGNUP, "waitlist_place")),
    "signup_accepted": _kind("signup_id", optional=_SIGNUP),
    "signup_declined": _kind("signup_id", optional=_SIGNUP),
    "waitlist_moved_up": _kind("signup_id", optional=_SIGNUP),
    # One notice for a whole series: ``dates`` lists each date's ``shift_id`` and, for joining,
    # its ``state`` and (on a waiting list) ``waitlist_place`` at the time of joining.
    "series_joined": _kind("opportunity_id", "dates"),
    "series_left": _kind("opportunity_id", "dates"),
    # ``expires_at``: the dispatcher skips a notice that comes too late to be useful.
    "reminder_24h": _kind("signup_id", optional=("expires_at",)),
    "reminder_2h": _kind("signup_id", optional=("expires_at",)),
    "shift_changed": _kind(
        "shift_id", "signup_id", optional=("old_starts_at", "old_ends_at", "old_place")
    ),
    "shift_cancelled": _kind("shift_id", "signup_id", optional=("starts_at", "reason")),
    "shift_message": _kind(
        "shift_id", "signup_id", "organisation_id", "text", optional=("from_user_id",)
    ),
    "hours_confirmed": _kind("hour_entry_id", "organisation_id", optional=("minutes", "reason")),
    "hours_rejected": _kind("hour_entry_id", "organisation_id", "reason", optional=("minutes",)),
    "recognition": _kind("milestone", optional=("hours", "reached_on")),
    "digest": _kind("opportunity_ids", "reasons"),
    "candidate_invited": _kind(
        "opportunity_id", "organisation_id", optional=("invited_by", "message")
    ),
    # From a city-wide proposal: the pair names the shift; the page behind it is the answer.
    "proposal_invitation": _kind("pair_id", "shift_id"),
    # associations
    "application_new": _kind("signup_id", "opportunity_id", optional=_SIGNUP),
    # A whole series at once (``dates`` as for series_joined; ``signup_id``: the first date's).
    "series_application_new": _kind("signup_id", "opportunity_id", "dates"),
    "series_withdrawn": _kind("signup_id", "opportunity_id", "dates"),
    "signup_withdrawn": _kind("signup_id", "opportunity_id", optional=_SIGNUP),
    "hours_submitted": _kind("hour_entry_id", "organisation_id"),
    "shift_unfilled": _kind(
        "shift_id", "candidate_ids", "candidate_reasons", optional=("expires_at",)
    ),
    "organisation_verified": _kind("organisation_id"),
    # A coordinator's decision before verification, in the coordinator's own words.
    "organisation_info_requested": _kind("organisation_id", "message"),
    "organisation_rejected": _kind("organisation_id", "message"),
    "organisation_invite": _kind(
        "organisation_id", "role", "url", optional=("invited_by",), budgeted=True
    ),
    # city coordinators
    "organisation_registered": _kind("organisation_id"),
    "coordinator_summary": _kind("figures"),
}

SECURITY_KINDS = frozenset(name for name, kind in KINDS.items() if kind.security)
BUDGETED_KINDS = frozenset(name for name, kind in KINDS.items() if kind.budgeted)


class UnknownKind(ValueError):
    """A producer named a notice kind that has no templates (a programming error)."""


class PayloadMismatch(ValueError):
    """A producer's payload lacks a key the kind's templates read (a programming error)."""


def check_payload(kind: str, payload: dict[str, object]) -> None:
    """Raise unless ``kind`` is declared and ``payload`` has every key its templates need."""
    declared = KINDS.get(kind)
    if declared is None:
        raise UnknownKind(f"unknown notice kind {kind!r}; declare it in notices.kinds.KINDS")
    missing = sorted(declared.required - payload.keys())
    if missing:
        raise PayloadMismatch(f"{kind} payload lacks {', '.join(missing)}")
