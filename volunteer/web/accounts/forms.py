from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from volunteer.web.forms import email_field, password_field, text_field
from volunteer.web.wording.consents import PRIVACY_LABEL


def _first_name() -> Any:
    return text_field(_l("First name"), 80, autocomplete="given-name")


class RegisterForm(FlaskForm):
    first_name = _first_name()
    email = email_field()
    password = password_field(
        _l("Password"),
        autocomplete="new-password",
        description=_l("At least 10 characters. A sentence you can remember works well."),
    )
    accept_terms = BooleanField(
        PRIVACY_LABEL,
        validators=[
            DataRequired(message=_l("Please confirm that you have read the privacy notice."))
        ],
    )


class LoginForm(FlaskForm):
    email = email_field(autocomplete="username")
    password = password_field(_l("Password"), autocomplete="current-password")
    remember = BooleanField(_l("Stay logged in on this device"))


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetForm(FlaskForm):
    password = password_field(_l("New password"), autocomplete="new-password")


class ChangePasswordForm(FlaskForm):
    current_password = password_field(_l("Current password"), autocomplete="current-password")
    password = password_field(_l("New password"), autocomplete="new-password")


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("New e-mail address"))
    password = password_field(_l("Password"), autocomplete="current-password")


class NameForm(FlaskForm):
    first_name = _first_name()
    last_name = text_field(
        _l("Surname (optional)"),
        80,
        optional=True,
        description=_l(
            "Only used when an association applies for your Ehrenamtskarte with your confirmed "
            "hours. Nobody else sees it."
        ),
        autocomplete="family-name",
    )
