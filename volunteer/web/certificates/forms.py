from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from volunteer.services.engagement.certificate import MAX_CODE_LENGTH


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing; it must work from a link or bookmark

    code = StringField(
        _l("Verification code"),
        description=_l("As printed on the certificate, or the whole address printed there."),
        validators=[
            DataRequired(_l("Please enter the code from the certificate.")),
            # A whole pasted address is longer than the code itself.
            Length(max=MAX_CODE_LENGTH + 200, message=_l("This is too long for a code.")),
        ],
    )
