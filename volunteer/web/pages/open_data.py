"""The public open-data page: the anonymised export as CSV and JSON, its dictionary, its licence.

Everything comes from ``services/coordination/open_data.py`` (the rows, the suppression, the
fields); the CSV goes through the one CSV writer (``platform/spreadsheet.py``), so the German
file opens in German Excel. Public on purpose: nothing in it counts fewer than five people.
"""

from typing import Any

from flask import Response, current_app, jsonify, render_template

from volunteer.config import LICENCES
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.spreadsheet import csv_bytes
from volunteer.services.coordination import disclosure, open_data
from volunteer.web.pages import bp
from volunteer.web.templating import current_locale


def _licence() -> dict[str, str]:
    key = str(current_app.config["OPEN_DATA_LICENCE"])
    name, url = LICENCES[key]
    return {"id": key, "name": name, "url": url}


@bp.get("/offene-daten")
def open_data_page() -> Any:
    return render_template(
        "pages/open_data.html",
        licence=_licence(),
        months=open_data.MONTHS,
        threshold=disclosure.THRESHOLD,
    )


@bp.get("/offene-daten/datenlexikon")
def open_data_dictionary() -> Any:
    return render_template(
        "pages/open_data_dictionary.html", fields=open_data.FIELDS, licence=_licence()
    )


@bp.get("/offene-daten/mitwirken.csv")
def open_data_csv() -> Response:
    rows = open_data.rows(get_session(), now=now())
    keys = [f.key for f in open_data.FIELDS]
    return Response(
        csv_bytes(keys, [[r[k] for k in keys] for r in rows], locale=current_locale()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="mitwirken-offene-daten.csv"'},
    )


@bp.get("/offene-daten/mitwirken.json")
def open_data_json() -> Response:
    moment = now()
    return jsonify(
        {
            "licence": _licence(),
            "generated_at": moment.isoformat(timespec="seconds"),
            "fields": [
                {"key": f.key, "meaning": str(f.meaning), "unit": str(f.unit)}
                for f in open_data.FIELDS
            ],
            "rows": open_data.rows(get_session(), now=moment),
        }
    )
