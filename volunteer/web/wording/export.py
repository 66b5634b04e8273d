"""The words inside the data export: README, data dictionary and code meanings, in the person's
language (the rows themselves come from :mod:`volunteer.services.accounts.export`).

Every exported field has a meaning here, found by ``file.field``, then ``field``, then by its
suffix (``*_at`` is a time, ``*_id`` a number of a related record, ``*_label`` what that number
names); a test fails for any field the archive contains without one.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from matching.model import SLOTS
from volunteer.platform.i18n import format_moment
from volunteer.services.accounts.export import ABOUT_ME_AUDIT, ABOUT_ME_NOTICES
from volunteer.web.wording.reasons import slot_label

FILES: dict[str, Any] = {
    "account": _l("Your account: address, name, language, role and when it was used."),
    "profile": _l("Your volunteer profile: where you live, when you have time, what you offer."),
    "skills": _l("The skills you chose."),
    "causes": _l("The causes you care about."),
    "signups": _l("Your sign-ups for shifts, with your message and the decision."),
    "hours": _l("The hours you reported and whether the association confirmed them."),
    "consents": _l("Consents you gave or withdrew, with the version and time."),
    "notice_preferences": _l("Which notices you switched on or off."),
    "notices": _l("Notices (e-mail and inbox) we sent or will send to you."),
    "memberships": _l("The associations you act for, and your role there."),
    "skill_suggestions": _l("Skills you suggested for the list."),
    "activity_log": _l("What you did: log-ins, changes to your account, decisions you took."),
    "conduct_checks": _l(
        "Records that an association has seen your certificate of conduct (the document itself "
        "is never stored), or that you recorded this for someone else."
    ),
    "open_links": _l("Links we sent you by e-mail (confirmation, new password, invitations)."),
    "organisations_verified": _l("Associations you verified as a city coordinator."),
    "guardian_requests": _l("Requests to your parent or guardian for consent, and their answer."),
    "proposal_runs": _l("City-wide assignment proposals you started as a coordinator."),
    "organisation_reviews": _l("Decisions you took on associations as a city coordinator."),
    "proposals": _l(
        "Proposals of the city's assignment planning that name you: which shift you were "
        "suggested for, whether you were invited and what you answered."
    ),
    ABOUT_ME_AUDIT: _l(
        "What others recorded about you: who accepted or declined your sign-ups, who confirmed "
        "your hours, who saw your certificate of conduct."
    ),
    ABOUT_ME_NOTICES: _l(
        "Notices we sent to others about you: to an association when you applied or withdrew, "
        "to a parent or guardian for consent."
    ),
}

FIELDS: dict[str, Any] = {
    "id": _l("Number of this record."),
    "email": _l("E-mail address."),
    "first_name": _l("First name."),
    "last_name": _l("Surname (used only for the Ehrenamtskarte export)."),
    "locale": _l("Language of the service and of e-mails (de, en)."),
    "role": _l("Role (see the codes in README.txt)."),
    "calendar_feed_enabled": _l("Whether a personal calendar link exists."),
    "user_id": _l('The person this record belongs to ("me" is you).'),
    "postcode": _l("Postcode."),
    "address": _l("Street address, if you gave one (used for distances only)."),
    "district_number": _l("Number of the statistical district."),
    "lat": _l("Latitude of your address or postcode (for distances)."),
    "lon": _l("Longitude of your address or postcode (for distances)."),
    "radius_km": _l("How far you would travel, in kilometres."),
    "availability": _l("When you have time: weekday and part of the day (see README.txt)."),
    "languages": _l("Languages you speak (ISO codes)."),
    "age_group": _l("Age group (see the codes in README.txt)."),
    "guardian_email": _l("E-mail address of a parent or guardian (under 16)."),
    "discoverable": _l("Whether associations may find you and invite you."),
    "about": _l("What you wrote about yourself."),
    "capacity": _l("How many engagements you would take on at once."),
    "digest_frequency": _l("How often you get the digest of new engagements (never, weekly)."),
    "quiet_start_hour": _l("Start of your quiet hours (no e-mails), hour in German time."),
    "quiet_end_hour": _l("End of your quiet hours, hour in German time."),
    "skill_id": _l("Number of the skill."),
    "cause_id": _l("Number of the cause."),
    "kind": _l("Type (see the codes in README.txt)."),
    "channel": _l("How a notice is delivered: email or inapp (inbox on the website)."),
    "enabled": _l("Switched on (true) or off (false)."),
    "version": _l("Version of the text you agreed to."),
    "text_sha256": _l("Fingerprint (SHA-256) of the exact text you were shown."),
    "withdrawn_how": _l("How the consent was withdrawn."),
    "details": _l("Further facts recorded with the entry."),
    "purpose": _l("What the link was for (see the codes in README.txt)."),
    "action": _l("What happened (see the codes in README.txt)."),
    "at": _l("When it happened (UTC, ISO 8601)."),
    "object_type": _l("Which kind of record the entry is about."),
    "object_id": _l("Number of the record the entry is about."),
    "actor_id": _l('Who did it ("me" is you; others by first name; empty: the system).'),
    "state": _l("State (see the codes in README.txt)."),
    "status": _l("Status (see the codes in README.txt)."),
    "message": _l("Your message to the association."),
    "reason": _l("The reason given for a withdrawal or a decline."),
    "decided_by_id": _l("Who decided (first name)."),
    "worked_on": _l("The day you worked."),
    "minutes": _l("Minutes worked."),
    "note": _l("Your note on the hours."),
    "text": _l("The text you suggested."),
    "subject": _l("Subject of the notice as shown in the inbox."),
    "body": _l("Text of the notice as shown in the inbox."),
    "link": _l("Where the notice's button leads."),
    "to_email": _l("The address the e-mail went to."),
    "payload": _l("Facts the notice was written from (numbers of records)."),
    "last_error": _l("Why a notice could not be delivered."),
    "recorded_by_id": _l("Who recorded it (first name)."),
    "name": _l("Name."),
    "register_number": _l("Register number of the association."),
    "contact_email": _l("Contact e-mail address."),
    "phone": _l("Telephone number."),
    "website": _l("Website."),
    "description": _l("Description."),
    "logo_type": _l("Image type of the logo."),
    "verified_by_id": _l("Who verified it (first name)."),
    "opportunity": _l("The engagement."),
    "period_start": _l("First day the proposal covers."),
    "period_end": _l("Last day the proposal covers."),
    "district_numbers": _l("Districts the proposal was limited to."),
    "cause_slugs": _l("Causes the proposal was limited to."),
    "fill_fairly": _l("Whether places were spread fairly across needs."),
    "progress": _l("How far the calculation got, in per cent."),
    "figures": _l("Totals of the proposal."),
    "error": _l("Why the calculation failed."),
    "decision": _l("The decision (see the codes in README.txt)."),
    "organisation_reviews.message": _l("What you wrote to the association with the decision."),
    "score": _l("How well the person fits the shift (0 to 1, from the matching)."),
    "answer": _l("The answer to the invitation (accepted, declined)."),
    "organisation": _l("The association."),
}
_SUFFIXES: dict[str, Any] = {
    "_at": _l("A date and time (UTC, ISO 8601)."),
    "_label": _l("What the number in the column before names."),
    "_id": _l("Number of a related record."),
}

CODES: dict[str, dict[str, Any]] = {
    "state": {
        "applied": _l("applied, waiting for a decision"),
        "accepted": _l("accepted"),
        "declined": _l("declined by the association"),
        "withdrawn": _l("withdrawn"),
        "waitlisted": _l("on the waiting list"),
        "attended": _l("took part"),
        "no_show": _l("did not come"),
        "submitted": _l("hours reported, not yet confirmed"),
        "confirmed": _l("hours confirmed"),
        "rejected": _l("hours not confirmed"),
        "pending": _l("guardian request waiting for an answer"),
        "consented": _l("the guardian consented"),
        "expired": _l("no answer in time"),
        "superseded": _l("replaced by a newer request"),
    },
    "decision": {
        "approved": _l("listed"),
        "info_requested": _l("more information requested"),
        "rejected": _l("not listed"),
    },
    "status (proposal_runs)": {
        "queued": _l("waiting to be calculated"),
        "running": _l("being calculated"),
        "done": _l("calculated"),
        "failed": _l("the calculation failed"),
    },
    "status": {
        "pending": _l("waiting to be sent"),
        "sent": _l("sent"),
        "failed": _l("could not be delivered"),
        "cancelled": _l("cancelled, never sent"),
        "skipped": _l("not sent, e.g. because you switched this kind off"),
        "open": _l("suggestion waiting for a coordinator"),
        "added": _l("suggestion taken into the list"),
        "dismissed": _l("suggestion not taken"),
    },
    "age_group": {
        "under16": _l("under 16 (needs a guardian's consent)"),
        "16to17": _l("16 or 17"),
        "adult": _l("18 or older"),
    },
    "role": {
        "volunteer": _l("volunteer"),
        "coordinator": _l("city coordinator"),
        "admin": _l("administrator of an association"),
        "member": _l("member of an association"),
    },
    "kind (consents)": {
        "privacy": _l("you took note of the privacy notice"),
        "discoverable": _l("associations may find and invite you"),
        "guardian": _l("a parent or guardian consented"),
    },
    "purpose": {
        "verify_email": _l("confirming your e-mail address"),
        "password_reset": _l("setting a new password"),
        "email_change": _l("confirming a new e-mail address"),
        "guardian_consent": _l("a guardian's consent"),
        "organisation_invite": _l("an invitation to an association"),
    },
}


def meaning(file: str, field: str) -> str:
    text = FIELDS.get(f"{file}.{field}") or FIELDS.get(field)
    if text is None:
        text = next((t for suffix, t in _SUFFIXES.items() if field.endswith(suffix)), None)
    return str(text) if text is not None else ""


def localise(data: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Values in the reader's language where they are words rather than codes: availability."""
    out = {name: [dict(r) for r in rows] for name, rows in data.items()}
    for row in out.get("profile", []):
        codes = str(row.get("availability") or "").split()
        row["availability"] = "; ".join(slot_label(c) for c in codes)
    return out


