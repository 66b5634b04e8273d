"""Turn what a resident types ("44869", "Höntrop", "Kortumstr. 5, 44787 Bochum") into a point.

The service must work offline, so the default :class:`GazetteerGeocoder` resolves postcodes and
place names from the shipped gazetteer to centroids. :class:`GeopyGeocoder` may be switched on by
configuration for street-level precision; it is never required and never called in tests, where
:class:`FakeGeocoder` stands in. Pick one with :func:`make_geocoder`.

Failures are a :class:`GeocodeError` carrying a stable ``reason`` code; the web layer translates
the code (and, for ``outside_service_area``, shows :meth:`City.service_area`).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from volunteer.catalogue.gazetteer import Gazetteer, default_gazetteer, normalise_name

Precision = Literal["postcode", "district", "address"]
GeocodeReason = Literal["unknown_postcode", "outside_service_area", "not_understood"]

# No address is longer; bounding the input keeps fuzzy matching cheap whatever is pasted in.
MAX_QUERY_LENGTH = 200
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_NEAR_POSTCODE = re.compile(r"(?<![\d.,])(\d{4}|\d{6})(?![\d.,])")
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}\.\d+)\s*[,; ]\s*(-?\d{1,3}\.\d+)\s*$")
_HOUSE_NUMBER = re.compile(r"\b\d{1,4}\s?[a-zA-Z]?\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoResult:
    """Where a query was placed, and how precisely (the UI says "near 44787" vs. the address)."""

    lat: float
    lon: float
    district_number: int
    postcode: str | None
    precision: Precision
    label: str


class GeocodeError(ValueError):
    """The query could not be placed in the service area; ``reason`` says why (for translation)."""

    def __init__(self, reason: GeocodeReason, query: str, *, postcode: str | None = None) -> None:
        super().__init__(f"{reason}: {query!r}")
        self.reason: GeocodeReason = reason
        self.query = query
        self.postcode = postcode


class Geocoder(Protocol):
    """Resolve a free-text location.

    Returns ``None`` for a blank query (the field was left empty, which is not an error), a
    :class:`GeoResult` when placed, and raises :class:`GeocodeError` otherwise.
    """

    def geocode(self, query: str) -> GeoResult | None: ...


def is_german_postcode(code: str) -> bool:
    """Five digits, and not in the unused 00xxx range (German PLZ run 01001-99998)."""
    return len(code) == 5 and code.isdigit() and not code.startswith("00")


class GazetteerGeocoder:
    """Offline geocoder: postcodes and place names to centroids, from the shipped gazetteer.

    Street addresses are reduced to their postcode ("Kortumstr. 5, 44787 Bochum" -> 44787), so the
    precision is "postcode" or "district", never "address".
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()

    def geocode(self, query: str) -> GeoResult | None:
        """Place the query or raise :class:`GeocodeError`; see :class:`Geocoder`."""
        text = " ".join(query.split())
        if not text:
            return None
        if len(text) > MAX_QUERY_LENGTH:
            raise GeocodeError("not_understood", query[:MAX_QUERY_LENGTH])
        if match := _COORDINATES.match(text):
            return self.point(float(match.group(1)), float(match.group(2)), query)
        codes = _POSTCODE.findall(text)
        if codes:
            return self._postcode(codes, query)
        place = self._place(text)
        if place is not None:
            return place
        words = re.sub(re.escape(self.gazetteer.city.name), " ", text, flags=re.IGNORECASE)
        if _NEAR_POSTCODE.search(text) and not re.search(r"[^\W\d_]{3,}", words):
            # Only digits, and not five of them: a mistyped postcode rather than prose.
            raise GeocodeError("unknown_postcode", query)
        raise GeocodeError("not_understood", query)

    def result_for_postcode(self, code: str) -> GeoResult | None:
        """The centroid result for one of the city's postcodes, or ``None``."""
        postcode = self.gazetteer.postcode(code)
        if postcode is None:
            return None
        district = self.gazetteer.district(postcode.district_number)
        return GeoResult(
            lat=postcode.lat,
            lon=postcode.lon,
            district_number=district.number,
            postcode=postcode.code,
            precision="postcode",
            label=f"{postcode.code} {self.gazetteer.city.name} ({district.name})",
        )

    def _postcode(self, codes: list[str], query: str) -> GeoResult:
        for code in codes:
            if (result := self.result_for_postcode(code)) is not None:
                return result
        code = codes[0]
        city = self.gazetteer.city
        if is_german_postcode(code) and not city.postcode_in_range(code):
            raise GeocodeError("outside_service_area", query, postcode=code)
        raise GeocodeError("unknown_postcode", query, postcode=code)

    def _place(self, text: str) -> GeoResult | None:
        # Try the whole text, then each comma-separated part from the end ("Hauptstr. 3, Weitmar")
        # with house numbers removed, so a street name never shadows the district.
        parts = [text, *reversed(text.split(","))]
        for part in parts:
            for candidate in (part, _HOUSE_NUMBER.sub(" ", part)):
                place = self.gazetteer.find_place(candidate)
                if place is not None:
                    return GeoResult(
                        lat=place.lat,
                        lon=place.lon,
                        district_number=place.district_number,
                        postcode=None,
                        precision="district",
                        label=self._label(place.name),
                    )
        return None

    def _label(self, name: str) -> str:
        city = self.gazetteer.city.name
        return name if name.startswith(city) else f"{city}-{name}"

    def point(self, lat: float, lon: float, query: str) -> GeoResult:
        """A point at street precision: in the city's box, in the district nearest to it (the one
        rule for typed coordinates and for what a street-level geocoder found)."""
        if not self.gazetteer.city.contains(lat, lon):
            raise GeocodeError("outside_service_area", query)
        district = self.gazetteer.nearest_district(lat, lon)
        return GeoResult(
            lat=lat,
            lon=lon,
            district_number=district.number,
            postcode=None,
            precision="address",
            label=f"{lat:.5f}, {lon:.5f} ({district.name})",
        )


