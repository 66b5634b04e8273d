"""The words for a recognition milestone, on the engagements page and in the recognition notice.

A milestone is declared once, in ``volunteer/data/recognition.json`` (code, kind, figures); its
title follows from its declared kind, so a new ``hours_1000`` needs no code here, and a code the
file does not declare raises (:class:`~volunteer.services.engagement.recognition.UnknownMilestone`)
instead of being shown as "a new milestone".
"""

from flask_babel import format_decimal, gettext, ngettext

from volunteer.services.engagement.recognition import Rules, UnknownMilestone, default_rules


def milestone_texts(code: str, *, rules: Rules | None = None) -> tuple[str, str]:
    """(title, explanation) of the milestone ``code``; the title reads inside a sentence
    ("Glückwunsch: dein erstes Engagement")."""
    declared = (rules or default_rules()).milestone(code)
    kind = declared["kind"]
    if kind == "first_engagement":
        return gettext("your first engagement"), gettext(
            "Welcome to the community of volunteers in your city."
        )
    if kind == "hours":
        hours = declared["hours"]
        title = ngettext(
            "%(hours)s confirmed hour",
            "%(hours)s confirmed hours",
            hours,
            hours=format_decimal(hours),
        )
        return title, gettext(
            "Every hour counts – and these were all confirmed by the associations you helped."
        )
    if kind == "engaged_days":
        years = max(1, int(declared["days"]) // 365)
        return ngettext("one year of engagement", "%(num)s years of engagement", years), ngettext(
            "You have been volunteering with us for a year.",
            "You have been volunteering with us for %(num)s years.",
            years,
        )
    if kind == "ehrenamtskarte":
        return gettext("the Ehrenamtskarte NRW threshold"), gettext(
            "You have volunteered enough hours to apply for the Ehrenamtskarte NRW, with "
            "discounts across North Rhine-Westphalia. Your confirmed hours are in your "
            "engagements overview."
        )
    raise UnknownMilestone(f"{code}: kind {kind!r}")  # recognition.MILESTONE_KINDS grew


def milestone_title(code: str) -> str:
    """The title on its own, as a list entry on the engagements page (first letter capital)."""
    title = milestone_texts(code)[0]
    return title[:1].upper() + title[1:]
