"""An offline district map: a dot map drawn from the gazetteer's centroids, no tile server.

Each district is a circle at its centroid (projected equirectangularly, which is exact enough for
one city), sized by the number of listed needs, and a link to the search filtered to it. Colour
only repeats what the label and the list next to the map say (never information by colour alone).
"""

import math
from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from volunteer.catalogue.gazetteer import Gazetteer
from volunteer.models import District

WIDTH, HEIGHT, PAD = 640, 560, 40
CHAR_W, LINE_H = 6.6, 13.0  # approximate extent of a 12 px label, for collision checks

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_label(
    x: float, y: float, r: float, text: str, taken: list[Box]
) -> tuple[float, float, str]:
    """Below, above, right or left of the circle: the first spot that hides no other label or
    circle (the busy city centre would otherwise print names over each other)."""
    w = len(text) * CHAR_W
    spots = [
        (x, y + r + 11, "middle", (x - w / 2, y + r + 1, x + w / 2, y + r + 1 + LINE_H)),
        (x, y - r - 4, "middle", (x - w / 2, y - r - 4 - LINE_H, x + w / 2, y - r - 4)),
        (x + r + 3, y + 4, "start", (x + r + 3, y - LINE_H / 2, x + r + 3 + w, y + LINE_H / 2)),
        (x - r - 3, y + 4, "end", (x - r - 3 - w, y - LINE_H / 2, x - r - 3, y + LINE_H / 2)),
    ]
    for lx, ly, anchor, box in spots:
        if not any(_overlaps(box, other) for other in taken):
            taken.append(box)
            return lx, ly, anchor
    lx, ly, anchor, box = spots[0]
    taken.append(box)
    return lx, ly, anchor


def district_map(counts: Sequence[tuple[District, int]], gazetteer: Gazetteer) -> Markup:
    if not counts:
        return Markup("")
    lat0 = sum(d.lat for d, _n in counts) / len(counts)
    k = math.cos(math.radians(lat0))
    xs = [d.lon * k for d, _n in counts]
    ys = [d.lat for d, _n in counts]
    x_span = (max(xs) - min(xs)) or 1.0
    y_span = (max(ys) - min(ys)) or 1.0
    scale = min((WIDTH - 2 * PAD) / x_span, (HEIGHT - 2 * PAD) / y_span)
    top = max(ys) + ((HEIGHT - 2 * PAD) / scale - y_span) / 2
    left = min(xs) - ((WIDTH - 2 * PAD) / scale - x_span) / 2
    biggest = max((n for _d, n in counts), default=0) or 1
    title = _("Map of the districts with the number of opportunities")
    parts = [
        f'<svg class="district-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="map-title">',
        f'<title id="map-title">{escape(title)}</title>',
    ]
    dots = []
    for district, n in counts:
        x = PAD + (district.lon * k - left) * scale
        y = PAD + (top - district.lat) * scale
        dots.append((district, n, x, y, 9 + 15 * math.sqrt(n / biggest)))
    taken: list[Box] = [(x - r, y - r, x + r, y + r) for _d, _n, x, y, r in dots]
    for district, n, x, y, r in dots:
        # The first part of a double name ("Wiemelhausen/Brenschede") keeps labels short; the
        # full name is in the link's label and in the list beside the map.
        short = district.name.split("/")[0]
        lx, ly, anchor = _place_label(x, y, r, short, taken)
        label = ngettext(
            "%(name)s: %(num)d opportunity",
            "%(name)s: %(num)d opportunities",
            n,
            name=district.name,
        )
        href = url_for("opportunities.index", district=district.number)
        css = "dot dot-some" if n else "dot dot-none"
        parts.append(
            f'<a href="{escape(href)}" aria-label="{escape(label)}">'
            f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
            f'<text class="dot-count" x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">{n}</text>'
            f'<text class="dot-name" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
            f"{escape(short)}</text></a>"
        )
    parts.append("</svg>")
    # Every interpolated text above went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704