def dictionary(data: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """One row per file and field of this archive, then one per code."""
    file_h, field_h, meaning_h = gettext("file"), gettext("field"), gettext("meaning")
    rows = []
    for name, table in data.items():
        rows.append({file_h: f"{name}.csv", field_h: "", meaning_h: str(FILES.get(name, ""))})
        fields: list[str] = []
        for row in table:
            fields += [k for k in row if k not in fields]
        rows += [{file_h: f"{name}.csv", field_h: f, meaning_h: meaning(name, f)} for f in fields]
    return rows


def readme(data: Mapping[str, list[dict[str, Any]]], *, now: datetime, operator: str) -> str:
    """README.txt: what the archive is, what each file holds, and what each code means."""
    lines = [
        gettext("Your data at Mitwirken"),
        "=" * 30,
        "",
        gettext(
            "This archive holds every record %(operator)s keeps about you in Mitwirken, as of "
            "%(when)s (Art. 15 and 20 GDPR).",
            operator=operator,
            when=format_moment(now, "medium"),
        ),
        gettext(
            "mitwirken.json has everything in one machine-readable file; each .csv file is one "
            "table for spreadsheets; data_dictionary.csv explains every field."
        ),
        gettext(
            "Times are UTC (ISO 8601). Other people appear by first name only. Passwords, "
            "session ids and link tokens are never exported (we store only fingerprints)."
        ),
        "",
        gettext("Files"),
        "-----",
    ]
    lines += [f"{name}.csv: {FILES.get(name, '')} ({len(rows)})" for name, rows in data.items()]
    lines += ["", gettext("Codes"), "-----"]
    for field, codes in CODES.items():
        lines.append(f"{field}:")
        lines += [f"  {code} = {text}" for code, text in codes.items()]
    lines.append("availability:")
    lines += [f"  {code} = {slot_label(code)}" for code in SLOTS]
    return "\n".join(lines) + "\n"
