"""My data (GDPR): consents and their withdrawal, asking a guardian again, the export and
deleting the account. Downloading or deleting needs the password again within
``REAUTH_MINUTES``, so an unattended logged-in browser gives neither away."""

from datetime import datetime, timedelta
from typing import Any

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required, logout_user

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.accounts import consents, guardians, privacy
from volunteer.services.accounts import export as personal_export
from volunteer.services.accounts.account import authenticate
from volunteer.services.discovery import profiles
from volunteer.web import limits
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import (
    acting_user,
    attachment,
    commit_or_report,
    commit_work,
    flash_error,
    require_button,
)
from volunteer.web.volunteers import bp
from volunteer.web.volunteers.forms import ConfirmPasswordForm, DeleteAccountForm
from volunteer.web.wording import consents as consent_wording
from volunteer.web.wording import export as export_wording

REAUTH_KEY = "volunteers_reauth_at"
REAUTH_MINUTES = 10


def _recently_authenticated() -> bool:
    stamp = session.get(REAUTH_KEY)
    if not stamp:
        return False
    try:
        at = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return False
    return timedelta(0) <= now() - at <= timedelta(minutes=REAUTH_MINUTES)


@bp.get("/meine-daten")
@login_required
def my_data() -> Any:
    db = get_session()
    user = acting_user()
    return render_template(
        "volunteers/my_data.html",
        consents=consents.history(db, user),
        consent_label=consent_wording.consent_label,
        withdrawn_how_label=consent_wording.withdrawn_how_label,
        guardian_request=guardians.current_request(db, user),
        can_ask_guardian=guardians.needs_request(db, user, now=now()),
        fresh=_recently_authenticated(),
        password_form=ConfirmPasswordForm(),
        delete_form=DeleteAccountForm(),
        button_form=ButtonForm(),
        reauth_minutes=REAUTH_MINUTES,
    )


@bp.post("/meine-daten/einwilligungen/<kind>/widerrufen")
@login_required
def withdraw_consent(kind: str) -> Any:
    """Withdraw a consent as easily as it was given (art. 7(3)); it takes effect at once."""
    require_button()
    if kind == consents.PRIVACY:
        flash(
            _(
                "Your account rests on this consent. To withdraw it, delete your account below: "
                "everything that names you is then erased."
            ),
            "info",
        )
        return redirect(url_for("volunteers.my_data") + "#actions")
    db = get_session()
    commit_or_report(
        lambda: profiles.withdraw_consent(db, acting_user(), kind, now=now()),
        report=flash_error,
        success=_("Your consent is withdrawn. This took effect at once."),
    )
    return redirect(url_for("volunteers.my_data") + "#consents-title")


@bp.post("/meine-daten/einwilligung-anfragen")
@login_required
def ask_guardian() -> Any:
    """Ask the parent or guardian again after a refusal, an expiry or a withdrawal."""
    require_button()
    db = get_session()
    commit_or_report(
        lambda: guardians.ask_again(db, acting_user(), now=now()),
        report=flash_error,
        success=_("We have asked your parent or guardian again by e-mail."),
    )
    return redirect(url_for("volunteers.my_data") + "#consents-title")


@bp.post("/meine-daten/bestaetigen")
@login_required
@limits.password_check_per_account
def confirm_password() -> Any:
    form = ConfirmPasswordForm()
    user = acting_user()
    if form.validate_on_submit():
        # A failed attempt is recorded (audit log), as on the login page.
        checked = commit_work(
            lambda: authenticate(get_session(), user.email, form.password.data or "", now=now())
        )
        if checked is not None and checked.id == user.id:
            session[REAUTH_KEY] = now().isoformat()
            flash(_("Thank you. You can now download or delete your data."), "success")
            return redirect(url_for("volunteers.my_data") + "#actions")
    flash(_("The password is not correct."), "error")
    return redirect(url_for("volunteers.my_data"))


@bp.post("/meine-daten/export")
@login_required
def export_data() -> Any:
    require_button()
    if not _recently_authenticated():
        flash(_("Please enter your password again first."), "info")
        return redirect(url_for("volunteers.my_data"))
    moment = now()
    user = acting_user()
    with force_locale(user.locale):  # the archive is in the person's language, whatever the page
        data = export_wording.localise(personal_export.collect(get_session(), user))
        body = personal_export.zip_archive(
            data,
            readme=export_wording.readme(
                data, now=moment, operator=current_app.config["OPERATOR_NAME"]
            ),
            dictionary=export_wording.dictionary(data),
            now=moment,
            service=f"Mitwirken {current_app.config['CITY_NAME']}",
            locale=user.locale,
        )
    name = f"mitwirken-meine-daten-{moment:%Y-%m-%d}.zip"
    return attachment(body, name, "application/zip")


@bp.post("/meine-daten/loeschen")
@login_required
def delete_account() -> Any:
    form = DeleteAccountForm()
    if not _recently_authenticated():
        flash(_("Please enter your password again first."), "info")
        return redirect(url_for("volunteers.my_data"))
    if not form.validate_on_submit():
        flash(_("Please tick the box to confirm."), "error")
        return redirect(url_for("volunteers.my_data") + "#delete")
    commit_work(lambda: privacy.delete_account(get_session(), acting_user(), now=now()))
    logout_user()
    session.clear()
    flash(_("Your account has been deleted. Thank you for your engagement."), "success")
    return redirect(url_for("pages.home"))
