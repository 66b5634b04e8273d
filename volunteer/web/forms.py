"""Shared form helpers: translated messages, strict fields and applying service errors."""

from typing import Any

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from volunteer.platform.inputs import MAX_DATE, MIN_DATE, parse_date, parse_decimal
from volunteer.platform.richtext import markup_problem, render
from volunteer.services.errors import ServiceError
from volunteer.web.wording.messages import error_message


class ButtonForm(FlaskForm):
    """Only the CSRF token: what a button that changes something posts, and all it posts."""


def required() -> DataRequired:
    return DataRequired(message=_l("Please fill in this field."))


def email_validators() -> list[object]:
    return [
        required(),
        Email(
            message=_l("Please enter a valid e-mail address, e.g. name@example.de."),
            check_deliverability=False,
        ),
        Length(max=254),
    ]


def _field(
    kind: Any, label: Any, validators: list[object], *, description: Any, **render_kw: Any
) -> Any:
    options: dict[str, Any] = {"validators": validators}
    if description is not None:
        options["description"] = description
    if render_kw:
        options["render_kw"] = render_kw
    return kind(label, **options)


def text_field(
    label: Any,
    max_length: int,
    *,
    optional: bool = False,
    rows: int | None = None,
    description: Any = None,
    **render_kw: Any,
) -> Any:
    """A text the person types, required unless ``optional``, at most ``max_length`` characters
    (the column's size); ``rows`` makes it a text area. ``render_kw`` are the input's attributes
    (``autocomplete``, ``inputmode``, ...)."""
    if rows is not None:
        render_kw["rows"] = rows
    return _field(
        StringField if rows is None else TextAreaField,
        label,
        [Optional() if optional else required(), Length(max=max_length)],
        description=description,
        **render_kw,
    )


def email_field(label: Any = None, *, autocomplete: str = "email", description: Any = None) -> Any:
    """An e-mail address (required, checked as one); ``autocomplete`` says whose address it is:
    the person's own (``email``, ``username`` at the login) or someone else's (``off``)."""
    return _field(
        EmailField,
        label or _l("E-mail address"),
        email_validators(),
        description=description,
        autocomplete=autocomplete,
    )


def password_field(label: Any, *, autocomplete: str, description: Any = None) -> Any:
    """A password (required); ``autocomplete`` is ``current-password`` or ``new-password``, so
    password managers fill in or suggest the right one."""
    return _field(
        PasswordField, label, [required()], description=description, autocomplete=autocomplete
    )


def apply_error(form: FlaskForm, error: ServiceError, default_field: str | None = None) -> None:
    """Show a service's refusal under the field it concerns, else as an error flash.

    A flash, not ``form.form_errors``: every page shows flashes, not every form template shows
    form-level errors, and a refusal that nobody sees is worse than one shown at the top.
    """
    name = error.field or default_field
    field = form._fields.get(name) if name else None
    message = error_message(error)
    if field is not None:
        field.errors = [*list(field.errors), message]
    else:
        flash(message, "error")


def form_status(*forms: FlaskForm, failed: bool = False) -> int:
    """A form page's status: 422 while it shows a form's errors (or a refusal, ``failed``), else
    200, so a rejected post never passes for a page that worked."""
    return 422 if failed or any(form.errors for form in forms) else 200


PREVIEW_BUTTON = "preview"


def description_preview(form: FlaskForm, field: str = "description") -> Markup | None:
    """The text as the public will see it, when the form was sent with its "Vorschau" button.

    ``None`` for every other request, so the view goes on to validate and save; with a preview
    the view saves nothing and renders the form again with what was typed. Text the service
    would refuse on saving (HTML) gets the same field message now, not only on the next click.
    """
    if request.method != "POST" or PREVIEW_BUTTON not in request.form:
        return None
    text = str(form[field].data or "")
    if markup_problem(text):
        apply_error(form, ServiceError("markup", field=field))
    return render(text)


class StrictDateField(DateField):
    """A ``YYYY-MM-DD`` date within the years the app can compute with (not ``9999-12-31``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = parse_date(valuelist[0], MIN_DATE, MAX_DATE)
        if self.data is None:
            raise ValueError(str(_l("Please enter a valid date.")))


class FiniteDecimalField(DecimalField):
    """A plain decimal number: ``NaN``, ``sNaN``, ``Infinity`` and exponents are refused (they
    pass ``Decimal`` but break every comparison after it)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = parse_decimal(valuelist[0], -1e12, 1e12)
        if self.data is None:
            raise ValueError(str(_l("Please enter a number.")))
