"""Coordinates as written in exports: decimal, degrees-minutes-seconds, one cell."""

from __future__ import annotations

import pytest

from geoapp.ingest.coordinates import parse_coordinate, parse_point


@pytest.mark.parametrize(("written", "degrees"), [
    ("42.9021", 42.9021), ("42,9021", 42.9021), ("42.9021°", 42.9021),
    ("42°54'07.6\"N", 42.902111), ("42°54′07.6″ N", 42.902111), ("N42°54'07.6\"", 42.902111),
    ("42° 54,126′ с.ш.", 42.9021), ("42°54.126'", 42.9021), ("42.9021 N", 42.9021),
    ("71°22'19.6\" в.д.", 71.372111), ("71°22′19,6″ ш.б.", 71.372111),
    ("42 градуса 54 мин.", 42.9), ("42°54'07.6\"S", -42.902111), ("71°22' W", -71.366667),
    ("-71°22'", -71.366667), ("34°36′ ю.ш.", -34.6), ("58°24' з.д.", -58.4),
])
def test_a_coordinate_as_written(written: str, degrees: float) -> None:
    assert parse_coordinate(written) == pytest.approx(degrees, abs=1e-6)


@pytest.mark.parametrize(("written", "reason"), [
    ("сорок два", "not a number"), ("42°74'", "not degrees, minutes and seconds"),
    ("42.5°30'", "not degrees, minutes and seconds"), ("42°54'61\"", "not degrees"),
    ("N 42° S", "two hemispheres"), ("42°54' с.ш. 71°", "not a number"),
    ("42° с.д.", "not a number"), ("71° ш.е.", "not a number"), ("42° об", "not a number"),
])
def test_what_is_not_a_coordinate(written: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_coordinate(written)


@pytest.mark.parametrize("written", [
    "42.9021, 71.3721", "42,9021; 71,3721", "POINT(71.3721 42.9021)",
    "42°54'07.6\"N 71°22'19.6\"E", "71°22'19.6\"E 42°54'07.6\"N",
    "42°54'07.6\" с.ш., 71°22'19.6\" в.д.", "42.9021° 71.3721°",
])
def test_a_point_in_one_cell(written: str) -> None:
    lat, lon = parse_point(written)
    assert (round(lat, 4), round(lon, 4)) == (42.9021, 71.3721)


@pytest.mark.parametrize("written", ["у рынка", "42°54'", "42° 71° 12°", "x 42° 71°"])
def test_what_is_not_a_point(written: str) -> None:
    with pytest.raises(ValueError, match="not a point"):
        parse_point(written)
