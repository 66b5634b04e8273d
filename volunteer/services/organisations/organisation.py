"""Organisations: registration, profile and logo, verification, members and their roles.

An organisation is unlisted until a city coordinator verifies it (:func:`verify`): until then its
needs are not public (``volunteer.services.discovery.listing.listed_clause`` is the one rule every
public query applies). People act for an organisation through a :class:`Membership` with the role
admin or member; every organisation keeps at least one admin, so it can never be orphaned by a leave
or a role change.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.catalogue.geocoding import GeocodeError, Geocoder
from volunteer.models import (
    Cause,
    MemberRole,
    Membership,
    Organisation,
    OrganisationCause,
    OrganisationKind,
    Role,
    Token,
    User,
)
from volunteer.platform.links import PublicLinks
from volunteer.platform.richtext import clean_text, markup_problem
from volunteer.services import audit
from volunteer.services.accounts import account as accounts
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4096
LOGO_SIZE = 512  # stored logos are scaled down to fit this square
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/png"}
INVITE_HOURS = 14 * 24
INVITE_PURPOSE = "org_invite"
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


def is_admin(session: Session, org: Organisation, user: User) -> bool:
    member = _membership(session, org, user)
    return member is not None and member.role == MemberRole.ADMIN


def _membership(session: Session, org: Organisation, user: User) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    ).first()


def _require_admin(session: Session, org: Organisation, user: User) -> None:
    if not is_admin(session, org, user):
        raise ServiceError("not_allowed")


def _clean(data: OrganisationInput, session: Session, geocoder: Geocoder) -> dict[str, Any]:
    """Validate everything before touching the organisation, so nothing is ever half-saved."""
    name = " ".join(data.name.split())
    if not name:
        raise ServiceError("required", field="name")
    if len(name) > 160:
        raise ServiceError("too_long", field="name", max=160)
    if data.kind not in set(OrganisationKind):
        raise ServiceError("bad_choice", field="kind")
    for field_name in ("name", "register_number", "phone", "website", "address"):
        if markup_problem(getattr(data, field_name)):
            raise ServiceError("markup", field=field_name)
    description = clean_text(data.description)
    if markup_problem(description):
        raise ServiceError("markup", field="description")
    if len(description) > 5000:
        raise ServiceError("too_long", field="description", max=5000)
    website = data.website.strip()
    if website and not website.lower().startswith(("https://", "http://")):
        website = "https://" + website
    if website and not _WEBSITE.match(website):
        raise ServiceError("bad_website", field="website")
    try:
        place = geocoder.geocode(data.address)
    except GeocodeError as error:
        raise ServiceError(error.reason, field="address") from error
    if place is None:
        raise ServiceError("required", field="address")
    causes = set(data.cause_ids)
    if causes:
        known = set(session.exec(select(Cause.id).where(col(Cause.id).in_(causes))).all())
        if known != causes:
            raise ServiceError("bad_choice", field="causes")
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
    for coordinator in session.exec(
        select(User).where(User.role == Role.COORDINATOR, col(User.deleted_at).is_(None))
    ).all():
        outbox.enqueue(
            session,
            "organisation_registered",
            dedupe_key=f"organisation_registered:{org.id}:{coordinator.id}",
            now=now,
            user=coordinator,
            payload={"organisation_id": org.id},
        )
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
    _require_admin(session, org, by)
    values = _clean(data, session, geocoder)
    causes = values.pop("causes")
    for key, value in values.items():
        setattr(org, key, value)
    session.add(org)
    _set_causes(session, org, causes)
    audit.record(
        session, "organisation.updated", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip
    session.flush()
    return org


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
    _require_admin(session, org, by)
    org.logo, org.logo_type = check_logo(data)
    session.add(org)
    audit.record(
        session, "organisation.logo", actor=by, now=now, object_type="organisation",
        object_id=org.id,
    )  # fmt: skip
    session.flush()
    return org


def remove_logo(session: Session, org: Organisation, *, by: User, now: datetime) -> Organisation:
    _require_admin(session, org, by)
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
    for admin in admins(session, org):
        outbox.enqueue(
            session,
            "organisation_verified",
            dedupe_key=f"organisation_verified:{org.id}:{admin.id}",
            now=now,
            user=admin,
            payload={"organisation_id": org.id},
        )
    session.flush()
    return org


def admins(session: Session, org: Organisation) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organisation_id == org.id, Membership.role == MemberRole.ADMIN)
            .order_by(col(User.id))
        ).all()
    )


def members(session: Session, org: Organisation) -> list[tuple[Membership, User]]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.organisation_id == org.id)
        .order_by(Membership.role, User.first_name, User.email)
    ).all()
    return [(m, u) for m, u in rows]


def _admin_count(session: Session, org: Organisation) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == org.id, Membership.role == MemberRole.ADMIN)
        ).one()
    )


def invite(
    session: Session,
    org: Organisation,
    *,
    email: str,
    role: str,
    by: User,
    now: datetime,
    links: PublicLinks,
    mail_budget: int,
) -> str:
    """E-mail an invitation link (through the outbox); returns the raw token for tests.

    The link is bound to the address: whoever accepts must be logged in with that address,
    verified, so a forwarded mail does not let someone else in. It is bound to the inviter too:
    it works only while they are still an admin here (:func:`accept_invite`), and it is voided
    the moment they stop being one (:func:`_void_invitations_of`).
    """
    _require_admin(session, org, by)
    if role not in set(MemberRole):
        raise ServiceError("bad_choice", field="role")
    address = email.strip()
    existing = accounts.find_by_email(session, address)
    if existing is not None and _membership(session, org, existing) is not None:
        raise ServiceError("already_member", field="email")
    raw = accounts.issue_token(
        session,
        INVITE_PURPOSE,
        now=now,
        hours=INVITE_HOURS,
        email=address,
        data={"organisation_id": org.id, "role": role, "invited_by": by.id},
    )
    outbox.enqueue(
        session,
        "organisation_invite",
        dedupe_key=f"organisation_invite:{org.id}:{accounts.email_key(address)}:{now.isoformat()}",
        now=now,
        user=existing,
        to_email=address,
        locale=existing.locale if existing else by.locale,
        payload={
            "organisation_id": org.id,
            "invited_by": by.id,
            "role": role,
            "url": links("organisations.accept_invite", token=raw),
        },
        channels=("email",),
        mail_budget=mail_budget,
    )
    audit.record(
        session, "organisation.invited", actor=by, now=now, object_type="organisation",
        object_id=org.id, role=role,
    )  # fmt: skip
    return raw


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    """An invitation that can still be accepted, as the members page lists it."""

    id: int
    email: str
    role: str
    invited_by: User | None
    created_at: datetime
    expires_at: datetime


def _open_invitations(session: Session, org: Organisation, *, now: datetime) -> list[Token]:
    """Unused, unexpired invitation tokens of ``org``, oldest first."""
    return list(
        session.exec(
            select(Token)
            .where(
                Token.purpose == INVITE_PURPOSE,
                col(Token.used_at).is_(None),
                Token.expires_at > now,
                Token.data["organisation_id"].as_integer() == org.id,
            )
            .order_by(col(Token.created_at), col(Token.id))
        ).all()
    )


def pending_invitations(
    session: Session, org: Organisation, *, now: datetime
) -> list[PendingInvitation]:
    """The invitations of ``org`` someone could still accept, with who sent them."""
    out = []
    for token in _open_invitations(session, org, now=now):
        assert token.id is not None
        inviter = session.get(User, int(token.data.get("invited_by", 0)))
        out.append(
            PendingInvitation(
                id=token.id,
                email=token.email or "",
                role=str(token.data.get("role", MemberRole.MEMBER)),
                invited_by=inviter,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )
    return out


def _void(token: Token, *, now: datetime, reason: str, by: User | None = None) -> None:
    token.used_at = now
    token.data = {**token.data, "void": reason, **({"voided_by": by.id} if by else {})}


def revoke_invitation(
    session: Session, org: Organisation, invitation_id: int, *, by: User, now: datetime
) -> None:
    """An admin withdraws a pending invitation: its link stops working (audited)."""
    _require_admin(session, org, by)
    token = next(
        (t for t in _open_invitations(session, org, now=now) if t.id == invitation_id), None
    )
    if token is None:
        raise ServiceError("not_found")
    _void(token, now=now, reason="revoked", by=by)
    session.add(token)
    audit.record(
        session, "organisation.invite_revoked", actor=by, now=now, object_type="organisation",
        object_id=org.id, invitation=token.id,
    )  # fmt: skip
    session.flush()


def _void_invitations_of(
    session: Session, org: Organisation, inviter_id: int, *, by: User, now: datetime
) -> None:
    """Void every pending invitation ``inviter_id`` sent for ``org``: they are no longer an
    admin here, so nothing they sent may make someone a member (or them an admin again)."""
    voided = [
        t
        for t in _open_invitations(session, org, now=now)
        if int(t.data.get("invited_by", 0)) == inviter_id
    ]
    for token in voided:
        _void(token, now=now, reason="inviter_lost_role")
        session.add(token)
    if voided:
        audit.record(
            session, "organisation.invites_voided", actor=by, now=now,
            object_type="organisation", object_id=org.id, inviter=inviter_id, count=len(voided),
        )  # fmt: skip


def accept_invite(session: Session, raw: str, *, user: User, now: datetime) -> Organisation:
    """Join the organisation the token names, if ``user`` has verified the invited address and
    the inviter is still an admin there."""
    token = accounts.consume_token(session, raw, INVITE_PURPOSE, now=now)
    if accounts.email_key(token.email or "") != user.email_key:
        raise ServiceError("invite_other_email", field="token", email=token.email or "")
    if user.email_verified_at is None:
        raise ServiceError("invite_unverified", field="token", email=token.email or "")
    org = session.get(Organisation, int(token.data.get("organisation_id", 0)))
    if org is None:
        raise ServiceError("invalid_token", field="token")
    inviter = session.get(User, int(token.data.get("invited_by", 0)))
    if inviter is None or not is_admin(session, org, inviter):
        raise ServiceError("invite_void", field="token")
    member = _membership(session, org, user)
    role = str(token.data.get("role", MemberRole.MEMBER))
    if member is None:
        assert org.id is not None and user.id is not None
        session.add(Membership(organisation_id=org.id, user_id=user.id, role=role, created_at=now))
    elif role == MemberRole.ADMIN:
        member.role = MemberRole.ADMIN
        session.add(member)
    audit.record(
        session, "organisation.joined", actor=user, now=now, object_type="organisation",
        object_id=org.id, role=role,
    )  # fmt: skip
    session.flush()
    return org


def set_role(
    session: Session, org: Organisation, member: Membership, role: str, *, by: User, now: datetime
) -> Membership:
    """Make a member an admin or back; the last admin cannot step down."""
    _require_admin(session, org, by)
    if member.organisation_id != org.id:
        raise ServiceError("not_found")
    if role not in set(MemberRole):
        raise ServiceError("bad_choice", field="role")
    stepping_down = member.role == MemberRole.ADMIN and role != MemberRole.ADMIN
    if stepping_down and _admin_count(session, org) <= 1:
        raise ServiceError("last_admin")
    member.role = role
    session.add(member)
    if stepping_down:
        _void_invitations_of(session, org, member.user_id, by=by, now=now)
    audit.record(
        session, "organisation.role", actor=by, now=now, object_type="organisation",
        object_id=org.id, member=member.user_id, role=role,
    )  # fmt: skip
    session.flush()
    return member


def transfer_admin(
    session: Session, org: Organisation, to: Membership, *, by: User, now: datetime
) -> None:
    """Hand the admin role to another member and become a member oneself."""
    mine = _membership(session, org, by)
    if mine is None or mine.role != MemberRole.ADMIN:
        raise ServiceError("not_allowed")
    if to.organisation_id != org.id or to.user_id == by.id:
        raise ServiceError("bad_choice", field="member")
    to.role = MemberRole.ADMIN
    mine.role = MemberRole.MEMBER
    session.add_all([to, mine])
    _void_invitations_of(session, org, mine.user_id, by=by, now=now)
    audit.record(
        session, "organisation.transfer_admin", actor=by, now=now, object_type="organisation",
        object_id=org.id, to=to.user_id,
    )  # fmt: skip
    session.flush()


def remove_member(
    session: Session, org: Organisation, member: Membership, *, by: User, now: datetime
) -> None:
    """Remove someone (admins), or leave (anyone, for themselves); never the last admin."""
    if member.organisation_id != org.id:
        raise ServiceError("not_found")
    if member.user_id != by.id:
        _require_admin(session, org, by)
    if member.role == MemberRole.ADMIN and _admin_count(session, org) <= 1:
        raise ServiceError("last_admin")
    if member.role == MemberRole.ADMIN:
        _void_invitations_of(session, org, member.user_id, by=by, now=now)
    session.delete(member)
    audit.record(
        session, "organisation.left" if member.user_id == by.id else "organisation.removed",
        actor=by, now=now, object_type="organisation", object_id=org.id, member=member.user_id,
    )  # fmt: skip
    session.flush()


def leave(session: Session, org: Organisation, *, by: User, now: datetime) -> None:
    member = _membership(session, org, by)
    if member is None:
        raise ServiceError("not_found")
    remove_member(session, org, member, by=by, now=now)
