"""Render a notice: subject, plain text, HTML and attachments, in the notice's language.

Templates live in ``templates/notices/<kind>/{subject.txt, body.txt, body.html}``. Payloads
carry ids; this module loads the objects they name, so the text reflects the data at delivery
time (a shift moved after the notice was queued shows its new time). If an object is gone, the
notice is skipped with a reason rather than sent half-empty.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from typing import Any

from flask import Flask
from flask_babel import (
    force_locale,
    format_date,
    get_translations,
)
from jinja2 import pass_context
from markupsafe import Markup
from sqlmodel import Session, col, select

from volunteer.models import (
    District,
    GuardianRequest,
    HourEntry,
    Notice,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    User,
    VolunteerProfile,
)
from volunteer.platform.i18n import hours_text, time_range
from volunteer.platform.links import PublicLinks, public_links
from volunteer.platform.signing import fill_slots
from volunteer.services.accounts.guardians import make_link_token
from volunteer.services.discovery.visibility import findable_clause
from volunteer.services.engagement import calendar, signups
from volunteer.services.notices.kinds import SECURITY_KINDS
from volunteer.services.notices.unsubscribe import make_token
from volunteer.web.wording.calendar import event_words
from volunteer.web.wording.milestones import milestone_texts
from volunteer.web.wording.reasons import candidate_reason, reason_text


class Gone(Exception):
    """An object the payload names no longer exists: skip the notice, do not fail it."""


@dataclass
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    link: str  # the main action, shown in the inbox
    summary: str = ""  # the body without greeting and footer: what the inbox shows
    attachments: list[Attachment] = field(default_factory=list)
    unsubscribe_url: str | None = None


def _get(session: Session, model: Any, ident: Any) -> Any:
    if ident is None:
        raise Gone(model.__name__)
    obj = session.get(model, ident)
    if obj is None:
        raise Gone(f"{model.__name__} {ident}")
    return obj


def load_objects(session: Session, notice: Notice) -> dict[str, Any]:
    """The objects a notice's payload names (``signup_id``, ``shift_id``, ...)."""
    p = notice.payload or {}
    ctx: dict[str, Any] = {}
    if "signup_id" in p:
        signup = _get(session, Signup, p["signup_id"])
        ctx["signup"] = signup
        ctx["volunteer"] = session.get(User, signup.user_id) if signup.user_id else None
        ctx["shift"] = _get(session, Shift, signup.shift_id)
    if "shift_id" in p:
        ctx["shift"] = _get(session, Shift, p["shift_id"])
    if "shift" in ctx:
        ctx["opportunity"] = _get(session, Opportunity, ctx["shift"].opportunity_id)
    if "opportunity_id" in p:
        ctx["opportunity"] = _get(session, Opportunity, p["opportunity_id"])
    if "opportunity" in ctx:
        ctx["organisation"] = _get(session, Organisation, ctx["opportunity"].organisation_id)
    if "dates" in p:
        # A series notice: each date as it is now (a moved date shows its new time), with the
        # facts frozen when she joined; dates deleted since are left out.
        wanted = [d for d in p["dates"] if isinstance(d, dict) and "shift_id" in d]
        found = session.exec(
            select(Shift).where(col(Shift.id).in_([int(d["shift_id"]) for d in wanted]))
        ).all()
        shift_of = {s.id: s for s in found}
        ctx["dates"] = [(shift_of[d["shift_id"]], d) for d in wanted if d["shift_id"] in shift_of]
        if not ctx["dates"]:
            raise Gone("dates")
    if "hour_entry_id" in p:
        entry = _get(session, HourEntry, p["hour_entry_id"])
        ctx["hour_entry"] = entry
        ctx["organisation"] = _get(session, Organisation, entry.organisation_id)
        if "volunteer" not in ctx:
            ctx["volunteer"] = session.get(User, entry.user_id) if entry.user_id else None
    if "organisation_id" in p:
        ctx["organisation"] = _get(session, Organisation, p["organisation_id"])
    if "opportunity_ids" in p:
        ids = [int(i) for i in p["opportunity_ids"]]
        rows = session.exec(
            select(Opportunity, Organisation)
            .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
            .where(col(Opportunity.id).in_(ids))
        ).all()
        by_id = {o.id: (o, org) for o, org in rows}
        ctx["opportunities"] = [by_id[i] for i in ids if i in by_id]
        if not ctx["opportunities"]:
            raise Gone("opportunities")
    if "guardian_request_id" in p:
        req = _get(session, GuardianRequest, p["guardian_request_id"])
        child = _get(session, User, req.user_id)
        if child.deleted_at is not None:
            raise Gone("User")
        ctx["guardian_request"] = req
        ctx["child_name"] = child.display_name
    if "candidate_ids" in p:
        ids = [int(i) for i in p["candidate_ids"]]
        users = session.exec(
            select(User, VolunteerProfile, District)
            .join(VolunteerProfile, col(VolunteerProfile.user_id) == User.id)
            .join(
                District,
                col(District.number) == VolunteerProfile.district_number,
                isouter=True,
            )
            # Whoever opted out or lost a guardian's consent since the notice was queued is
            # left out at delivery time.
            .where(col(User.id).in_(ids), findable_clause())
        ).all()
        order = {i: n for n, i in enumerate(ids)}
        ctx["candidates"] = sorted(
            ((u, d) for u, _p, d in users), key=lambda row: order.get(row[0].id, 0)
        )
    return ctx