class GeopyGeocoder:
    """Street-level geocoding through a Nominatim server (geopy), with the gazetteer first.

    Optional (the ``geocoder`` extra) and off by default: the public Nominatim allows one request
    a second and needs a real ``user_agent``; a city running its own instance sets ``domain``.
    Postcodes, place names and out-of-area postcodes are answered offline without a request. When
    the network fails or finds nothing in the city, the offline answer (if any) is returned, so
    switching this on can never make the form worse.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        timeout: float = 5.0,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        # Imported here so the app starts without geopy installed when this is not configured.
        from geopy.geocoders import Nominatim

        self.offline = GazetteerGeocoder(gazetteer)
        # geopy ships no type information.
        self.nominatim: Any = Nominatim(user_agent=user_agent, domain=domain, timeout=timeout)

    def geocode(self, query: str) -> GeoResult | None:
        """Place the query or raise :class:`GeocodeError`; see :class:`Geocoder`."""
        try:
            offline: GeoResult | None = self.offline.geocode(query)
        except GeocodeError as error:
            if error.reason != "not_understood":
                raise
            offline = None
        if offline is None and not query.strip():
            return None
        if offline is not None and not self._looks_like_street_address(query):
            return offline
        online = self._lookup(query)
        if online is not None:
            return online
        if offline is not None:
            return offline
        raise GeocodeError("not_understood", query)

    @staticmethod
    def _looks_like_street_address(query: str) -> bool:
        """Letters and a house number: worth a network request for street precision."""
        without_postcode = _POSTCODE.sub(" ", query)
        return bool(re.search(r"[^\W\d_]{3,}", without_postcode)) and bool(
            _HOUSE_NUMBER.search(without_postcode)
        )

    def _lookup(self, query: str) -> GeoResult | None:
        from geopy.exc import GeopyError

        city = self.offline.gazetteer.city
        try:
            location = self.nominatim.geocode(
                query,
                exactly_one=True,
                addressdetails=True,
                country_codes=city.country_code.lower(),
                viewbox=[(city.min_lat, city.min_lon), (city.max_lat, city.max_lon)],
                bounded=True,
            )
        except GeopyError:
            return None
        if location is None:
            return None
        try:
            placed = self.offline.point(location.latitude, location.longitude, query)
        except GeocodeError:  # found, but outside the city: the offline answer stands
            return None
        postcode = str((location.raw or {}).get("address", {}).get("postcode") or "") or None
        return replace(placed, postcode=postcode, label=str(location.address))


class FakeGeocoder:
    """A dict-backed geocoder for tests: answers from ``results`` and records every query.

    Keys are matched case- and umlaut-insensitively; a value may be a :class:`GeocodeError` to
    raise. Unknown non-blank queries raise ``not_understood``, like the real ones.
    """

    def __init__(self, results: Mapping[str, GeoResult | GeocodeError] | None = None) -> None:
        self.results = {normalise_name(key): value for key, value in (results or {}).items()}
        self.queries: list[str] = []

    def geocode(self, query: str) -> GeoResult | None:
        """Answer from the table; see :class:`Geocoder`."""
        self.queries.append(query)
        if not query.strip():
            return None
        answer = self.results.get(normalise_name(query))
        if answer is None:
            raise GeocodeError("not_understood", query)
        if isinstance(answer, GeocodeError):
            raise answer
        return answer


def make_geocoder(config: Mapping[str, Any]) -> Geocoder:
    """Build the geocoder the configuration names.

    Keys: ``GEOCODER`` ("gazetteer", the default, or "nominatim"), and for Nominatim
    ``GEOCODER_USER_AGENT`` (required by its usage policy), ``GEOCODER_DOMAIN``,
    ``GEOCODER_TIMEOUT``.
    """
    kind = str(config.get("GEOCODER") or "gazetteer").lower()
    if kind == "gazetteer":
        return GazetteerGeocoder()
    if kind == "nominatim":
        user_agent = config.get("GEOCODER_USER_AGENT")
        if not user_agent:
            raise ValueError("GEOCODER=nominatim needs GEOCODER_USER_AGENT (Nominatim policy)")
        return GeopyGeocoder(
            user_agent=str(user_agent),
            domain=str(config.get("GEOCODER_DOMAIN") or "nominatim.openstreetmap.org"),
            timeout=float(config.get("GEOCODER_TIMEOUT") or 5.0),
        )
    raise ValueError(f"unknown GEOCODER {kind!r}: use 'gazetteer' or 'nominatim'")
