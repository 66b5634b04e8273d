"""What a service accepts in a field, one rule each; each raises ``ServiceError`` naming the field.

A name, a title, a message or a reason is plain text with a length limit and no markup; a
description is rich text (cleaned, then the same limits); a place is whatever the geocoder can
put in the service area; chosen ids must all exist. The forms check lengths too, but the
services are what the API, the CLI and the tests call, so the rule lives here.
"""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from volunteer.catalogue.geocoding import GeocodeError, Geocoder, GeoResult
from volunteer.platform.richtext import clean_text, markup_problem
from volunteer.services.errors import ServiceError


def plain_text(
    value: str, *, field: str, max_length: int, required: bool = True, one_line: bool = False
) -> str:
    """Stripped (``one_line``: runs of white space folded to one space), then required, at most
    ``max_length`` characters, and no markup, in that order."""
    text = " ".join(value.split()) if one_line else value.strip()
    if required and not text:
        raise ServiceError("required", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", field=field, max=max_length)
    if markup_problem(text):
        raise ServiceError("markup", field=field)
    return text


def rich_text(value: str, *, field: str, max_length: int) -> str:
    """A description: cleaned (:func:`clean_text`), no markup beyond ours, at most
    ``max_length`` characters."""
    text = clean_text(value)
    if markup_problem(text):
        raise ServiceError("markup", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", field=field, max=max_length)
    return text


def place(geocoder: Geocoder, text: str, *, field: str, missing: str = "required") -> GeoResult:
    """Where ``text`` is; the geocoder's reason (unknown postcode, outside the service area, not
    understood) or ``missing`` for an empty answer becomes the field's error."""
    try:
        found = geocoder.geocode(text)
    except GeocodeError as error:
        raise ServiceError(error.reason, field=field) from error
    if found is None:
        raise ServiceError(missing, field=field)
    return found


def known_ids(session: Session, id_column: Any, ids: Iterable[int], *, field: str) -> set[int]:
    """The chosen ids, if every one is a row of ``id_column``'s table (``Cause.id``, ``Skill.id``);
    else ``bad_choice``."""
    wanted = set(ids)
    if wanted:
        known = set(session.exec(select(id_column).where(col(id_column).in_(wanted))).all())
        if known != wanted:
            raise ServiceError("bad_choice", field=field)
    return wanted
