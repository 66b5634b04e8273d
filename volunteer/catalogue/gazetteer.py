"""The offline gazetteer: the city, its boroughs, statistical districts, postcodes and place names.

Everything city-specific lives in ``volunteer/data/gazetteer/*.csv`` (see ``SOURCES.md`` there):
the city's name, bounding box, postcode range and service-area text are in ``city.csv``, so
swapping that directory re-targets the service to another city without code changes.

No polygons ship with the app (the source's licence is unverified, and they are not needed for
matching), so point-to-district assignment uses the nearest district centroid; see
:meth:`Gazetteer.nearest_district`.
"""

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cache, cached_property
from importlib.resources.abc import Traversable
from typing import Any

from volunteer.catalogue.reference import DATA, read_csv, split_list

GAZETTEER_DIR: Traversable = DATA / "gazetteer"

# Leading "10 Grumme" style references in the source CSVs.
_NUMBERED = re.compile(r"^\s*(\d+)\s+(.+?)\s*$")
# "Westenfeld 67%" items in plz.csv's share columns.
_SHARE = re.compile(r"^\s*(.+?)\s+(\d+(?:\.\d+)?)\s*%\s*$")
# Parenthesised source notes inside alias cells, e.g. "Engelsburg (part)".
_NOTE = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True, slots=True, kw_only=True)
class City:
    """The service area: one city, its bounding box and delivery-postcode range."""

    name: str
    state: str
    country_code: str
    timezone: str
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float
    postcode_min: str
    postcode_max: str
    service_area_de: str
    service_area_en: str

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies in the city's bounding box (a cheap stand-in for the polygon)."""
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def postcode_in_range(self, code: str) -> bool:
        """Whether a 5-digit code falls in the city's postcode range (known or not)."""
        return self.postcode_min <= code <= self.postcode_max

    def service_area(self, locale: str = "de") -> str:
        """A sentence explaining the service area, for "outside the service area" messages."""
        return self.service_area_en if locale.lower().startswith("en") else self.service_area_de


@dataclass(frozen=True, slots=True, kw_only=True)
class Area:
    """A numbered part of the city with its centroid and size: what boroughs and districts share."""

    number: int
    name: str
    lat: float
    lon: float
    area_km2: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Borough(Area):
    """A Stadtbezirk: the administrative level with its own council (Bezirksvertretung)."""

    short_name: str
    district_numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class District(Area):
    """A statistical district (statistischer Bezirk); ``lat``/``lon`` is its area centroid.

    ``aliases`` are the traditional Ortsteile and Viertel the sources place in it, so that people
    can type the name they use ("Ehrenfeld", "Sevinghausen") rather than the statistical one.
    """

    borough_number: int
    borough_name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Postcode:
    """A delivery postcode with its centroid and the district(s) it mostly covers.

    ``district_number`` is the district holding the largest share of the postcode's addresses
    (estimated from public POIs; see SOURCES.md) because that is where a resident most likely
    lives. ``centroid_district_number`` is the district that contains the centroid point itself;
    the two differ for postcodes that straddle districts (e.g. 44867 Westenfeld/Höntrop).
    """

    code: str
    lat: float
    lon: float
    district_number: int
    borough_number: int
    centroid_district_number: int
    district_shares: tuple[tuple[int, float], ...]
    population: int | None
    area_km2: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """Something a resident may type as a location, resolved to a point and a district."""

    name: str
    lat: float
    lon: float
    district_number: int
    kind: str  # "district", "ortsteil", "alias" or "borough"


def normalise_name(text: str) -> str:
    """Fold a place name for comparison: case, umlauts (ö -> oe), accents, punctuation.

    "Höntrop", "HOENTROP" and "Bochum-Höntrop" differ only in ways people do not care about.
    """
    folded = text.casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        folded = folded.replace(umlaut, spelled)
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


def _name_keys(name: str) -> set[str]:
    """The lookup keys for one name: umlauts spelled out, and dropped ("Hontrop")."""
    keys = {normalise_name(name)}
    keys.add(normalise_name(unicodedata.normalize("NFKD", name)))  # ö -> o + combining mark
    return {key for key in keys if key}


def _parse_numbered(cell: str) -> tuple[int, str] | None:
    match = _NUMBERED.match(cell)
    return (int(match.group(1)), match.group(2)) if match else None


