import random

import numpy as np
import pytest
from geopy.distance import geodesic, great_circle

from matching.geo import GridIndex, haversine_km


def test_haversine_agrees_with_geopy_great_circle_and_geodesic() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(51.3, 51.6), rng.uniform(7.0, 7.4)) for _ in range(200)]
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    ours = haversine_km(51.4818, 7.2162, lat, lon)
    for (plat, plon), km in zip(points, ours, strict=True):
        assert km == pytest.approx(great_circle((51.4818, 7.2162), (plat, plon)).km, rel=1e-6)
        # The sphere is within 0.5 % of the WGS-84 ellipsoid at these distances.
        assert km == pytest.approx(geodesic((51.4818, 7.2162), (plat, plon)).km, rel=5e-3)


def test_haversine_of_a_point_to_itself_is_zero_and_antipodes_are_half_the_globe() -> None:
    assert haversine_km(10.0, 20.0, np.array([10.0]), np.array([20.0]))[0] == 0.0
    half = haversine_km(0.0, 0.0, np.array([0.0]), np.array([180.0]))[0]
    assert half == pytest.approx(great_circle((0, 0), (0, 180)).km)


@pytest.mark.parametrize("cell_km", [0.5, 2.0, 10.0])
def test_grid_never_excludes_a_point_within_its_radius(cell_km: float) -> None:
    rng = np.random.default_rng(3)
    n = 2000
    lat = np.radians(51.48 + rng.uniform(-0.1, 0.1, n))
    lon = np.radians(7.22 + rng.uniform(-0.15, 0.15, n))
    lat[::50] = np.nan
    lon[::50] = np.nan
    radius = rng.choice([0.5, 1.0, 3.0, 8.0], n)
    grid = GridIndex.build(lat, lon, radius, cell_km=cell_km)
    for _ in range(50):
        qlat = np.radians(51.48 + rng.uniform(-0.12, 0.12))
        qlon = np.radians(7.22 + rng.uniform(-0.18, 0.18))
        reach = np.append(grid.reachable(qlat, qlon), False)
        cell = np.where(grid.cell_of < 0, reach.shape[0] - 1, grid.cell_of)
        km = haversine_km(np.degrees(qlat), np.degrees(qlon), np.degrees(lat), np.degrees(lon))
        within = km <= radius
        assert not np.any(within & ~reach[cell])
        assert reach[cell].sum() < n  # and it does prune something
