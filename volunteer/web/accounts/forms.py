from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from volunteer.web.forms import email_validators, required
from volunteer.web.wording.consents import PRIVACY_LABEL


class RegisterForm(FlaskForm):
    first_name = StringField(
        _l("First name"),
        validators=[required(), Length(max=80)],
        render_kw={"autocomplete": "given-name"},
    )
    email = EmailField(
        _l("E-mail address"), validators=email_validators(), render_kw={"autocomplete": "email"}
    )
    password = PasswordField(
        _l("Password"),
        validators=[required()],
        description=_l("At least 10 characters. A sentence you can remember works well."),
        render_kw={"autocomplete": "new-password"},
    )
    accept_terms = BooleanField(
        PRIVACY_LABEL,
        validators=[
            DataRequired(message=_l("Please confirm that you have read the privacy notice."))
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=email_validators(), render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[required()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=email_validators(), render_kw={"autocomplete": "email"}
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[required()], render_kw={"autocomplete": "new-password"}
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[required()],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"), validators=[required()], render_kw={"autocomplete": "new-password"}
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"), validators=email_validators(), render_kw={"autocomplete": "email"}
    )
    password = PasswordField(
        _l("Password"), validators=[required()], render_kw={"autocomplete": "current-password"}
    )


class NameForm(FlaskForm):
    first_name = StringField(
        _l("First name"),
        validators=[required(), Length(max=80)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Surname (optional)"),
        validators=[Length(max=80)],
        description=_l(
            "Only used when an association applies for your Ehrenamtskarte with your confirmed "
            "hours. Nobody else sees it."
        ),
        render_kw={"autocomplete": "family-name"},
    )
