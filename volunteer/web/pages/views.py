from datetime import date, timedelta
from typing import Any

from flask import abort, current_app, make_response, redirect, render_template, request
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import text

from volunteer.catalogue.reference import load_causes
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.i18n import LANG_COOKIE
from volunteer.services.accounts import retention
from volunteer.services.accounts.account import set_locale
from volunteer.services.accounts.consents import PRIVACY
from volunteer.services.discovery.cards import card_hits
from volunteer.services.discovery.stats import home_figures, urgent_need_ids
from volunteer.services.permissions import is_coordinator
from volunteer.web.helpers import acting_user, commit_work, safe_next
from volunteer.web.pages import bp
from volunteer.web.templating import current_locale
from volunteer.web.wording.consents import VERSIONS


@bp.get("/")
def home() -> Any:
    db = get_session()
    moment = now()
    return render_template(
        "pages/home.html",
        figures=home_figures(db, now=moment),
        urgent=card_hits(db, urgent_need_ids(db, now=moment), now=moment),
    )


@bp.get("/barrierefreiheit")
def accessibility() -> Any:
    """The EU model statement; status, date and method are configuration (ACCESSIBILITY_*)."""
    config = current_app.config
    return render_template(
        "pages/accessibility.html",
        evaluated_on=format_date(
            date.fromisoformat(str(config["ACCESSIBILITY_EVALUATED_ON"])), "long"
        ),
        statement_on=format_date(
            date.fromisoformat(str(config["ACCESSIBILITY_STATEMENT_ON"])), "long"
        ),
    )


@bp.get("/datenschutz")
def privacy() -> Any:
    """The privacy notice quotes the retention periods the nightly rule enforces, from the same
    configuration, and the date of the version recorded with every privacy consent."""
    return render_template(
        "pages/privacy.html",
        periods=retention.Periods.from_config(current_app.config),
        version_date=format_date(date.fromisoformat(VERSIONS[PRIVACY]), "long"),
    )


@bp.get("/impressum")
def imprint() -> Any:
    return render_template("pages/imprint.html")


@bp.get("/stil")
def style_guide() -> Any:
    """Every component of the design system on one page, for developers.

    Shown in debug mode and to coordinators (who review the service's look); for everyone else
    the page does not exist.
    """
    if not (current_app.debug or is_coordinator(current_user)):
        abort(404)
    locale = current_locale()
    return render_template(
        "pages/style_guide.html",
        causes=[(c.slug, c.label(locale)) for c in load_causes()],
        sample_date=now() + timedelta(days=3),
    )


@bp.post("/sprache")
def set_language() -> Any:
    """Switch the language; remembered on the account, or in a cookie for visitors."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        commit_work(lambda: set_locale(get_session(), acting_user(), lang))
    response = make_response(redirect(safe_next()))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@bp.get("/healthz")
def healthz() -> Any:
    """For load balancers and the Docker HEALTHCHECK: the database must answer."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception as exc:  # any failure means unhealthy, whatever its class
        current_app.logger.warning("health check failed: %s", exc)
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
