"""Drawing the Engagementnachweis as a PDF with fpdf2, in the current locale.

Why fpdf2: pure Python (no system libraries such as Cairo or Pango, so it runs offline in the
slim image and in tests), maintained (regular releases, LGPL-3.0), and it embeds a TrueType font
as a subset, so umlauts, "ß" and the en dash come out right and the text can be copied and
extracted. The font is DejaVu Sans, bundled in ``volunteer/data/fonts`` with its licence
(Bitstream Vera licence, see SOURCES.md): nothing is downloaded at run time.

Numbers and dates go through Babel (``flask_babel``), wording through gettext; the caller picks
the person's language with ``force_locale``.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from importlib.resources import as_file, files

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from volunteer.platform.i18n import hours_text
from volunteer.services.engagement.certificate import Certificate, OrganisationHours

FONT = "DejaVu"
BRAND = (10, 79, 143)  # the site's blue (volunteer/static/css/app.css)
INK = (27, 31, 36)


def _span(first: date, last: date) -> str:
    if first == last:
        return str(format_date(first, "medium"))
    return f"{format_date(first, 'medium')} – {format_date(last, 'medium')}"


def _confirmation(row: OrganisationHours) -> str:
    who = ", ".join(row.confirmed_by) if row.confirmed_by else _("the organisation")
    if row.last_confirmed_on is None:
        return who
    return str(
        _("%(who)s, last on %(date)s", who=who, date=format_date(row.last_confirmed_on, "medium"))
    )


@contextmanager
def _fonts() -> Iterator[tuple[str, str]]:
    """Paths of the bundled regular and bold fonts (real files even from a zipped install)."""
    folder = files("volunteer.data").joinpath("fonts")
    with ExitStack() as stack:
        regular = stack.enter_context(as_file(folder.joinpath("DejaVuSans.ttf")))
        bold = stack.enter_context(as_file(folder.joinpath("DejaVuSans-Bold.ttf")))
        yield str(regular), str(bold)


def render_pdf(
    certificate: Certificate,
    *,
    code: str,
    verify_url: str,
    check_url: str,
    service: str,
    city: str,
    lang: str,
) -> bytes:
    """The whole document (A4, one page for a dozen organisations, more if needed)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    title = _("Certificate of volunteering")
    pdf.set_title(f"{title}: {certificate.holder}")
    pdf.set_author(service)
    pdf.set_creator(service)
    pdf.set_lang(lang)  # screen readers pick the right voice
    with _fonts() as (regular, bold):
        pdf.add_font(FONT, "", regular)
        pdf.add_font(FONT, "B", bold)
        pdf.add_page()
        width = pdf.epw

        def paragraph(text: str, line_height: float = 5.5) -> None:
            """Left-aligned across the page; what follows starts below it."""
            pdf.multi_cell(width, line_height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        pdf.set_text_color(*BRAND)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(width, 6, service, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "B", 22)
        pdf.cell(width, 12, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        pdf.set_font(FONT, "", 11)
        total = hours_text(certificate.total_minutes)
        n = len(certificate.organisations)
        paragraph(
            ngettext(
                "%(name)s has volunteered in %(city)s. One organisation has confirmed these hours:",
                "%(name)s has volunteered in %(city)s. %(num)d organisations have confirmed "
                "these hours:",
                n,
                name=certificate.holder,
                city=city,
            ),
            line_height=6,
        )
        pdf.ln(4)
        pdf.set_font(FONT, "", 9.5)
        heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BRAND)
        with pdf.table(
            col_widths=(34, 26, 12, 28),
            text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
            headings_style=heading,
            line_height=5.5,
            padding=1.5,
        ) as table:
            head = table.row()
            for label in (_("Organisation"), _("Period"), _("Hours"), _("Confirmed by")):
                head.cell(label)
            for org in certificate.organisations:
                row = table.row()
                row.cell(org.organisation)
                row.cell(
                    _span(org.first_day, org.last_day)
                    + "\n"
                    + ngettext("%(num)d entry", "%(num)d entries", org.entries)
                )
                row.cell(hours_text(org.minutes))
                row.cell(_confirmation(org))
            strong = FontFace(emphasis="BOLD")
            last = table.row()
            last.cell(_("Total"), colspan=2, style=strong)
            last.cell(total, style=strong)
            last.cell("")
        pdf.ln(6)
        pdf.set_font(FONT, "", 10)
        paragraph(
            _(
                "Only hours confirmed by the organisations are listed. Issued on %(date)s by "
                "%(service)s.",
                date=format_date(certificate.issued_on, "long"),
                service=service,
            )
        )
        pdf.ln(6)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(width, 6, _("Is this certificate genuine?"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        paragraph(
            _(
                "Anyone can check that this document is genuine: open the address below, or "
                "enter the code at %(url)s. The page shows the name, the total hours and the "
                "issue date, nothing else.",
                url=check_url,
            )
        )
        pdf.ln(2)
        pdf.set_text_color(*BRAND)
        pdf.multi_cell(width, 5, verify_url, link=verify_url, align="L", wrapmode=WrapMode.CHAR)
        pdf.set_text_color(*INK)
        pdf.ln(2)
        pdf.set_font(FONT, "", 8)
        pdf.multi_cell(
            width,
            4.5,
            _("Verification code: %(code)s", code=code),
            align="L",
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())
