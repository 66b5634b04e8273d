"""Views of the volunteer's own pages: thin, each parses a form and calls one service."""

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from volunteer.models import (
    AgeGroup,
    Signup,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.inputs import parse_int
from volunteer.services.accounts import consents, guardians
from volunteer.services.coordination import match_aggregates
from volunteer.services.discovery import for_you, freshness, profiles
from volunteer.services.engagement import calendar, hours, recognition, timeline
from volunteer.services.errors import ServiceError
from volunteer.services.permissions import owned_or_404
from volunteer.web.forms import ButtonForm, apply_error
from volunteer.web.helpers import (
    acting_user,
    commit_or_report,
    commit_work,
    flash_error,
    geocoder,
    public_url,
    reader_locale,
    require_button,
)
from volunteer.web.volunteers import bp
from volunteer.web.volunteers.forms import (
    HoursForm,
    ProfileBasicsForm,
    ProfileDetailsForm,
)
from volunteer.web.wording import consents as consent_wording
from volunteer.web.wording.calendar import event_words
from volunteer.web.wording.milestones import milestone_title
from volunteer.web.wording.reasons import reason_text

FEED_URL_KEY = "volunteers_new_feed_url"  # shown once, right after the link was made


# --- profile: step one (where, when, what matters), step two (skills, languages, the rest) ---
def _basics_from_profile(form: ProfileBasicsForm) -> None:
    profile = profiles.profile_of(get_session(), acting_user())
    if profile is None:
        return
    form.location.data = profile.address or profile.postcode or ""
    radius = profile.radius_km  # "6", not "6.0": a whole number reads as one in any language
    form.radius_km.data = Decimal(int(radius)) if radius.is_integer() else Decimal(str(radius))
    form.availability.data = profiles.slots_of(profile.availability)
    form.causes.data = profiles.cause_slugs(get_session(), acting_user())
    form.age_group.data = profile.age_group
    form.guardian_email.data = profile.guardian_email or ""


def _details_from_profile(form: ProfileDetailsForm) -> None:
    db = get_session()
    user = acting_user()
    profile = profiles.profile_of(db, user)
    if profile is None:
        return
    form.skills.data = profiles.skill_slugs(db, user)
    form.languages.data = list(profile.languages or [])
    form.discoverable.data = profile.discoverable
    form.about.data = profile.about
    form.digest_frequency.data = profile.digest_frequency
    form.quiet_start_hour.data = (
        "" if profile.quiet_start_hour is None else str(profile.quiet_start_hour)
    )
    form.quiet_end_hour.data = "" if profile.quiet_end_hour is None else str(profile.quiet_end_hour)


def _hour(value: str | None) -> int | None:
    return parse_int(value, 0, 23)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    """Step one: the few answers the first recommendations need, then straight to them."""
    form = ProfileBasicsForm()
    form.fill_choices()
    db = get_session()
    if request.method == "GET":
        _basics_from_profile(form)
    elif form.validate_on_submit():
        data = profiles.BasicsInput(
            location=form.location.data or "",
            radius_km=float(form.radius_km.data or 0),
            slots=list(form.availability.data or []),
            causes=list(form.causes.data or []),
            age_group=form.age_group.data or AgeGroup.ADULT,
            guardian_email=form.guardian_email.data or "",
        )
        done = commit_or_report(
            lambda: profiles.save_basics(db, acting_user(), data, geocoder=geocoder(), now=now()),
            report=partial(apply_error, form),
            success=_("Your profile is saved. Here is what fits you."),
        )
        if done:
            return redirect(url_for("volunteers.recommendations"))
    elif not form.availability.data:
        form.availability.errors = [
            *form.availability.errors,
            _("Please choose at least one time when you could help."),
        ]
    status = 422 if form.errors else 200
    return render_template(
        "volunteers/profile.html",
        form=form,
        welcome=bool(request.args.get("welcome")),
        complete=profiles.is_complete(db, acting_user()),
    ), status


@bp.route("/profil/mehr", methods=["GET", "POST"])
@login_required
def profile_details() -> Any:
    """Step two, whenever the person likes: skills as chips (the most asked for first),
    languages (the common ones first), what associations may see, notices."""
    db = get_session()
    if not profiles.is_complete(db, acting_user()):
        flash(_("Tell us a little about yourself first, so we can find what fits you."), "info")
        return redirect(url_for("volunteers.profile", welcome=1))
    form = ProfileDetailsForm()
    form.fill_choices()
    if request.method == "GET":
        _details_from_profile(form)
    elif form.validate_on_submit():
        data = profiles.DetailsInput(
            skills=list(form.skills.data or []),
            languages=list(form.languages.data or []),
            skill_suggestion=form.skill_suggestion.data or "",
            discoverable=bool(form.discoverable.data),
            about=form.about.data or "",
            digest_frequency=form.digest_frequency.data or "weekly",
            quiet_start_hour=_hour(form.quiet_start_hour.data),
            quiet_end_hour=_hour(form.quiet_end_hour.data),
        )
        done = commit_or_report(
            lambda: profiles.save_details(
                db,
                acting_user(),
                data,
                discoverable_shown=consent_wording.shown(consents.DISCOVERABLE),
                now=now(),
            ),
            report=partial(apply_error, form),
            success=_("Your profile is saved. Here is what fits you."),
        )
        if done:
            return redirect(url_for("volunteers.recommendations"))
    locale = reader_locale()
    status = 422 if form.errors else 200
    return render_template(
        "volunteers/profile_details.html",
        form=form,
        skills=profiles.skill_menu(db, now=now(), locale=locale, chosen=form.skills.data or []),
        languages=profiles.language_menu(locale=locale, chosen=form.languages.data or []),
    ), status


@bp.route("/einwilligung/<token>", methods=["GET", "POST"])
def guardian_consent(token: str) -> Any:
    """The guardian's page (no account needed): it names the child and says what is processed;
    the guardian consents or declines, and through the same link withdraws later."""
    db = get_session()
    secret = str(current_app.config["SECRET_KEY"])
    try:
        req = guardians.request_for_link(db, secret, token)
        child = guardians.child_of(db, req)
    except ServiceError:
        return render_template("accounts/token_invalid.html"), 404
    operator = str(current_app.config["OPERATOR_NAME"])
    form = ButtonForm()
    if form.validate_on_submit():
        answer = request.form.get("answer", "")
        moment = now()
        actions: dict[str, Callable[[], object]] = {
            "consent": lambda: guardians.consent(
                db,
                req,
                shown=consent_wording.shown(
                    consents.GUARDIAN, child=child.display_name, operator=operator
                ),
                now=moment,
            ),
            "decline": lambda: guardians.decline(db, req, now=moment),
            "withdraw": lambda: guardians.withdraw_by_guardian(db, req, now=moment),
        }
        if answer in actions:
            commit_or_report(
                actions[answer],
                report=flash_error,
                success={
                    "consent": _("Thank you. Your consent is recorded."),
                    "decline": _("Your answer is recorded. Nothing further happens."),
                    "withdraw": _("Your consent is withdrawn."),
                }[answer],
            )
        return redirect(url_for("volunteers.guardian_consent", token=token))
    return render_template(
        "volunteers/guardian_consent.html",
        form=form,
        req=req,
        child=child.display_name,
        paragraphs=consent_wording.guardian_paragraphs(child.display_name, operator),
        expired=guardians.is_expired(req, now=now()),
    )


# --- recommendations -----------------------------------------------------------------------------
@bp.get("/fuer-dich")
@login_required
def recommendations() -> Any:
    db = get_session()
    moment = now()
    page = for_you.for_you(db, acting_user(), now=moment)
    if page is None:
        flash(_("Tell us a little about yourself first, so we can find what fits you."), "info")
        return redirect(url_for("volunteers.profile", welcome=1))
    ids = [p.card.opportunity.id for p in (*page.fits, *page.almost)]
    # The match statistics count needs recommended per day, district, skill and cause only.
    commit_work(lambda: match_aggregates.count_shown(db, ids, what="recommended", now=moment))
    return render_template(
        "volunteers/recommendations.html",
        body=_recommendations_body(page),
        # The badge's figure came with the page's statement: the layout does not count again.
        inbox_unread=lambda: page.unread,
    )


def _recommendations_body(page: for_you.ForYou) -> Markup:
    """The page's body, kept for this person (``freshness.PERSONAL``, dropped with their
    profile or account) while it would come out the same: the very ranking kept (its match
    objects), every figure the cards show as read on this visit, and the language. A returning
    visitor costs no reason texts and no card markup; a place taken since, a new date or a new
    ranking makes a new key."""
    picks = (*page.fits, *page.almost)
    matches = tuple(p.match for p in picks)
    key = (
        tuple(id(m) for m in matches),
        tuple(
            (
                h.opportunity,
                h.organisation_name,
                h.district_name,
                h.next_start,
                h.places_left,
                h.has_logo,
                h.cause,
            )
            for h in (p.card for p in picks)
        ),
        page.step_two_open,
        reader_locale(),
        request.script_root,
    )
    db, person = get_session(), int(acting_user().id or 0)
    ttl = for_you.RANKING_SECONDS
    # The kept entry holds the match objects themselves, so no other object can take their
    # ids while it is kept: equal ids in the key are the very same matches.
    kept = freshness.PERSONAL.get(db, person, "for-you-page", key, ttl)
    if kept is not None:
        body: Markup = kept[1]
        return body
    body = get_template_attribute("volunteers/recommendations_body.html", "body")(page, reason_text)
    freshness.PERSONAL.put(db, person, "for-you-page", key, (matches, body), ttl)
    return body


# --- engagements ---------------------------------------------------------------------------------
def _engagements_page(page: int, failed: tuple[int, HoursForm] | None = None) -> Any:
    """One page of the volunteer's shifts and hours; ``failed`` re-shows one refused hours
    report in place (on the page that lists that shift)."""
    db = get_session()
    user = acting_user()
    moment = now()
    mine = timeline.timeline(db, user, now=moment, page=page)
    margin = int(current_app.config["HOURS_MARGIN_MINUTES"])
    standing = recognition.progress(db, user, now=moment)
    rendered = render_template(
        "volunteers/engagements.html",
        mine=mine,
        reportable=hours.REPORTABLE_STATES,
        max_minutes={
            s.signup_id: hours.plausible_minutes(s, margin_minutes=margin) for s in mine.past
        },
        hours_form=HoursForm(),
        failed_signup=failed[0] if failed else None,
        failed_form=failed[1] if failed else None,
        button_form=ButtonForm(),
        progress=standing,
        milestones=recognition.milestones_reached(db, user, now=moment, standing=standing),
        milestone_title=milestone_title,
        # The raw feed token exists only in the response that made it (the account keeps a hash).
        feed_url=session.pop(FEED_URL_KEY, None) if user.ical_token else None,
        feed_active=bool(user.ical_token),
        now=moment,
    )
    return rendered, (422 if failed else 200)


def _page_number() -> int:
    return parse_int(request.args.get("seite"), 1, 999_999) or 1


@bp.get("/engagements")
@login_required
def engagements() -> Any:
    return _engagements_page(_page_number())


@bp.post("/engagements/<int:signup_id>/stunden")
@login_required
def submit_hours(signup_id: int) -> Any:
    db = get_session()
    user = acting_user()
    signup = owned_or_404(db.get(Signup, signup_id), user)
    form = HoursForm()
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: hours.submit_hours(
                db,
                user,
                signup,
                minutes=int(form.minutes.data or 0),
                margin_minutes=int(current_app.config["HOURS_MARGIN_MINUTES"]),
                now=now(),
                note=form.note.data or "",
            ),
            report=partial(apply_error, form),
            success=_("Thank you! The organisation will confirm your hours."),
        )
        if done:
            return redirect(url_for("volunteers.engagements", seite=_page_number()) + "#past")
    return _engagements_page(_page_number(), failed=(signup_id, form))


