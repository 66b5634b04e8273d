"""Column headers of the coordinators' CSV downloads, in the reader's language.

A coordinator opens these files in a spreadsheet and shows them to the city council: the first
row is what they read, so it carries words ("Stadtteil", "Besetzungsquote"), not the field names
of the code. The order of each tuple is the order of the cells the download writes; the one CSV
writer (``volunteer.platform.spreadsheet``) gets the header from here. Cell *values* that are
codes (an audit action such as ``organisation.verified``) stay codes: they are what a
coordinator filters on and what the audit page's filter accepts.
"""

from flask_babel import gettext as _


def district_report() -> tuple[str, ...]:
    """The district report (``/koordination/bericht.csv``)."""
    return (
        _("District number"),
        _("District"),
        _("Borough"),
        _("Volunteers"),
        _("Organisations"),
        _("Needs"),
        _("Upcoming places"),
        _("Places taken"),
        _("Fill rate"),
        _("Confirmed hours this year"),
    )


def skill_suggestions() -> tuple[str, ...]:
    """The skills people asked for that the catalogue lacks."""
    return (_("Suggested skill"), _("Times suggested"))


def audit_log() -> tuple[str, ...]:
    """The audit log: when, who, what, on which object."""
    return (_("Time"), _("Person"), _("Action"), _("Object type"), _("Object number"), _("Details"))


def proposal() -> tuple[str, ...]:
    """A city-wide proposal's pairs: who, for which shift, how well, and the answer."""
    return (
        _("Volunteer number"),
        _("First name"),
        _("Need number"),
        _("Need"),
        _("Organisation"),
        _("Shift starts"),
        _("Shift ends"),
        _("Score"),
        _("Invited at"),
        _("Answer"),
    )
