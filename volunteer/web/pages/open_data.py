"""The public open-data page: the anonymised export as CSV and JSON, its dictionary, its licence.

Everything comes from ``services/coordination/open_data.py`` (the rows, the suppression, the
fields). The rows are the snapshot the scheduler stored (:func:`open_data.latest`), never computed
here: a public URL must not be a way to make the service do seconds of work. Before the first
snapshot the page says the data are being prepared and the files answer 202 with the same words
and a ``Retry-After``. The CSV goes through the one CSV writer (``platform/spreadsheet.py``),
so the German file opens in German Excel. Public on purpose: nothing in it counts fewer than five
people.
"""

from typing import Any

from flask import Response, current_app, jsonify, render_template
from flask_babel import gettext as _

from volunteer.config import LICENCES
from volunteer.platform.db import get_session
from volunteer.platform.spreadsheet import csv_bytes
from volunteer.services.coordination import disclosure, open_data
from volunteer.web.helpers import attachment
from volunteer.web.pages import bp
from volunteer.web.templating import current_locale


def _licence() -> dict[str, str]:
    key = str(current_app.config["OPEN_DATA_LICENCE"])
    name, url = LICENCES[key]
    return {"id": key, "name": name, "url": url}


# Seconds a client should wait before asking again while the first snapshot is computed.
RETRY_AFTER = 300


def _preparing() -> str:
    return str(
        _(
            "The open data are being prepared: they are computed in the background shortly "
            "after the service starts and then every hour. Please try again in a few minutes."
        )
    )


@bp.get("/offene-daten")
def open_data_page() -> Any:
    snapshot = open_data.latest(get_session())
    return render_template(
        "pages/open_data.html",
        licence=_licence(),
        months=open_data.MONTHS,
        threshold=disclosure.THRESHOLD,
        computed_at=snapshot.computed_at if snapshot else None,
        preparing=_preparing(),
    )


@bp.get("/offene-daten/datenlexikon")
def open_data_dictionary() -> Any:
    return render_template(
        "pages/open_data_dictionary.html", fields=open_data.FIELDS, licence=_licence()
    )


@bp.get("/offene-daten/mitwirken.csv")
def open_data_csv() -> Response:
    snapshot = open_data.latest(get_session())
    if snapshot is None:
        return Response(
            _preparing(), 202, mimetype="text/plain", headers={"Retry-After": str(RETRY_AFTER)}
        )
    keys = [f.key for f in open_data.FIELDS]
    return attachment(
        csv_bytes(keys, [[r[k] for k in keys] for r in snapshot.rows], locale=current_locale()),
        "mitwirken-offene-daten.csv",
        "text/csv",
    )


@bp.get("/offene-daten/mitwirken.json")
def open_data_json() -> Response:
    snapshot = open_data.latest(get_session())
    if snapshot is None:
        response = jsonify({"status": "preparing", "message": _preparing()})
        response.status_code = 202
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    return jsonify(
        {
            "licence": _licence(),
            "generated_at": snapshot.computed_at.isoformat(timespec="seconds"),
            "fields": [
                {"key": f.key, "meaning": str(f.meaning), "unit": str(f.unit)}
                for f in open_data.FIELDS
            ],
            "rows": snapshot.rows,
        }
    )
