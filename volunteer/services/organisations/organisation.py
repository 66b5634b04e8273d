"""Organisations: registration, profile and logo, verification.

An organisation is unlisted until a city coordinator verifies it (:func:`verify`): until then its
needs are not public (``volunteer.services.discovery.listing.listed_clause`` is the one rule every
public query applies). Its people and their roles are :mod:`.members`, invitations
:mod:`.invitations`.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session, select

from volunteer.catalogue.geocoding import Geocoder
from volunteer.models import (
    Cause,
    MemberRole,
    Membership,
    Organisation,
    OrganisationCause,
    OrganisationKind,
    User,
)
from volunteer.platform.richtext import markup_problem
from volunteer.services import audit, fields
from volunteer.services.accounts import account as accounts
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations import members
from volunteer.services.permissions import require_admin

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4096
LOGO_SIZE = 512  # stored logos are scaled down to fit this square
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/png"}
_WEBSITE = re.compile(r"^https?://[\w.-]+\.[a-z]{2,}(?::\d+)?(?:[/?#][^\s<>\"']*)?$", re.IGNORECASE)


@dataclass(slots=True, kw_only=True)
class OrganisationInput:
    """What the profile form collects; the same shape for registering and editing."""

    name: str
    kind: str
    address: str
    register_number: str = ""
    contact_email: str = ""
    phone: str = ""
    website: str = ""
    description: str = ""
    cause_ids: list[int] = field(default_factory=list)


def _clean(data: OrganisationInput, session: Session, geocoder: Geocoder) -> dict[str, Any]:
    """Validate everything before touching the organisation, so nothing is ever half-saved."""
    name = fields.plain_text(data.name, field="name", max_length=160, one_line=True)
    if data.kind not in set(OrganisationKind):
        raise ServiceError("bad_choice", field="kind")
    for field_name in ("register_number", "phone", "website", "address"):
        if markup_problem(getattr(data, field_name)):
            raise ServiceError("markup", field=field_name)
    description = fields.rich_text(data.description, field="description", max_length=5000)
    website = data.website.strip()
    if website and not website.lower().startswith(("https://", "http://")):
        website = "https://" + website
    if website and not _WEBSITE.match(website):
        raise ServiceError("bad_website", field="website")
    place = fields.place(geocoder, data.address, field="address")
    causes = fields.known_ids(session, Cause.id, data.cause_ids, field="causes")
    return {
        "name": name,
        "kind": data.kind,
        "register_number": data.register_number.strip() or None,
        "address": " ".join(data.address.split()),
        "postcode": place.postcode,
        "district_number": place.district_number,
        "lat": place.lat,
        "lon": place.lon,
        "contact_email": data.contact_email.strip(),
        "phone": data.phone.strip(),
        "website": website,
        "description": description,
        "causes": sorted(causes),
    }


def _set_causes(session: Session, org: Organisation, cause_ids: list[int]) -> None:
    for row in session.exec(
        select(OrganisationCause).where(OrganisationCause.organisation_id == org.id)
    ).all():
        session.delete(row)
    session.flush()
    assert org.id is not None
    for cause_id in cause_ids:
        session.add(OrganisationCause(organisation_id=org.id, cause_id=cause_id))


def register(
    session: Session,
    data: OrganisationInput,
    *,
    by: User,
    now: datetime,
    geocoder: Geocoder,
) -> Organisation:
    """Create an organisation with ``by`` as its first admin; coordinators are told to verify."""
    values = _clean(data, session, geocoder)
    causes = values.pop("causes")
    org = Organisation(**values, created_at=now)
    if not org.contact_email:
        org.contact_email = by.email
    session.add(org)
    session.flush()
    assert org.id is not None and by.id is not None
    session.add(
        Membership(organisation_id=org.id, user_id=by.id, role=MemberRole.ADMIN, created_at=now)
    )
    _set_causes(session, org, causes)
    audit.record(
        session, "organisation.registered", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip
    outbox.enqueue_each(
        session, "organisation_registered", accounts.coordinators(session),
        dedupe_key=f"organisation_registered:{org.id}", now=now,
        payload={"organisation_id": org.id},
    )  # fmt: skip
    session.flush()
    return org


def update(
    session: Session,
    org: Organisation,
    data: OrganisationInput,
    *,
    by: User,
    now: datetime,
    geocoder: Geocoder,
) -> Organisation:
    """Change the profile (admins only). The verification stays: it vouches for the body."""
    require_admin(session, org, by)
    values = _clean(data, session, geocoder)
    causes = values.pop("causes")
    for key, value in values.items():
        setattr(org, key, value)
    _set_causes(session, org, causes)
    return audit.saved(
        session, org, "organisation.updated", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip


def cause_ids(session: Session, org: Organisation) -> list[int]:
    return list(
        session.exec(
            select(OrganisationCause.cause_id).where(OrganisationCause.organisation_id == org.id)
        ).all()
    )


def check_logo(data: bytes) -> tuple[bytes, str]:
    """Validate an uploaded logo and return it re-encoded (PNG or JPEG) with its media type.

    Re-encoding drops metadata (camera location, author) and anything appended to the file, so
    what we serve is exactly a picture. SVG is refused: it can carry script.
    """
    if not data:
        raise ServiceError("required", field="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise ServiceError("logo_too_large", field="logo", max_kib=MAX_LOGO_BYTES // 1024)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in LOGO_FORMATS:
                raise ServiceError("logo_not_image", field="logo")
            if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS or width < 16 or height < 16:
                raise ServiceError("logo_dimensions", field="logo", max=MAX_LOGO_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((LOGO_SIZE, LOGO_SIZE))
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88)
                return out.getvalue(), "image/jpeg"
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image.convert("RGBA" if has_alpha else "RGB").save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ServiceError("logo_not_image", field="logo") from None


def set_logo(
    session: Session, org: Organisation, data: bytes, *, by: User, now: datetime
) -> Organisation:
    require_admin(session, org, by)
    org.logo, org.logo_type = check_logo(data)
    return audit.saved(
        session, org, "organisation.logo", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip


def remove_logo(session: Session, org: Organisation, *, by: User, now: datetime) -> Organisation:
    require_admin(session, org, by)
    org.logo = None
    org.logo_type = None
    session.add(org)
    session.flush()
    return org


def verify(session: Session, org: Organisation, *, by: User, now: datetime) -> Organisation:
    """A city coordinator vouches for the organisation; its published needs become public.

    Idempotent: verifying twice keeps the first date. The admins are told by a notice.
    """
    if not by.is_coordinator:
        raise ServiceError("not_allowed")
    if org.verified_at is not None:
        return org
    org.verified_at = now
    org.verified_by_id = by.id
    session.add(org)
    audit.record(
        session, "organisation.verified", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip
    outbox.enqueue_each(
        session, "organisation_verified", members.admins(session, org),
        dedupe_key=f"organisation_verified:{org.id}", now=now, payload={"organisation_id": org.id},
    )  # fmt: skip
    session.flush()
    return org
