"""After a register changes, the complaints it could place better are geocoded again
from their stored address.

A complaint imported before its buildings layer, or whose house the register did not
know, is placed at its street's nearest house, inside its microdistrict or nowhere.
When a buildings, parcels or microdistricts file changes the register, such a
complaint is matched again, by the import's own rules, and moved when the new answer
is better (a building where there was a street) or the same kind of answer elsewhere
(a nearer-numbered house, a redrawn microdistrict). A complaint matched to a building
only approximately (a fuzzy street, score below 100) is matched again too, and takes
the new match when it scores higher: a register whose street names were wrong, or
had lost their Kazakh letters (layer_lost_letters), placed it by a near miss. It is
never moved to a worse answer, and its workflow is untouched: a new place is no edit
(no event, same version), as in a re-import (geoapp.ingest.complaint_sql). Complaints
located by their own coordinates, by a cadastral number or by an exact building match
are not touched here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Connection, text

from geoapp.config import Settings
from geoapp.geocode.matcher import EXACT_SCORE
from geoapp.ingest.array_params import fetch_with_arrays
from geoapp.ingest.locate import Gazetteer, Location
from geoapp.ingest.places import PlaceQuery, look_up_places

ROUGH_PRECISIONS = ("street", "microdistrict", "none")
RANK = {"none": 0, "microdistrict": 1, "street": 2, "building": 3, "parcel": 3}
PAGE = 5_000

_QUOTED = ", ".join(f"'{p}'" for p in ROUGH_PRECISIONS)
_IS_ROUGH = (f"c.address IS NOT NULL AND (c.geocode_precision IN ({_QUOTED}) OR "
             f"(c.geocode_precision = 'building' AND c.geocode_score < {EXACT_SCORE}))")
_ROUGH = text(f"""
    SELECT c.id, c.address, c.row_note, c.geocode_precision, c.building_id,
           ST_X(c.geom), ST_Y(c.geom), c.geocode_score
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
    score: float | None


@dataclass
class Relocated:
    moved: Counter[str] = field(default_factory=Counter)  # by their new precision
    rematched: int = 0  # left in place, by a better match


def moves(stored: Stored, found: Location) -> bool:
    """Whether `found` places the complaint better than it is, or as well elsewhere;
    one matched to a building approximately, only by a better match."""
    if RANK[found.precision] != RANK[stored.precision]:
        return RANK[found.precision] > RANK[stored.precision]
    elsewhere = (found.building_id, found.lon, found.lat) != (
        stored.building_id, stored.lon, stored.lat)
    if stored.precision == "building":
        return elsewhere and found.precision == "building" and _higher(found, stored)
    return found.precision != "none" and elsewhere


def rematched(stored: Stored, found: Location) -> bool:
    """Whether `found` is the same place, matched better (a higher score)."""
    return (found.precision == stored.precision and found.precision != "none"
            and (found.building_id, found.lon, found.lat)
            == (stored.building_id, stored.lon, stored.lat) and _higher(found, stored))


def _higher(found: Location, stored: Stored) -> bool:
    return found.score is not None and (stored.score is None or found.score > stored.score)


def relocate_by_address(conn: Connection) -> Relocated:
    """Geocode the roughly placed complaints again, in `conn`'s transaction."""
    relocated = Relocated()
    if not conn.execute(_HAS_ROUGH).scalar_one():
        return relocated
    gazetteer = Gazetteer.load(conn, Settings.from_env().city_bbox)
    after = 0
    while page := [Stored(*row) for row in
                   conn.execute(_ROUGH, {"after": after, "page": PAGE})]:
        after = page[-1].id
        moved, again = [], []
        for stored in page:
            found = gazetteer.from_address(stored.address, stored.row_note)
            if moves(stored, found):
                moved.append((stored, found))
            elif rematched(stored, found):
                again.append((stored, found))
        if moved or again:
            _move(conn, moved + again)
            relocated.moved.update(location.precision for _, location in moved)
            relocated.rematched += len(again)
    return relocated


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
