"""Add German translations for untranslated strings to one area's catalogue.

    .venv/bin/python tools/add_translations.py AREA translations.json

``translations.json`` maps English message ids to German (for a plural message: the singular
id to ``["German singular", "German plural"]``). Only strings that no catalogue
translates yet are added, to ``volunteer/translations/AREA/de/LC_MESSAGES/messages.po``. What is
still missing afterwards is listed (``make messages`` lists it too).
"""

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from volunteer.platform.i18n_check import ROOT, extracted, untranslated


def main(area: str, *files: str) -> int:
    table: dict[str, str] = {}
    for name in files:
        table.update(json.loads(Path(name).read_text("utf-8")))
    po = ROOT / f"volunteer/translations/{area}/de/LC_MESSAGES/messages.po"
    if po.exists():
        with po.open("rb") as f:
            catalog = read_po(f)
    else:
        po.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale="de", project="Mitwirken", fuzzy=False)
    ids = {m.id if isinstance(m.id, str) else m.id[0]: m.id for m in extracted() if m.id}
    left = []
    for key, place in untranslated():
        if key in table:
            path, line = place.rsplit(":", 1)
            value = table[key]  # a list of [singular, plural] for plural messages
            string = tuple(value) if isinstance(value, list) else value
            catalog.add(ids[key], string, locations=[(path, int(line))])
        else:
            left.append((key, place))
    with po.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True)
    for key, place in left:
        print(f"missing\t{place}\t{key!r}")
    print(f"{len(left)} still untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *sys.argv[2:]))
