from functools import partial
from itertools import groupby
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from volunteer.models import User, VolunteerProfile
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.extensions import csrf
from volunteer.services.notices import failures
from volunteer.services.notices import settings as notice_settings
from volunteer.services.notices.settings import CHANNELS, CONFIGURABLE, GROUP_LABELS
from volunteer.services.notices.unsubscribe import read_token
from volunteer.services.permissions import coordinator_required, is_coordinator, organisations_of
from volunteer.web.forms import ButtonForm, apply_error, form_status
from volunteer.web.helpers import (
    act_and_return,
    acting_user,
    commit_or_report,
    flash_error,
)
from volunteer.web.notices import bp
from volunteer.web.notices.forms import AddressForm, PreferencesForm, field_name
from volunteer.web.wording.notices import CAUSE_SENTENCES, KIND_LABELS, SHOW_SERVER_REPLY


def _groups(
    form: PreferencesForm, has_orgs: bool, coordinator: bool
) -> list[tuple[Any, list[Any]]]:
    shown = (
        {"volunteer"}
        | ({"organisation"} if has_orgs else set())
        | ({"coordinator"} if coordinator else set())
    )
    out = []
    for group, infos in groupby(CONFIGURABLE, key=lambda k: k.group):
        if group in shown:
            rows = [(i, [form[field_name(i.kind, c)] for c in CHANNELS]) for i in infos]
            out.append((GROUP_LABELS[group], rows))
    return out


@bp.route("/benachrichtigungen", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    db = get_session()
    user = acting_user()
    profile = db.get(VolunteerProfile, user.id)
    form = PreferencesForm()
    if request.method == "GET":
        for (kind, channel), enabled in notice_settings.choices(db, user).items():
            form[field_name(kind, channel)].data = enabled
        if profile is not None:
            form.digest_frequency.data = profile.digest_frequency
            form.quiet_start_hour.data = (
                "" if profile.quiet_start_hour is None else str(profile.quiet_start_hour)
            )
            form.quiet_end_hour.data = (
                "" if profile.quiet_end_hour is None else str(profile.quiet_end_hour)
            )
    elif form.validate_on_submit():
        done = commit_or_report(
            lambda: notice_settings.save(
                db,
                user,
                form.choice_values(),
                digest_frequency=form.digest_frequency.data if profile else None,
                quiet_start_hour=form.hour("quiet_start_hour"),
                quiet_end_hour=form.hour("quiet_end_hour"),
                now=now(),
            ),
            report=partial(apply_error, form),
            success=_("Your notice settings are saved."),
        )
        if done:
            return redirect(url_for("notices.preferences"))
    groups = _groups(form, bool(organisations_of(db, user)), is_coordinator(user))
    return render_template(
        "notices/preferences.html", form=form, groups=groups, profile=profile
    ), form_status(form)


@bp.route("/benachrichtigungen/abbestellen/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without our token
def unsubscribe(token: str) -> Any:
    found = read_token(str(current_app.config["SECRET_KEY"]), token)
    db = get_session()
    user = db.get(User, found[0]) if found else None
    if found is None or user is None or user.deleted_at is not None:
        return render_template("notices/unsubscribe.html", invalid=True), 404
    kind = found[1]
    label = next((k.label for k in CONFIGURABLE if k.kind == kind), kind)
    if request.method == "POST":
        done = commit_or_report(
            lambda: notice_settings.unsubscribe(db, user, kind), report=lambda _error: None
        )
        if done is None:
            return render_template("notices/unsubscribe.html", invalid=True), 404
        return render_template("notices/unsubscribe.html", done=True, label=label)
    return render_template("notices/unsubscribe.html", label=label, token=token)


@bp.get("/koordination/benachrichtigungen")
@coordinator_required
def failed() -> Any:
    return render_template(
        "notices/failed.html",
        notices=failures.failed(get_session()),
        form=ButtonForm(),
        address_form=AddressForm(),
        kind_labels=KIND_LABELS,
        causes=CAUSE_SENTENCES,
        show_reply=SHOW_SERVER_REPLY,
    )


@bp.post("/koordination/benachrichtigungen/<int:notice_id>/erneut")
@coordinator_required
def retry(notice_id: int) -> Any:
    return act_and_return(
        lambda: failures.resend(get_session(), notice_id, by=acting_user(), now=now()),
        success=_("The notice is queued again."),
        back=url_for("notices.failed"),
    )


@bp.post("/koordination/benachrichtigungen/<int:notice_id>/adresse")
@coordinator_required
def correct_address(notice_id: int) -> Any:
    form = AddressForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("notices.failed") + f"#notice-{notice_id}")
    db = get_session()
    commit_or_report(
        lambda: failures.correct_address(
            db, notice_id, form.email.data or "", by=acting_user(), now=now()
        ),
        report=flash_error,
        success=lambda n: ngettext(
            "The address is corrected; %(num)d notice goes to it again.",
            "The address is corrected; %(num)d notices go to it again.",
            n,
        ),
    )
    return redirect(url_for("notices.failed"))


@bp.post("/koordination/benachrichtigungen/<int:notice_id>/unerreichbar")
@coordinator_required
def mark_unreachable(notice_id: int) -> Any:
    return act_and_return(
        lambda: failures.mark_unreachable(get_session(), notice_id, by=acting_user(), now=now()),
        success=_("The notice is given up; it is no longer tried."),
        back=url_for("notices.failed"),
    )
