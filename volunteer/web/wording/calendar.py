"""A shift's calendar entry in words: the summary and description every ``.ics`` this app
writes carries (the download, the personal feed, the entry attached to a notice).

Calendar apps show SUMMARY and DESCRIPTION as they are, so they are worded here in the reader's
language (the caller picks it: the page's, the feed owner's, the notice's) and the time is
spelled out through Babel, for the reader who opens the entry without the e-mail.
"""

from flask_babel import gettext as _

from volunteer.models import Opportunity, Organisation, Shift
from volunteer.platform.i18n import time_range


def event_words(
    shift: Shift, opportunity: Opportunity, organisation: Organisation, url: str
) -> tuple[str, str]:
    """(SUMMARY, DESCRIPTION) of the shift's calendar event, in the current locale."""
    name = _("%(title)s (%(org)s)", title=opportunity.title, org=organisation.name)
    summary = _("Cancelled: %(name)s", name=name) if shift.cancelled_at else name
    lines = [time_range(shift.starts_at, shift.ends_at)]
    place = shift.place or opportunity.address
    if place:
        lines.append(_("Place: %(place)s", place=place))
    lines.append(_("Organised by %(org)s", org=organisation.name))
    contact = ", ".join(x for x in (organisation.contact_email, organisation.phone) if x)
    if contact:
        lines.append(_("Contact: %(contact)s", contact=contact))
    lines.append(_("Details: %(url)s", url=url))
    return summary, "\n".join(lines)