def template_names(kind: str) -> tuple[str, str, str]:
    return (
        f"notices/{kind}/subject.txt",
        f"notices/{kind}/body.txt",
        f"notices/{kind}/body.html",
    )


def render(
    session: Session,
    notice: Notice,
    *,
    app: Flask,
    links: PublicLinks | None = None,
    recipient: User | None = None,
    now: datetime,
) -> Rendered:
    """Render ``notice`` in its locale. Raises :class:`Gone` if a named object was deleted."""
    links = links or public_links(app)
    if recipient is None and notice.user_id is not None:
        recipient = session.get(User, notice.user_id)
    ctx: dict[str, Any] = load_objects(session, notice)
    payload = dict(notice.payload or {})
    unsubscribe_url = None
    if notice.user_id is not None and notice.kind not in SECURITY_KINDS:
        token = make_token(str(app.config["SECRET_KEY"]), notice.user_id, notice.kind)
        unsubscribe_url = links("notices.unsubscribe", token=token)
    ctx.update(
        notice=notice,
        kind=notice.kind,
        security=notice.kind in SECURITY_KINDS,
        payload=payload,
        recipient=recipient,
        name=payload.get("name") or (recipient.display_name if recipient else ""),
        config=app.config,
        links=links,
        now=now,
        unsubscribe_url=unsubscribe_url,
        preferences_url=links("notices.preferences") if notice.user_id else None,
        home_url=links("pages.home"),
    )
    # A link that carries a token is signed only now: the outbox row holds no working link.
    ctx["link"] = fill_slots(_main_link(notice.kind, ctx, links), str(app.config["SECRET_KEY"]))
    env = app.jinja_env
    subject_t, text_t, html_t = template_names(notice.kind)
    with force_locale(notice.locale or "de"):
        ctx.update(_gettext_callables(get_translations()))
        ctx.update(_helpers(session, notice, ctx, links))
        subject = " ".join(env.get_template(subject_t).render(ctx).split())
        ctx["subject_text"] = subject
        text_template = env.get_template(text_t)
        text = _tidy(text_template.render(ctx))
        summary = _tidy("".join(text_template.blocks["body"](text_template.new_context(ctx))))
        html = env.get_template(html_t).render(ctx)
        attachments = _attachments(app, notice, ctx, links, now)
    return Rendered(
        subject, text, html, ctx["link"], summary, attachments, unsubscribe_url=unsubscribe_url
    )


def _gettext_callables(translations: Any) -> dict[str, Any]:
    """``gettext``/``ngettext`` bound to one locale's catalogue, for the template context.

    Same behaviour as the callables Flask-Babel installs (Jinja's "newstyle": always
    %-formatted, and in HTML the variables are escaped), without looking the catalogue up
    again for each of the ~20 strings of every notice.
    """

    @pass_context
    def gettext(__context: Any, __string: str, **variables: Any) -> str:
        rv = translations.ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja's newstyle gettext does
        return rv % variables

    @pass_context
    def ngettext(
        __context: Any, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        rv = translations.ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja's newstyle gettext does
        return rv % variables

    return {"gettext": gettext, "ngettext": ngettext}


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: plain-text mail reads cleanly."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"


def _helpers(
    session: Session, notice: Notice, ctx: dict[str, Any], links: PublicLinks
) -> dict[str, Any]:
    """Small functions and derived values the templates use (formatting in the locale)."""
    payload = ctx["payload"]

    def when(shift: Shift) -> str:
        return time_range(shift.starts_at, shift.ends_at)

    def format_day(value: date | str) -> str:
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value, "long")

    def opportunity_url(opp: Opportunity) -> str:
        return links("opportunities.detail", opportunity_id=opp.id)

    reasons = payload.get("reasons") or {}

    def reasons_for(opp: Opportunity) -> list[str]:
        """The engine's reason codes (frozen in the payload) as text in the reader's language."""
        value = reasons.get(str(opp.id)) or reasons.get(opp.id) or []
        return [reason_text(r) if isinstance(r, dict) else str(r) for r in value][:3]

    frozen = payload.get("candidate_reasons") or {}

    def candidate_reasons(person: User) -> list[str]:
        """Why the engine suggested this person, worded for the association (at most three)."""
        return [candidate_reason(r) for r in frozen.get(str(person.id), [])][:3]

    out: dict[str, Any] = {
        "when": when,
        "candidate_reasons": candidate_reasons,
        "hours_text": hours_text,
        "format_day": format_day,
        "opportunity_url": opportunity_url,
        "reasons_for": reasons_for,
    }
    shift = ctx.get("shift")
    if notice.kind == "shift_unfilled" and shift is not None:
        out["free_places"] = signups.places_left(session, shift)
    if notice.kind == "recognition":
        out["milestone_title"], out["milestone_text"] = milestone_texts(str(payload["milestone"]))
    if notice.kind == "coordinator_summary":
        out["figures"] = summary_figures(payload.get("figures") or {})
    return out


