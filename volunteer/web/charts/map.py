"""A district choropleth drawn on the server from the statistical districts' polygons.

``choropleth({district_number: value}, ...)`` returns an inline SVG: every district a shape
shaded by its value in five steps, a link (when ``link`` is given) whose accessible name says
the district and its value, and the value printed on the shape. The colours only repeat what the
numbers on the map and the table beside it say, so nothing is carried by colour alone. The
projection is equirectangular around the city's mean latitude: exact enough for one city, and
cheap. The shapes are read once per process from ``volunteer/data/gazetteer``.

Used by the district page (listed needs per district) and by the coordinators' maps.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from volunteer.catalogue.gazetteer import GAZETTEER_DIR

WIDTH = 600
STEPS = 5  # 0 and four equal bands up to the maximum

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Shape:
    number: int
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) outer ring(s) and holes


@cache
def district_shapes() -> tuple[Shape, ...]:
    """The city's statistical districts as polygons (GeoJSON, see SOURCES.md)."""
    data = json.loads((GAZETTEER_DIR / "statistische_bezirke.geojson").read_text("utf-8"))
    out = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else list(geometry["coordinates"])
        )
        rings = tuple(
            tuple((float(x), float(y)) for x, y, *_ in ring) for p in polygons for ring in p
        )
        props = feature["properties"]
        out.append(Shape(int(props["number"]), str(props["name"]), rings))
    return tuple(sorted(out, key=lambda s: s.number))


@dataclass(frozen=True)
class _Frame:
    """Projection of lon/lat into the SVG's user units."""

    min_x: float
    max_y: float
    k: float
    scale: float
    height: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon * self.k - self.min_x) * self.scale, (self.max_y - lat) * self.scale)


@cache
def _frame() -> _Frame:
    points = [pt for s in district_shapes() for ring in s.rings for pt in ring]
    lat0 = sum(lat for _, lat in points) / len(points)
    k = math.cos(math.radians(lat0))
    xs = [lon * k for lon, _ in points]
    ys = [lat for _, lat in points]
    scale = WIDTH / (max(xs) - min(xs))
    return _Frame(min(xs), max(ys), k, scale, (max(ys) - min(ys)) * scale)


def _path(shape: Shape, frame: _Frame) -> str:
    parts = []
    for ring in shape.rings:
        pts = [frame.point(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
    return "".join(parts)


def _centre(shape: Shape, frame: _Frame) -> tuple[float, float]:
    """The area centroid of the outer ring (inside for all of Bochum's districts)."""
    pts = [frame.point(lon, lat) for lon, lat in shape.rings[0]]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        return pts[0]
    return cx / (3 * a), cy / (3 * a)


@cache
def _drawn() -> dict[int, tuple[str, tuple[float, float]]]:
    """Each district's SVG path and label point, projected once per process: the shapes never
    change, and projecting their thousands of points took most of a map's 10 ms."""
    frame = _frame()
    return {s.number: (_path(s, frame), _centre(s, frame)) for s in district_shapes()}


def step_of(value: float, maximum: float) -> int:
    """0 for nothing, else 1..4 in equal bands up to the maximum."""
    if value <= 0 or maximum <= 0:
        return 0
    return min(STEPS - 1, 1 + int((value / maximum) * (STEPS - 1) - 1e-9))


def bands(maximum: float) -> list[tuple[int, float, float]]:
    """(step, low, high) of each band above zero, for a legend."""
    width = maximum / (STEPS - 1) if maximum > 0 else 0
    return [(i, (i - 1) * width, i * width) for i in range(1, STEPS)] if width else []


def choropleth(
    values: Mapping[int, float],
    *,
    title: str,
    label: Callable[[str, float], str],
    show: Callable[[float], str],
    link: Callable[[int], str] | None = None,
) -> Markup:
    """The map as inline SVG.

    ``values`` maps district numbers to values (missing districts count as 0); ``label(name,
    value)`` is each district's accessible name ("Grumme: 3 Angebote"); ``show(value)`` the short
    text printed on the shape; ``link(number)`` the URL a district leads to.
    """
    frame, drawn = _frame(), _drawn()
    maximum = max(values.values(), default=0.0)
    height = math.ceil(frame.height)
    out = [
        f'<svg class="district-choropleth" viewBox="0 0 {WIDTH} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    labels = []
    for shape in district_shapes():
        value = float(values.get(shape.number, 0.0))
        step = step_of(value, maximum)
        name = label(shape.name, value)
        path = (
            f'<path class="map-step-{step}" d="{drawn[shape.number][0]}">'
            f"<title>{escape(name)}</title></path>"
        )
        if link is not None:
            out.append(
                f'<a href="{escape(link(shape.number))}" aria-label="{escape(name)}">{path}</a>'
            )
        else:
            out.append(path)
        x, y = drawn[shape.number][1]
        labels.append(
            f'<text class="map-value map-value-{step}" x="{x:.1f}" y="{y + 5:.1f}" '
            f'aria-hidden="true">{escape(show(value))}</text>'
        )
    out.extend(labels)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above
