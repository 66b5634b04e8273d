"""The volunteer downloads her certificate; anyone checks a code.

The verification pages are public and show only what the code itself vouches for. A wrong or
altered code gets a friendly "not genuine" page with status 404, the same for every kind of
wrong, so the page tells a forger nothing about why.
"""

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.signing import app_secret
from volunteer.services.engagement import certificate
from volunteer.web.certificates import bp
from volunteer.web.certificates.forms import VerifyForm
from volunteer.web.forms import form_status
from volunteer.web.helpers import acting_user, attachment, public_url


@bp.get("/ich/engagementnachweis.pdf")
@login_required
def download() -> Any:
    # fpdf (with fontTools and Pillow) is imported by the one view that draws a PDF: at module
    # level every process that builds the app paid ~0.5 s of CPU for it (each CLI command, each
    # gunicorn worker), though most never draw one.
    from volunteer.web.certificates.document import render_pdf

    user = acting_user()
    found = certificate.certificate_for(get_session(), user, now=now())
    if found is None:
        return render_template("certificates/nothing_yet.html")
    code = certificate.verification_code(found, secret=app_secret())
    # The document is in the person's language, whatever language the page was in.
    with force_locale(user.locale):
        body = render_pdf(
            found,
            code=code,
            verify_url=public_url("certificates.verify", code=code),
            check_url=public_url("certificates.check"),
            service=_("Mitwirken in %(city)s", city=current_app.config["CITY_NAME"]),
            city=str(current_app.config["CITY_NAME"]),
            lang=user.locale,
        )
        stem = _("certificate-of-volunteering")  # the file name, in the document's language
        name = f"{stem}-{found.issued_on.isoformat()}.pdf"
    return attachment(body, name, "application/pdf", personal=True)


@bp.get("/nachweis/pruefen")
def check() -> Any:
    form = VerifyForm(request.args)
    if "code" in request.args and form.validate():
        # A whole pasted address works too: the code is its last part.
        code = (form.code.data or "").strip().split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/check.html", form=form), form_status(form)


@bp.get("/nachweis/<code>")
def verify(code: str) -> Any:
    statement = certificate.read_code(code, secret=app_secret())
    if statement is None:
        return render_template("certificates/not_genuine.html", form=VerifyForm(formdata=None)), 404
    return render_template("certificates/genuine.html", statement=statement)
