"""Geocoding what residents type, offline; and the fake and network twins' contracts."""

import pytest

from volunteer.catalogue.gazetteer import default_gazetteer
from volunteer.catalogue.geocoding import (
    FakeGeocoder,
    GazetteerGeocoder,
    GeocodeError,
    GeopyGeocoder,
    GeoResult,
    make_geocoder,
)


@pytest.fixture
def geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


def district_name(number: int) -> str:
    return default_gazetteer().district(number).name


@pytest.mark.parametrize(
    ("query", "postcode", "district"),
    [
        ("44787", "44787", "Gleisdreieck"),
        (" 44869 ", "44869", "Höntrop"),
        ("Kortumstraße 5, 44787 Bochum", "44787", "Gleisdreieck"),
        ("Auf dem Kalwes 3a 44801 Bochum-Querenburg", "44801", "Querenburg"),
        ("44892 Bochum", "44892", "Langendreer"),
    ],
)
def test_a_bochum_postcode_resolves_to_its_centroid(geocoder, query, postcode, district) -> None:
    result = geocoder.geocode(query)
    assert result is not None
    assert result.precision == "postcode"
    assert result.postcode == postcode
    assert district_name(result.district_number) == district
    known = default_gazetteer().postcode(postcode)
    assert known is not None
    assert (result.lat, result.lon) == (known.lat, known.lon)


@pytest.mark.parametrize(
    ("query", "district"),
    [
        ("Höntrop", "Höntrop"),
        ("höntrop", "Höntrop"),
        ("Hoentrop", "Höntrop"),
        ("HONTROP", "Höntrop"),
        ("Bochum-Höntrop", "Höntrop"),
        ("Weitmar", "Weitmar-Mitte"),
        ("Sevinghausen", "Höntrop"),
        ("Ehrenfeld", "Südinnenstadt"),
        ("Hiltrop", "Bergen/Hiltrop"),
        ("Wiemelhausen", "Wiemelhausen/Brenschede"),
        ("Wattenscheid", "Wattenscheid-Mitte"),
        ("Langendrer", "Langendreer"),
        ("Hauptstraße 12, Stiepel", "Stiepel"),
    ],
)
def test_a_district_or_ortsteil_name_resolves_to_a_district(geocoder, query, district) -> None:
    result = geocoder.geocode(query)
    assert result is not None
    assert result.precision == "district"
    assert result.postcode is None
    assert district_name(result.district_number) == district


def test_an_ortsteil_resolves_to_its_own_point_not_the_district_centroid(geocoder) -> None:
    result = geocoder.geocode("Weitmar")
    assert result is not None
    assert (result.lat, result.lon) == (51.4522, 7.1922)


def test_a_borough_name_resolves_to_the_borough_centroid(geocoder) -> None:
    result = geocoder.geocode("Bochum-Süd")
    sued = default_gazetteer().borough(5)
    assert result is not None
    assert (result.lat, result.lon) == (sued.lat, sued.lon)
    assert default_gazetteer().district(result.district_number).borough_number == 5


def test_coordinates_inside_the_city_resolve_to_the_nearest_district(geocoder) -> None:
    result = geocoder.geocode("51.4818, 7.2172")
    assert result is not None
    assert result.precision == "address"
    assert district_name(result.district_number) == "Gleisdreieck"


def test_a_blank_query_is_not_an_error(geocoder) -> None:
    assert geocoder.geocode("   ") is None


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("44788", "unknown_postcode"),
        ("00123", "unknown_postcode"),
        ("4478", "unknown_postcode"),
        ("447870", "unknown_postcode"),
        ("45127", "outside_service_area"),
        ("Rüttenscheider Str. 1, 45130 Essen", "outside_service_area"),
        ("10115 Berlin", "outside_service_area"),
        ("52.52, 13.40", "outside_service_area"),
        ("Kortumstraße 5", "not_understood"),
        ("Bochum", "not_understood"),
        ("'; DROP TABLE users; --", "not_understood"),
        ("x" * 5000, "not_understood"),
    ],
)
def test_what_cannot_be_placed_raises_a_reason_code(geocoder, query, reason) -> None:
    with pytest.raises(GeocodeError) as raised:
        geocoder.geocode(query)
    assert raised.value.reason == reason


def test_an_out_of_area_postcode_is_reported_with_the_service_area(geocoder) -> None:
    with pytest.raises(GeocodeError) as raised:
        geocoder.geocode("45127 Essen")
    assert raised.value.postcode == "45127"
    city = default_gazetteer().city
    assert "44787" in city.service_area("de") and "44894" in city.service_area("en")


@pytest.mark.parametrize(
    ("lat", "lon", "district"),
    [(51.4818, 7.2172, "Gleisdreieck"), (51.4264, 7.2334, "Stiepel"), (51.52, 7.29, "Gerthe")],
)
def test_district_for_point_is_the_nearest_centroid(lat, lon, district) -> None:
    assert default_gazetteer().nearest_district(lat, lon).name == district


def test_every_district_centroid_is_its_own_nearest_district() -> None:
    for district in default_gazetteer().districts:
        assert default_gazetteer().nearest_district(district.lat, district.lon) == district


def test_the_fake_answers_from_its_table_and_records_queries() -> None:
    home = GeoResult(
        lat=51.48, lon=7.21, district_number=11, postcode="44787", precision="address", label="x"
    )
    fake = FakeGeocoder({"Kortumstraße 5": home, "Essen": GeocodeError("outside_service_area", "")})
    assert fake.geocode("kortumstrasse 5") == home
    assert fake.geocode("") is None
    with pytest.raises(GeocodeError) as outside:
        fake.geocode("Essen")
    assert outside.value.reason == "outside_service_area"
    with pytest.raises(GeocodeError) as unknown:
        fake.geocode("Nirgendwo")
    assert unknown.value.reason == "not_understood"
    assert fake.queries == ["kortumstrasse 5", "", "Essen", "Nirgendwo"]


def test_the_network_geocoder_can_be_built_without_calling_the_network() -> None:
    geocoder = make_geocoder({"GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "mitwirken-tests"})
    assert isinstance(geocoder, GeopyGeocoder)
    # Postcodes are answered offline, before any request would be made.
    result = geocoder.geocode("44787")
    assert result is not None and result.precision == "postcode"
    with pytest.raises(GeocodeError):
        geocoder.geocode("45127")


def test_the_configuration_picks_the_gazetteer_by_default() -> None:
    assert isinstance(make_geocoder({}), GazetteerGeocoder)
    with pytest.raises(ValueError, match="USER_AGENT"):
        make_geocoder({"GEOCODER": "nominatim"})
    with pytest.raises(ValueError, match="unknown"):
        make_geocoder({"GEOCODER": "google"})
