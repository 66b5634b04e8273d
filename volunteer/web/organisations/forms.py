"""Forms of the association pages. Choices that come from the database are set by the view."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from volunteer.models import MemberRole, OrganisationKind
from volunteer.platform.inputs import MAX_LIST, parse_int
from volunteer.web.forms import StrictDateField, email_field, required, text_field

KIND_LABELS = {
    OrganisationKind.VEREIN: _l("Registered association (Verein)"),
    OrganisationKind.INITIATIVE: _l("Initiative or neighbourhood group"),
    OrganisationKind.CHURCH: _l("Church or religious community"),
    OrganisationKind.PUBLIC: _l("Public body (e.g. school, library)"),
    OrganisationKind.COMPANY: _l("Company (corporate volunteering)"),
}
ROLE_LABELS = {MemberRole.ADMIN: _l("Admin"), MemberRole.MEMBER: _l("Member")}
WEEKDAY_LABELS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


class MultiCheckbox(Field):
    """A group of checkboxes; the template renders ``options`` inside a fieldset with a legend.

    Unknown or malformed values are dropped rather than raising: the service validates ids
    against the database and says which field is wrong. Numbers beyond a row id and repeats
    are dropped and the list is capped, so no ``IN (...)`` sees a huge or endless list. The
    options are set by the view (they come from the database or the reference data).
    """

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        coerce: type = int,
        options: list[tuple[Any, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.coerce = coerce
        self.options: list[tuple[Any, Any]] = list(options or [])

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        values: list[Any] = (
            [parse_int(x) for x in valuelist]
            if self.coerce is int
            else [str(v)[:20] for v in valuelist]
        )
        self.data = list(dict.fromkeys(v for v in values if v is not None))[:MAX_LIST]


def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class OrganisationForm(FlaskForm):
    name = text_field(_l("Name of the organisation"), 160, autocomplete="organization")
    kind = SelectField(
        _l("Kind of organisation"),
        choices=_choices((k.value, label) for k, label in KIND_LABELS.items()),
        validators=[required()],
    )
    register_number = text_field(
        _l("Register number (optional)"),
        40,
        optional=True,
        description=_l("E.g. VR 1234 at the Amtsgericht Bochum, if you have one."),
    )
    address = text_field(
        _l("Address or postcode"),
        200,
        description=_l("Street and postcode, e.g. Kortumstraße 5, 44787 Bochum."),
        autocomplete="street-address",
    )
    contact_email = email_field(
        _l("Contact e-mail"),
        description=_l("Volunteers who applied or were accepted see this address."),
    )
    phone = text_field(_l("Phone (optional)"), 40, optional=True, autocomplete="tel", type="tel")
    website = text_field(
        _l("Website (optional)"), 200, optional=True, autocomplete="url", inputmode="url"
    )
    description = text_field(_l("About the organisation"), 5000, optional=True, rows=6)
    causes = MultiCheckbox(_l("What you work for"), coerce=int)


class LogoForm(FlaskForm):
    logo = FileField(
        _l("Logo"),
        description=_l("PNG, JPEG, WebP or GIF, at most 1 MB. We scale it to 512 pixels."),
        render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"},
    )


class InviteForm(FlaskForm):
    email = email_field(autocomplete="off")
    role = SelectField(
        _l("Role"),
        choices=_choices((r.value, label) for r, label in ROLE_LABELS.items()),
        default=MemberRole.MEMBER.value,
        description=_l("Admins may also edit the profile and manage members."),
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=_choices((r.value, label) for r, label in ROLE_LABELS.items())
    )


class OpportunityForm(FlaskForm):
    title = text_field(
        _l("Title"),
        160,
        description=_l("Short and concrete, e.g. Reading buddy for primary school children."),
    )
    description = text_field(
        _l("Description"),
        10000,
        optional=True,
        rows=8,
        description=_l("What will people do, with whom, and what do they get?"),
    )
    causes = MultiCheckbox(_l("Causes"), coerce=int)
    required_skills = MultiCheckbox(_l("Required skills"), coerce=int)
    optional_skills = MultiCheckbox(_l("Helpful skills (optional)"), coerce=int)
    is_remote = BooleanField(_l("Remote or from home (no place)"))
    address = text_field(
        _l("Place: address, postcode or district"),
        200,
        optional=True,
        description=_l("E.g. Kortumstraße 5, 44787 Bochum or Wattenscheid."),
    )
    minors_ok = BooleanField(_l("Open to young people under 18"))
    needs_conduct_certificate = BooleanField(
        _l("Extended certificate of conduct required (work with children or young people)"),
        description=_l(
            "You look at the certificate yourself; Mitwirken only records that and when you saw "
            "it, never the document."
        ),
    )
    languages = MultiCheckbox(_l("Languages spoken in this engagement"), coerce=str)
    step_free = BooleanField(_l("Step-free access"))
    regular = BooleanField(_l("Regular engagement (rather than a one-off)"))


class ShiftForm(FlaskForm):
    day = StrictDateField(
        _l("Date"), validators=[InputRequired(message=_l("Please enter a date."))]
    )
    start_time = TimeField(
        _l("Start time"), validators=[InputRequired(message=_l("Please enter a time."))]
    )
    end_time = TimeField(
        _l("End time"), validators=[InputRequired(message=_l("Please enter a time."))]
    )
    capacity = IntegerField(
        _l("Places"),
        validators=[
            InputRequired(message=_l("Please enter a whole number.")),
            NumberRange(min=1, max=500, message=_l("Please enter between 1 and 500 places.")),
        ],
        default=1,
        description=_l("How many people you need for this shift."),
        render_kw={"min": 1, "max": 500, "inputmode": "numeric"},
    )
    place = text_field(
        _l("Meeting point (optional)"),
        200,
        optional=True,
        description=_l("E.g. the back entrance, room 2."),
    )
    repeat = RadioField(
        _l("Repeat"),
        choices=_choices([("once", _l("Once")), ("weekly", _l("Weekly"))]),
        default="once",
    )
    weekdays = MultiCheckbox(
        _l("On these weekdays"),
        coerce=int,
        options=list(enumerate(WEEKDAY_LABELS)),
    )
    every_weeks = SelectField(
        _l("Every"),
        choices=_choices([("1", _l("week")), ("2", _l("second week")), ("3", _l("third week"))]),
        default="1",
    )
    repeat_until = StrictDateField(
        _l("Repeat until"),
        validators=[Optional()],
        description=_l("At most one year ahead. All dates up to then are created at once."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """Also checked in the service; here as well so every problem shows at once.

        (An inline ``validate_repeat_until`` would never run: ``Optional`` stops the chain.)
        """
        ok: bool = super().validate(extra_validators)
        if self.repeat.data == "weekly" and self.repeat_until.data is None:
            self.repeat_until.errors = [
                *self.repeat_until.errors,
                str(_l("A weekly shift needs an end date. Please choose until when it repeats.")),
            ]
            return False
        return ok


class DecisionForm(FlaskForm):
    message = text_field(_l("Message to the person (optional)"), 2000, optional=True, rows=2)


class MessageForm(FlaskForm):
    message = text_field(
        _l("Message"),
        2000,
        rows=4,
        description=_l("Goes by e-mail and to the inbox of everyone signed up or waiting."),
    )


class BulkHoursForm(FlaskForm):
    entries = MultiCheckbox(_l("Hour entries"), coerce=int)
    action = HiddenField()


class RejectForm(FlaskForm):
    reason = text_field(_l("Reason (optional)"), 500, optional=True)


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download changes nothing

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
