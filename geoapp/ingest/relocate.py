"""After a register changes, the complaints it could place better are geocoded again
from their stored address.

A complaint imported before its buildings layer, or whose house the register did not
know, is placed at its street's nearest house, inside its microdistrict or nowhere.
When a buildings, parcels or microdistricts file changes the register, such a
complaint is matched again, by the import's own rules, and moved when the new answer
is better (a building where there was a street) or the same kind of answer elsewhere
(a nearer-numbered house, a redrawn microdistrict). It is never moved to a worse
answer, and its workflow is untouched: a new place is no edit (no event, same
version), as in a re-import (geoapp.ingest.complaint_sql). Complaints located by their
own coordinates, by a building or by a cadastral number are not touched here.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from sqlalchemy import Connection, text

from geoapp.config import Settings
from geoapp.ingest.array_params import fetch_with_arrays
from geoapp.ingest.locate import Gazetteer, Location
from geoapp.ingest.places import PlaceQuery, look_up_places

ROUGH_PRECISIONS = ("street", "microdistrict", "none")
RANK = {"none": 0, "microdistrict": 1, "street": 2, "building": 3, "parcel": 3}
PAGE = 5_000

_QUOTED = ", ".join(f"'{p}'" for p in ROUGH_PRECISIONS)
_IS_ROUGH = f"c.address IS NOT NULL AND c.geocode_precision IN ({_QUOTED})"
_ROUGH = text(f"""
    SELECT c.id, c.address, c.row_note, c.geocode_precision, c.building_id,
           ST_X(c.geom), ST_Y(c.geom)
    FROM complaints c WHERE {_IS_ROUGH} AND c.id > :after
    ORDER BY c.id LIMIT :page""")
_HAS_ROUGH = text(f"SELECT EXISTS (SELECT 1 FROM complaints c WHERE {_IS_ROUGH})")

_MOVE = """
    UPDATE complaints c
    SET geom = ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), geocode_precision = u.precision,
        geocode_score = u.score, geocode_note = u.note, microdistrict_id = u.md,
        parcel_id = u.parcel, building_id = u.building, updated_at = now()
    FROM unnest(CAST(%(id)b AS int8[]), CAST(%(lon)b AS float8[]), CAST(%(lat)b AS float8[]),
                CAST(%(precision)b AS text[]), CAST(%(score)b AS float8[]),
                CAST(%(note)b AS text[]), CAST(%(md)b AS int4[]), CAST(%(parcel)b AS int4[]),
                CAST(%(building)b AS int4[]))
         AS u(id, lon, lat, precision, score, note, md, parcel, building)
    WHERE c.id = u.id
    RETURNING c.id"""


class Stored(NamedTuple):
    id: int
    address: str
    row_note: str | None
    precision: str
    building_id: int | None
    lon: float | None
    lat: float | None


def better(stored: Stored, found: Location) -> bool:
    """Whether `found` places the complaint better than it is, or as well elsewhere."""
    if RANK[found.precision] != RANK[stored.precision]:
        return RANK[found.precision] > RANK[stored.precision]
    return found.precision != "none" and (
        (found.building_id, found.lon, found.lat)
        != (stored.building_id, stored.lon, stored.lat))


def relocate_by_address(conn: Connection) -> Counter[str]:
    """Geocode the roughly placed complaints again, in `conn`'s transaction; the
    number moved, by their new precision."""
    moved: Counter[str] = Counter()
    if not conn.execute(_HAS_ROUGH).scalar_one():
        return moved
    gazetteer = Gazetteer.load(conn, Settings.from_env().city_bbox)
    after = 0
    while page := [Stored(*row) for row in
                   conn.execute(_ROUGH, {"after": after, "page": PAGE})]:
        after = page[-1].id
        found = [(s, location) for s in page
                 if better(s, location := gazetteer.from_address(s.address, s.row_note))]
        if found:
            _move(conn, found)
            moved.update(location.precision for _, location in found)
    return moved


def _move(conn: Connection, found: list[tuple[Stored, Location]]) -> None:
    """Write the new locations with their places, in one statement."""
    places = look_up_places(conn, [
        PlaceQuery(loc.lon, loc.lat, loc.microdistrict_id, loc.building_id, False,
                   loc.parcel_id) for _, loc in found])
    fetch_with_arrays(conn, _MOVE, {
        "id": [s.id for s, _ in found],
        "lon": [loc.lon for _, loc in found], "lat": [loc.lat for _, loc in found],
        "precision": [loc.precision for _, loc in found],
        "score": [None if loc.score is None else float(loc.score) for _, loc in found],
        "note": [loc.note for _, loc in found],
        "md": [p.microdistrict_id for p in places], "parcel": [p.parcel_id for p in places],
        "building": [p.building_id for p in places],
    })
