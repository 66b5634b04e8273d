"""Which user-facing strings lack a German translation (``make messages``; also a test).

Message ids are English. Each area keeps its own catalogue in
``volunteer/translations/<area>/de/LC_MESSAGES/messages.po``; together they must cover every
string in ``volunteer/``, ``notifications/`` and ``templates/``.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_ngettext": (1, 2),
}
METHODS = [
    ("volunteer/**.py", "python"),
    ("notifications/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n"},
    "templates/**.txt": {"extensions": "jinja2.ext.i18n"},
}


def extracted() -> Catalog:
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, METHODS, OPTIONS, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def german_catalogues() -> list[Catalog]:
    catalogues = []
    for po in sorted((ROOT / "volunteer/translations").glob("*/de/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalogues.append(read_po(f))
    return catalogues


def untranslated() -> list[tuple[str, str]]:
    """(message id, first place it is used) for every string without a German translation."""
    catalogues = german_catalogues()
    missing = []
    for message in extracted():
        if not message.id:
            continue
        found = False
        for cat in catalogues:
            t = cat.get(message.id, context=message.context)
            if (
                t is not None
                and t.string
                and not t.fuzzy
                and (not isinstance(t.string, tuple) or all(t.string))
            ):
                found = True
                break
        if not found:
            key = message.id if isinstance(message.id, str) else message.id[0]
            place = f"{message.locations[0][0]}:{message.locations[0][1]}"
            missing.append((key, place))
    return missing


def disagreements() -> dict[str, dict[str, str]]:
    """Message ids that two areas translate differently: {message id: {area: German}}.

    Flask-Babel merges the areas' catalogues and the last one read wins, so two translations of
    one message id would make the German a matter of directory order. Where the meaning really
    differs, the message needs its own id or a ``pgettext`` context, not a second translation.
    """
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for po in sorted((ROOT / "volunteer/translations").glob("*/de/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalogue = read_po(f)
        area = po.parts[-4]
        for message in catalogue:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            german = (
                message.string if isinstance(message.string, str) else " | ".join(message.string)
            )
            seen.setdefault((message.context, key), {})[area] = german
    return {
        (key if context is None else f"{context}|{key}"): areas
        for (context, key), areas in seen.items()
        if len(set(areas.values())) > 1
    }


if __name__ == "__main__":
    for key, areas in disagreements().items():
        print(f"{key!r} translated differently: {areas}")
    rows = untranslated()
    for key, place in rows:
        print(f"{place}\t{key!r}")
    print(f"{len(rows)} untranslated")
