"""Forms of the volunteer pages; choices come from the reference data in the reader's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from matching.model import SLOTS
from volunteer.catalogue.reference import load_causes, load_languages, load_skills
from volunteer.models import AgeGroup
from volunteer.web.forms import FiniteDecimalField, required
from volunteer.web.helpers import reader_locale
from volunteer.web.wording.consents import DISCOVERABLE_LABEL

RADIUS_MESSAGE = _l("Please choose a distance between 1 and 50 km.")


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes: accessible by keyboard and screen reader without JS."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
    data: list[str] | None

    def pre_validate(self, form: object) -> None:
        """Unknown values are dropped rather than failing the whole form."""
        known = {c.value for c in self.choices or []}
        self.data = [v for v in self.data or [] if v in known]


def choices(pairs: list[tuple[str, object]]) -> list[SelectChoice]:
    """WTForms 3.3 wants ``SelectChoice`` objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def hour_choices() -> list[SelectChoice]:
    return choices([("", _l("none"))] + [(str(h), f"{h:02d}:00") for h in range(24)])


class ProfileBasicsForm(FlaskForm):
    """Step one of the profile: where, when, what matters, and the age group."""

    location = StringField(
        _l("Postcode or address"),
        validators=[required(), Length(max=200)],
        description=_l(
            "E.g. 44787 or Kortumstraße 5, 44787 Bochum. Used only to find what is near you."
        ),
        render_kw={"autocomplete": "postal-code"},
    )
    radius_km = FiniteDecimalField(
        _l("How far would you travel? (km)"),
        places=None,
        validators=[
            InputRequired(message=RADIUS_MESSAGE),
            NumberRange(min=1, max=50, message=RADIUS_MESSAGE),
        ],
        default=5,
        render_kw={"inputmode": "decimal"},
    )
    availability = CheckboxList(
        _l("When do you have time?"), choices=choices([(s, s) for s in SLOTS])
    )
    causes = CheckboxList(_l("What matters to you?"), choices=[])
    age_group = RadioField(
        _l("Your age"),
        choices=choices(
            [
                (AgeGroup.ADULT.value, _l("18 or older")),
                (AgeGroup.MINOR.value, _l("16 or 17")),
                (AgeGroup.UNDER_16.value, _l("under 16")),
            ]
        ),
        default=AgeGroup.ADULT.value,
        validators=[InputRequired(message=_l("Please choose your age group."))],
    )
    guardian_email = StringField(
        _l("E-mail of a parent or guardian"),
        validators=[
            Optional(),
            Email(
                message=_l("Please enter a valid e-mail address, e.g. name@example.de."),
                check_deliverability=False,
            ),
            Length(max=254),
        ],
        description=_l("Only under 16: we ask them to agree before you can sign up."),
        render_kw={"autocomplete": "email"},
    )

    def fill_choices(self) -> None:
        locale = reader_locale()
        self.causes.choices = choices([(c.slug, c.label(locale)) for c in load_causes()])


class ProfileDetailsForm(FlaskForm):
    """Step two, whenever the person likes: skills, languages, the rest."""

    skills = CheckboxList(_l("What can you do?"), choices=[])
    skill_suggestion = StringField(
        _l("Something missing? Suggest a skill"),
        validators=[Optional(), Length(max=160)],
        description=_l("A coordinator will look at it and may add it to the list."),
    )
    languages = CheckboxList(_l("Languages you speak"), choices=[])
    discoverable = BooleanField(DISCOVERABLE_LABEL, default=False)
    about = TextAreaField(_l("A few words about you (optional)"), validators=[Length(max=2000)])
    digest_frequency = RadioField(
        _l("New opportunities that fit me by e-mail"),
        choices=choices([("weekly", _l("once a week")), ("never", _l("never"))]),
        default="weekly",
    )
    quiet_start_hour = SelectField(_l("Quiet hours from"), choices=[], validators=[Optional()])
    quiet_end_hour = SelectField(_l("Quiet hours until"), choices=[], validators=[Optional()])

    def fill_choices(self) -> None:
        locale = reader_locale()
        self.skills.choices = choices([(s.slug, s.label(locale)) for s in load_skills()])
        self.languages.choices = choices(
            [(lang.code, lang.label(locale)) for lang in load_languages()]
        )
        self.quiet_start_hour.choices = hour_choices()
        self.quiet_end_hour.choices = hour_choices()


class SignupForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the organisation (optional)"), validators=[Length(max=2000)]
    )
    join_waitlist = BooleanField(_l("Put me on the waiting list if the shift is full"))
    confirm_clash = BooleanField(_l("I know this overlaps with another shift and still want it"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000)])


class HoursForm(FlaskForm):
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            # How many minutes are plausible depends on the shift: the service decides that.
            InputRequired(message=_l("Please enter the minutes you worked.")),
        ],
    )
    note = StringField(_l("Note (optional)"), validators=[Length(max=1000)])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[required()],
        render_kw={"autocomplete": "current-password"},
    )


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete my account and my personal data for good"),
        validators=[InputRequired(message=_l("Please tick the box to confirm."))],
    )