@bp.post("/kalender/neu")
@login_required
def rotate_feed() -> Any:
    require_button()
    raw = commit_work(lambda: calendar.rotate_feed_token(get_session(), acting_user()))
    session[FEED_URL_KEY] = public_url("volunteers.calendar_feed", token=raw)
    flash(_("Your calendar link is ready. Any earlier link no longer works."), "success")
    return redirect(url_for("volunteers.engagements") + "#calendar")


@bp.post("/kalender/aus")
@login_required
def revoke_feed() -> Any:
    require_button()
    commit_work(lambda: calendar.revoke_feed_token(get_session(), acting_user()))
    flash(_("Your calendar link is switched off."), "success")
    return redirect(url_for("volunteers.engagements") + "#calendar")


@bp.get("/kalender/<token>.ics")
def calendar_feed(token: str) -> Any:
    """The personal feed: the secret token is the only credential (calendar apps cannot log in)."""
    db = get_session()
    user = calendar.user_for_feed_token(db, token)
    if user is None:
        abort(404)
    with force_locale(user.locale or "de"):  # the app asking has no language: the owner's
        body = calendar.feed_ics(
            db,
            user,
            base_url=current_app.config["BASE_URL"],
            url_of=lambda opp: public_url("opportunities.detail", opportunity_id=opp.id),
            now=now(),
            words=event_words,
        )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