def summary_figures(figures: dict[str, Any]) -> list[tuple[str, str]]:
    from notifications.texts import summary_figures as labelled

    return labelled(figures)


def _main_link(kind: str, ctx: dict[str, Any], links: PublicLinks) -> str:
    """Where the notice's main button leads (also the link in the inbox)."""
    payload = ctx["payload"]
    if payload.get("url"):
        return str(payload["url"])
    req = ctx.get("guardian_request")
    if kind in ("guardian_consent", "guardian_reminder") and req is not None:
        # Signed at delivery: the outbox holds only the request id, never a working link.
        token = make_link_token(str(ctx["config"]["SECRET_KEY"]), req.id)
        return links("volunteers.guardian_consent", token=token)
    # The kinds below name these objects in their required payload keys (notices.kinds).
    opp: Any = ctx.get("opportunity")
    org: Any = ctx.get("organisation")
    if kind in (
        "application_new",
        "signup_withdrawn",
        "series_application_new",
        "series_withdrawn",
    ):
        return links("organisations.applications_list", org_id=org.id)
    if kind == "shift_unfilled":
        return links("organisations.candidates", org_id=org.id, need_id=opp.id)
    if kind == "hours_submitted":
        return links("organisations.hours_list", org_id=org.id)
    if kind in ("organisation_verified", "organisation_info_requested", "organisation_rejected"):
        return links("organisations.dashboard", org_id=org.id)
    if kind == "organisation_registered":
        return links("coordination.organisations")
    if kind == "coordinator_summary":
        return links("coordination.index")
    if kind == "digest":
        return links("volunteers.recommendations")
    if kind in ("signup_declined", "shift_cancelled"):
        return links("opportunities.index")
    if kind == "candidate_invited":
        return links("opportunities.detail", opportunity_id=opp.id)
    if kind == "proposal_invitation":
        return links("volunteers.invitation", pair_id=payload["pair_id"])
    if kind in ("password_changed", "registration_attempt"):
        return links("accounts.reset_request")
    if kind == "email_claim_attempt":
        return links("accounts.settings")  # where the owner sees their address and password
    if kind == "email_changed":
        return links("pages.imprint")  # the operator's contact, for "that was not me"
    if kind == "account_inactive":
        return links("accounts.login")
    # recognition, hours decided, sign-up news, reminders: the person's own engagements
    return links("volunteers.engagements")


# Kinds whose e-mail carries the shift's calendar entry: the place is (or stays) yours, or the
# shift moved or was cancelled (METHOD:CANCEL removes it from the reader's calendar).
CALENDAR_KINDS = frozenset(
    {"signup_accepted", "reminder_24h", "reminder_2h", "shift_changed", "shift_cancelled"}
)


def _attachments(
    app: Flask, notice: Notice, ctx: dict[str, Any], links: PublicLinks, now: datetime
) -> list[Attachment]:
    if notice.kind not in CALENDAR_KINDS or "shift" not in ctx:
        return []
    shift, opportunity = ctx["shift"], ctx["opportunity"]
    data = calendar.notice_calendar(
        shift,
        opportunity,
        ctx["organisation"],
        base_url=links.base,
        url=links("opportunities.detail", opportunity_id=opportunity.id),
        organizer=parseaddr(str(app.config["MAIL_FROM"]))[1],
        attendee=notice.to_email,
        now=now,
        words=event_words,
    )
    method = "CANCEL" if shift.cancelled_at else "REQUEST"
    return [Attachment("mitwirken-schicht.ics", f"text/calendar; method={method}", data)]
