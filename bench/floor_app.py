"""The floor of the load benchmark: a minimal Flask app rendering a small Jinja template.

Served by gunicorn with the same settings as ``volunteer serve`` (``bench/load_bench.py`` starts
both), it measures what the server, the framework and a template cost on this machine, so each
page of the real app can be stated as a share of it.
"""

from flask import Flask, render_template_string

PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body></html>"""

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return render_template_string(
        PAGE, title="Mitwirken", items=[f"Eintrag {i}" for i in range(10)]
    )