def _optional_int(cell: str) -> int | None:
    digits = re.sub(r"[^\d]", "", cell)
    return int(digits) if digits else None


def _optional_float(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _squared_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular squared distance: exact enough for ranking points inside one city."""
    dx = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return dx * dx + (lat2 - lat1) ** 2


@dataclass(frozen=True, kw_only=True)
class Gazetteer:
    """The loaded gazetteer of one city. Immutable; build it with :func:`load_gazetteer`."""

    city: City
    boroughs: tuple[Borough, ...]
    districts: tuple[District, ...]
    postcodes: tuple[Postcode, ...]
    ortsteile: tuple[Place, ...]

    @cached_property
    def _districts_by_number(self) -> dict[int, District]:
        return {d.number: d for d in self.districts}

    @cached_property
    def _boroughs_by_number(self) -> dict[int, Borough]:
        return {b.number: b for b in self.boroughs}

    @cached_property
    def _postcodes_by_code(self) -> dict[str, Postcode]:
        return {p.code: p for p in self.postcodes}

    def district(self, number: int) -> District:
        """The district with this number; ``KeyError`` if there is none."""
        return self._districts_by_number[number]

    def borough(self, number: int) -> Borough:
        """The borough with this number; ``KeyError`` if there is none."""
        return self._boroughs_by_number[number]

    def postcode(self, code: str) -> Postcode | None:
        """The delivery postcode, or ``None`` if it is not one of this city's."""
        return self._postcodes_by_code.get(code.strip())

    def nearest_district(self, lat: float, lon: float) -> District:
        """The district whose centroid is nearest to the point.

        An approximation: without polygons a point near a border can land in the neighbour,
        and elongated districts (Stiepel, Langendreer) reach further than their centroid
        suggests. Good enough for statistics and "in my district" filters; distances for
        matching use the coordinates themselves.
        """
        return min(self.districts, key=lambda d: _squared_distance(lat, lon, d.lat, d.lon))

    @cached_property
    def place_index(self) -> dict[str, Place]:
        """Normalised name -> place, most specific source first.

        Order: official district names, their parts ("Bergen" from "Bergen/Hiltrop"),
        Ortsteile with their own coordinates, Viertel aliases, then boroughs. The first source
        to claim a name keeps it, so "Harpen" is the Harpen/Rosenberg district rather than the
        Wikipedia point, and "Wattenscheid" is the Wattenscheid-Mitte district (its centre)
        rather than the whole borough.
        """
        index: dict[str, Place] = {}

        def claim(names: Iterable[str], place: Place) -> None:
            for name in names:
                for key in _name_keys(name):
                    index.setdefault(key, place)

        def district_place(d: District, name: str, kind: str) -> Place:
            return Place(name=name, lat=d.lat, lon=d.lon, district_number=d.number, kind=kind)

        for d in self.districts:
            claim([d.name], district_place(d, d.name, "district"))
        for d in self.districts:
            parts = [part for part in re.split(r"[/,]", d.name) if part.strip() != d.name]
            claim(parts, district_place(d, d.name, "district"))
        for place in self.ortsteile:
            claim([place.name], place)
        for d in self.districts:
            for alias in d.aliases:
                claim([alias], district_place(d, f"{alias} ({d.name})", "alias"))
        for b in self.boroughs:
            nearest = self.nearest_district(b.lat, b.lon)
            place = Place(
                name=b.name, lat=b.lat, lon=b.lon, district_number=nearest.number, kind="borough"
            )
            claim([b.name, b.short_name, f"Stadtbezirk {b.short_name}"], place)
        return index

    def find_place(self, name: str, *, fuzzy: bool = True) -> Place | None:
        """Resolve a typed place name (any case, with or without umlauts or city prefix).

        With ``fuzzy``, a near miss of at least five letters ("Langendrer", "Stiepl") is
        accepted when one known name is clearly closest; short names must match exactly so
        "Ost" never becomes "Nord".
        """
        key = normalise_name(name)
        city = normalise_name(self.city.name)
        candidates = [
            c
            for c in dict.fromkeys(
                (key, key.removeprefix(city + " "), key.removesuffix(" " + city))
            )
            if c and c != city
        ]
        for candidate in candidates:
            if candidate in self.place_index:
                return self.place_index[candidate]
        if fuzzy:
            for candidate in candidates:
                if len(candidate) >= 5:
                    close = difflib.get_close_matches(candidate, self.place_index, n=1, cutoff=0.85)
                    if close:
                        return self.place_index[close[0]]
        return None


def _load_city(directory: Traversable) -> City:
    """``city.csv``: one row, one column per :class:`City` field and named like it."""
    (row,) = read_csv(directory / "city.csv")
    values: dict[str, Any] = {
        f.name: float(row[f.name]) if f.type is float else row[f.name] for f in fields(City)
    }
    return City(**values)


def _load_boroughs(directory: Traversable, city: City) -> tuple[Borough, ...]:
    boroughs = []
    for row in read_csv(directory / "stadtbezirke.csv"):
        members = (_parse_numbered(cell) for cell in split_list(row["statistical_districts"]))
        boroughs.append(
            Borough(
                number=int(row["stadtbezirk_nr"]),
                name=row["name"],
                short_name=row["name"].removeprefix(f"{city.name}-"),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                area_km2=float(row["area_km2_computed"]),
                district_numbers=tuple(member[0] for member in members if member),
            )
        )
    return tuple(boroughs)


def _load_districts(directory: Traversable) -> tuple[District, ...]:
    districts = []
    for row in read_csv(directory / "stadtteile.csv"):
        aliases = (
            _NOTE.sub("", alias).strip() for alias in split_list(row["aliases_ortsteile_viertel"])
        )
        districts.append(
            District(
                number=int(row["stat_bezirk_nr"]),
                name=row["name"],
                borough_number=int(row["stadtbezirk_nr"]),
                borough_name=row["stadtbezirk"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                area_km2=float(row["area_km2"]),
                aliases=tuple(dict.fromkeys(a for a in aliases if a)),
            )
        )
    return tuple(districts)


def _load_postcodes(
    directory: Traversable, districts: tuple[District, ...]
) -> tuple[Postcode, ...]:
    by_name = {d.name: d for d in districts}
    by_number = {d.number: d for d in districts}
    postcodes = []
    for row in read_csv(directory / "plz.csv"):
        centroid = _parse_numbered(row["centroid_in_stadtteil"])
        if centroid is None:
            raise ValueError(f"plz.csv: {row['plz']} has no centroid district")
        shares = []
        for item in split_list(row["main_stadtteile"]):
            match = _SHARE.match(item)
            if match and match.group(1) in by_name:
                shares.append((by_name[match.group(1)].number, float(match.group(2)) / 100))
        shares.sort(key=lambda share: -share[1])
        main = shares[0][0] if shares else centroid[0]
        postcodes.append(
            Postcode(
                code=row["plz"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                district_number=main,
                borough_number=by_number[main].borough_number,
                centroid_district_number=centroid[0],
                district_shares=tuple(shares),
                population=_optional_int(row.get("einwohner_zensus2011", "")),
                area_km2=_optional_float(row.get("area_km2", "")),
            )
        )
    return tuple(postcodes)


def _load_ortsteile(directory: Traversable, districts: tuple[District, ...]) -> tuple[Place, ...]:
    resource = directory / "ortsteile_wikipedia.csv"
    if not resource.is_file():  # optional: another city may have no such list
        return ()
    known = {d.number for d in districts}
    places = []
    for row in read_csv(resource):
        lat, lon = float(row["lat"]), float(row["lon"])
        located = _parse_numbered(row.get("point_in_stat_bezirk", ""))
        if located and located[0] in known:
            number = located[0]
        else:
            number = min(districts, key=lambda d: _squared_distance(lat, lon, d.lat, d.lon)).number
        places.append(
            Place(name=row["name"], lat=lat, lon=lon, district_number=number, kind="ortsteil")
        )
    return tuple(places)


def load_gazetteer(directory: Traversable = GAZETTEER_DIR) -> Gazetteer:
    """Read a gazetteer directory (the shipped one by default) and check its consistency."""
    city = _load_city(directory)
    boroughs = _load_boroughs(directory, city)
    districts = _load_districts(directory)
    borough_numbers = {b.number for b in boroughs}
    for d in districts:
        if d.borough_number not in borough_numbers:
            raise ValueError(f"district {d.number} {d.name}: unknown borough {d.borough_number}")
    return Gazetteer(
        city=city,
        boroughs=boroughs,
        districts=districts,
        postcodes=_load_postcodes(directory, districts),
        ortsteile=_load_ortsteile(directory, districts),
    )


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return load_gazetteer()
