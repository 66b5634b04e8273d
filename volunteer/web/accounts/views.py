from collections.abc import Callable
from functools import partial
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from volunteer.models import User
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.links import public_links
from volunteer.services.accounts import account as accounts
from volunteer.services.accounts import credentials
from volunteer.services.accounts.consents import PRIVACY
from volunteer.web import limits
from volunteer.web.accounts import bp
from volunteer.web.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    LoginForm,
    NameForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from volunteer.web.forms import apply_error, form_status
from volunteer.web.helpers import (
    Done,
    acting_user,
    commit_or_report,
    commit_work,
    flash_error,
    safe_next,
)
from volunteer.web.wording import consents as consent_wording


def _cfg(key: str) -> Any:
    return current_app.config[key]


@bp.route("/registrieren", methods=["GET", "POST"])
@limits.mail_per_client
@limits.mail_per_address
def register() -> Any:
    """Register, answering the same for a new address and one that has an account.

    Either way the person is sent to the login page with "check your mail", not logged in:
    logging in only the new account would tell the two apart. The owner of a taken address gets
    a mail instead of the verification (``accounts.register``).
    """
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        db = get_session()
        done = commit_or_report(
            lambda: accounts.register(
                db,
                email=form.email.data or "",
                password=form.password.data or "",
                first_name=form.first_name.data or "",
                locale=str(get_locale() or "de"),
                now=now(),
                links=public_links(current_app),
                min_length=_cfg("PASSWORD_MIN_LENGTH"),
                verify_hours=_cfg("VERIFY_TOKEN_HOURS"),
                privacy_shown=consent_wording.shown(PRIVACY),
                mail_budget=_cfg("MAIL_BUDGET_PER_HOUR"),
            ),
            report=partial(apply_error, form),
        )
        if done is not None:
            flash(
                _(
                    "Please check your inbox: we have sent an e-mail to %(email)s. Open the link "
                    "in it to confirm your address, then log in here.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form), form_status(form)


def _redeem(redeem: Callable[..., User], token: str, *, success: str) -> Done[User] | None:
    """A link from a mail (address confirmation, address change): the service redeems the token
    in the request's unit of work; a used, expired or forged one is flashed and ``None``, and the
    view answers with the invalid-link page."""
    return commit_or_report(
        lambda: redeem(get_session(), token, now=now()), report=flash_error, success=success
    )


@bp.get("/bestaetigen/<token>")
def verify(token: str) -> Any:
    done = _redeem(
        accounts.verify_email, token, success=_("Thank you, your e-mail address is confirmed.")
    )
    if not done:
        return render_template("accounts/token_invalid.html"), 400
    return redirect(
        url_for("pages.home") if current_user.is_authenticated else url_for("accounts.login")
    )


@bp.post("/bestaetigen/erneut")
@login_required
def resend_verification() -> Any:
    if current_user.email_verified_at is None:
        commit_work(
            lambda: accounts.send_verification(
                get_session(),
                acting_user(),
                now=now(),
                links=public_links(current_app),
                hours=_cfg("VERIFY_TOKEN_HOURS"),
                mail_budget=_cfg("MAIL_BUDGET_PER_HOUR"),
            )
        )
    flash(_("We have sent you a new confirmation e-mail."), "success")
    return redirect(safe_next("accounts.settings"))


@bp.route("/anmelden", methods=["GET", "POST"])
@limits.login_per_client
@limits.login_per_address
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = commit_work(  # a failed attempt is recorded too (audit log)
            lambda: accounts.authenticate(
                get_session(), form.email.data or "", form.password.data or "", now=now()
            )
        )
        if user is not None:
            session.clear()  # a fresh session on privilege change (no fixation)
            login_user(user, remember=bool(form.remember.data))
            flash(_("You are logged in."), "success")
            return redirect(safe_next("pages.home"))
        form.password.errors = [_("E-mail address or password is not correct.")]
    return render_template("accounts/login.html", form=form), form_status(form)


@bp.post("/abmelden")
@login_required
def logout() -> Any:
    commit_work(lambda: accounts.logout(get_session(), acting_user(), now=now()))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@limits.mail_per_client
@limits.mail_per_address
def reset_request() -> Any:
    form = ResetRequestForm()
    if form.validate_on_submit():
        commit_work(
            lambda: credentials.request_password_reset(
                get_session(),
                form.email.data or "",
                now=now(),
                links=public_links(current_app),
                hours=_cfg("RESET_TOKEN_HOURS"),
                mail_budget=_cfg("MAIL_BUDGET_PER_HOUR"),
            )
        )
        flash(
            _(
                "If an account exists for this address, we have sent a link to reset the "
                "password. Please check your inbox."
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), form_status(form)


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
@limits.mail_per_client
def reset(token: str) -> Any:
    form = ResetForm()
    if form.validate_on_submit():
        db = get_session()
        done = commit_or_report(
            lambda: credentials.reset_password(
                db,
                token,
                form.password.data or "",
                now=now(),
                min_length=_cfg("PASSWORD_MIN_LENGTH"),
            ),
            report=partial(apply_error, form, default_field="password"),
        )
        if done:
            logout_user()
            flash(_("Your password has been changed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, token=token), form_status(form)


@bp.get("/")
@login_required
def settings() -> Any:
    return _settings_page()


def _settings_page(
    *,
    password_form: ChangePasswordForm | None = None,
    email_form: ChangeEmailForm | None = None,
    name_form: NameForm | None = None,
) -> str:
    user = acting_user()
    if name_form is None:
        name_form = NameForm(formdata=None, first_name=user.first_name, last_name=user.last_name)
    return render_template(
        "accounts/settings.html",
        password_form=password_form or ChangePasswordForm(),
        email_form=email_form or ChangeEmailForm(),
        name_form=name_form,
    )


def _save_setting(
    form: FlaskForm,
    call: Callable[..., object],
    *,
    page: Callable[[], str],
    success: str | None = None,
    after: Callable[[], None] | None = None,
) -> Any:
    """The settings page's forms (name, password, address) post alike: validate, one service
    call ``call(session, user, now=...)`` in the request's unit of work, then back to the
    settings (``after`` runs once the commit went through), or the page again with this form's
    errors (422)."""
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: call(get_session(), acting_user(), now=now()),
            report=partial(apply_error, form),
            success=success,
        )
        if done:
            if after is not None:
                after()
            return redirect(url_for("accounts.settings"))
    return page(), 422


@bp.post("/name")
@login_required
def change_name() -> Any:
    """Correct the first name and the optional surname (GDPR art. 16)."""
    form = NameForm()
    change = partial(
        accounts.change_name,
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
    )
    page = partial(_settings_page, name_form=form)
    return _save_setting(form, change, page=page, success=_("Your name is saved."))


def _password_changed() -> None:
    login_user(acting_user())  # this browser stays, with the new id
    flash(_("Your password has been changed. Other devices have been logged out."), "success")


@bp.post("/passwort")
@login_required
@limits.password_check_per_account
def change_password() -> Any:
    form = ChangePasswordForm()
    change = partial(
        credentials.change_password,
        current=form.current_password.data or "",
        new=form.password.data or "",
        min_length=_cfg("PASSWORD_MIN_LENGTH"),
    )
    page = partial(_settings_page, password_form=form)
    return _save_setting(form, change, page=page, after=_password_changed)


@bp.post("/email")
@login_required
@limits.password_check_per_account
@limits.mail_per_address
def change_email() -> Any:
    form = ChangeEmailForm()
    change = partial(
        credentials.request_email_change,
        new_email=form.email.data or "",
        password=form.password.data or "",
        links=public_links(current_app),
        hours=_cfg("VERIFY_TOKEN_HOURS"),
        mail_budget=_cfg("MAIL_BUDGET_PER_HOUR"),
    )
    page = partial(_settings_page, email_form=form)
    return _save_setting(
        form, change, page=page, success=_("We have sent a confirmation link to the new address.")
    )


@bp.get("/email-bestaetigen/<token>")
def confirm_email(token: str) -> Any:
    done = _redeem(
        credentials.confirm_email_change, token, success=_("Your new e-mail address is confirmed.")
    )
    if not done:
        return render_template("accounts/token_invalid.html"), 400
    if current_user.is_authenticated and current_user.id == done.value.id:
        login_user(done.value)  # this browser stays, with the new id; other sessions ended
    return redirect(
        url_for("accounts.settings") if current_user.is_authenticated else url_for("accounts.login")
    )


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"next_url": request.full_path if request.method == "GET" else ""}
