"""Coordinates of the synthetic city.

Shapes are built in local metres (x east, y north) from the city centre, which is a
translation of EPSG:32642 (UTM 42N), so lengths and areas are UTM metres. Stored
geometry is EPSG:4326 rounded to 7 decimals (about 1 cm); every figure the manifest
reports is measured on that rounded geometry projected back, so the files, the
database and the manifest agree.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely import affinity

CENTER_LON, CENTER_LAT = 71.37, 42.90
DECIMALS = 7

_TO_UTM = Transformer.from_crs(4326, 32642, always_xy=True)
_TO_WGS = Transformer.from_crs(32642, 4326, always_xy=True)
CENTER_X, CENTER_Y = _TO_UTM.transform(CENTER_LON, CENTER_LAT)


def lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metres -> rounded lon/lat arrays."""
    lon, lat = _TO_WGS.transform(np.asarray(x, dtype=float) + CENTER_X,
                                 np.asarray(y, dtype=float) + CENTER_Y)
    return np.round(lon, DECIMALS), np.round(lat, DECIMALS)


def local_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat -> local metres."""
    x, y = _TO_UTM.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x) - CENTER_X, np.asarray(y) - CENTER_Y


def _coords_to_wgs(coords: np.ndarray) -> np.ndarray:
    lon, lat = lonlat(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def _coords_to_local(coords: np.ndarray) -> np.ndarray:
    x, y = local_xy(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def to_wgs(geoms: np.ndarray) -> np.ndarray:
    """Local-metre geometries -> EPSG:4326, exterior rings counter-clockwise (RFC 7946)."""
    oriented = shapely.orient_polygons(np.asarray(geoms, dtype=object))
    return shapely.transform(oriented, _coords_to_wgs)


def to_local(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object), _coords_to_local)


def box(cx: float, cy: float, w: float, h: float, angle: float = 0.0) -> shapely.Polygon:
    """A w x h rectangle centred on (cx, cy), rotated by `angle` degrees."""
    rect = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    if angle:
        rect = affinity.rotate(rect, angle, origin=(cx, cy))
    return rect
