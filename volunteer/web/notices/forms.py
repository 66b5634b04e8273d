from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from volunteer.services.notices.settings import CHANNELS, CONFIGURABLE
from volunteer.web.forms import email_validators


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


def _hours() -> list[SelectChoice]:
    return [SelectChoice("", _l("none"))] + [SelectChoice(str(h), f"{h:02d}:00") for h in range(24)]


class PreferencesForm(FlaskForm):
    digest_frequency = SelectField(
        _l("Digest of new opportunities"),
        choices=[SelectChoice("weekly", _l("weekly")), SelectChoice("never", _l("never"))],
    )
    quiet_start_hour = SelectField(_l("Quiet from"), choices=_hours())
    quiet_end_hour = SelectField(
        _l("Quiet until"),
        choices=_hours(),
        description=_l("No e-mails in this time (Berlin time); they arrive when it ends."),
    )

    def choice_values(self) -> dict[tuple[str, str], bool]:
        return {
            (k.kind, c): bool(self[field_name(k.kind, c)].data)
            for k in CONFIGURABLE
            for c in CHANNELS
        }

    def hour(self, name: str) -> int | None:
        value = self[name].data
        return int(value) if value not in (None, "") else None


for _info in CONFIGURABLE:
    for _channel in CHANNELS:
        setattr(PreferencesForm, field_name(_info.kind, _channel), BooleanField(_info.label))


class AddressForm(FlaskForm):
    """The corrected e-mail address of a failed notice's recipient."""

    email = StringField(_l("Corrected e-mail address"), validators=email_validators())
