"""Distances on the sphere, vectorised, and a grid index that avoids computing most of them.

The engine uses the haversine great-circle distance on a sphere of the mean Earth radius: within
a city it differs from the WGS-84 geodesic by well under 0.5 %, which is far below the precision
of "how far would you travel", and it vectorises to a handful of numpy operations (the tests
cross-check it against ``geopy``).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Mean Earth radius (IUGG); ``geopy.distance.great_circle`` uses the same, rounded to 6371.009.
EARTH_RADIUS_KM = 6371.0088
#: Radii within this factor of each other share a grid cell (see :meth:`GridIndex.build`).
RADIUS_BAND_FACTOR = 1.5

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def haversine_rad(
    lat1: FloatArray | float,
    lon1: FloatArray | float,
    lat2: FloatArray | float,
    lon2: FloatArray | float,
    *,
    cos_lat2: FloatArray | float | None = None,
) -> FloatArray:
    """Great-circle distance in km between points given in radians (broadcasting).

    ``cos_lat2``: ``np.cos(lat2)`` computed by the caller, e.g. once per opportunity when
    ``lat2`` repeats each opportunity's latitude for many pairs; the same value, so the same
    bits, as when each opportunity is measured on its own."""
    dlat = np.subtract(lat2, lat1)
    dlon = np.subtract(lon2, lon1)
    c2 = np.cos(lat2) if cos_lat2 is None else cos_lat2
    a = np.sin(dlat * 0.5) ** 2 + np.cos(lat1) * c2 * np.sin(dlon * 0.5) ** 2
    # Clip: rounding may push ``a`` a hair above 1 for antipodal points, and sqrt/arcsin agree.
    result: FloatArray = (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


def haversine_km(
    lat1: FloatArray | float,
    lon1: FloatArray | float,
    lat2: FloatArray | float,
    lon2: FloatArray | float,
) -> FloatArray:
    """Great-circle distance in km between points given in degrees (broadcasting)."""
    return haversine_rad(np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2))


@dataclass(frozen=True, slots=True)
class GridIndex:
    """Points bucketed into lat/lon cells and radius bands, each cell knowing the largest radius
    inside it.

    Built over volunteers: ``reachable(lat, lon)`` returns a boolean per cell that is ``False``
    only when no volunteer in that cell can possibly reach the point, so the exact distance is
    computed for the remaining few only. The test is conservative (a safety margin covers the
    difference between the box approximation and the true spherical distance); exactness comes
    from the haversine filter applied afterwards.
    """

    cell_of: IntArray  # cell number of every point (-1: no location)
    lat_lo: FloatArray  # per cell, radians
    lat_hi: FloatArray
    lon_lo: FloatArray
    lon_hi: FloatArray
    max_km: FloatArray  # largest radius of any point in the cell

    @classmethod
    def build(
        cls,
        lat_rad: FloatArray,
        lon_rad: FloatArray,
        radius_km: FloatArray,
        *,
        cell_km: float = 1.0,
    ) -> "GridIndex":
        located = ~np.isnan(lat_rad)
        n = lat_rad.shape[0]
        cell_of = np.full(n, -1, dtype=np.int64)
        if not located.any():
            empty = np.zeros(0, dtype=np.float64)
            return cls(cell_of, empty, empty, empty, empty, empty)
        lat = lat_rad[located]
        lon = lon_rad[located]
        step_lat = cell_km / EARTH_RADIUS_KM
        mean_cos = max(float(np.cos(np.mean(lat))), 0.05)
        step_lon = step_lat / mean_cos
        row = np.floor((lat - lat.min()) / step_lat).astype(np.int64)
        col = np.floor((lon - lon.min()) / step_lon).astype(np.int64)
        # Cells are split by radius band (radii within a factor 1.5 share a band), so the few
        # volunteers who travel far do not make every cell "reachable" from everywhere.
        band = np.floor(
            np.log(np.maximum(radius_km[located], 0.1) / 0.1) / np.log(RADIUS_BAND_FACTOR)
        ).astype(np.int64)
        key = (band * (int(row.max()) + 1) + row) * (int(col.max()) + 1) + col
        uniq, inverse = np.unique(key, return_inverse=True)
        cell_of[located] = inverse
        n_cells = uniq.shape[0]

        def per_cell(values: FloatArray, ufunc: np.ufunc, init: float) -> FloatArray:
            out = np.full(n_cells, init, dtype=np.float64)
            ufunc.at(out, inverse, values)
            return out

        return cls(
            cell_of=cell_of,
            lat_lo=per_cell(lat, np.minimum, np.inf),
            lat_hi=per_cell(lat, np.maximum, -np.inf),
            lon_lo=per_cell(lon, np.minimum, np.inf),
            lon_hi=per_cell(lon, np.maximum, -np.inf),
            max_km=per_cell(radius_km[located], np.maximum, 0.0),
        )

    def reachable(self, lat_rad: float, lon_rad: float) -> BoolArray:
        """Per cell: may some point of the cell be within its own radius of (lat, lon)?"""
        # The nearest point of each cell's bounding box; its distance is (up to the margin) a
        # lower bound of the distance to any point in the cell.
        # min(max(...)) is np.clip without its per-call overhead (lo <= hi in every cell).
        near_lat = np.minimum(np.maximum(lat_rad, self.lat_lo), self.lat_hi)
        near_lon = np.minimum(np.maximum(lon_rad, self.lon_lo), self.lon_hi)
        d = haversine_rad(lat_rad, lon_rad, near_lat, near_lon)
        reach: BoolArray = d <= self.max_km * 1.01 + 0.05
        return reach
