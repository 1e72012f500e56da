"""After a reference layer changes, the complaints already in the database follow it:
their microdistrict, parcel or (for those located by their own coordinates) nearest
building is found again by the rules of the import (geoapp.ingest.places), one
statement per layer, and only the complaints whose answer changed are written.

Without this a new parcel register, or a corrected microdistrict boundary, would
leave every earlier complaint assigned as before. A complaint located by its address
short of a building is geocoded again first (geoapp.ingest.relocate)."""

from __future__ import annotations

import math
from typing import NamedTuple

from sqlalchemy import Connection, text

from geoapp.geocode.notes import NO_HOUSE
from geoapp.ingest.places import BUILDING_RADIUS_M, PARCEL_RADIUS_M, covering, nearest_within

POINT = "c.geom"
LOCATED = "c.geom IS NOT NULL"
# layer -> the complaint column it decides, and which complaints it applies to: one
# geocoded to a building keeps it; one with its own point takes the nearest; a parcel
# only for a point of the complaint's own or of its building (geoapp.ingest.places).
FOLLOWERS = {
    "microdistricts": ("microdistrict_id", LOCATED),
    "parcels": ("parcel_id",
                f"{LOCATED} AND c.geocode_precision IN ('coordinates', 'building')"),
    "buildings": ("building_id", f"{LOCATED} AND c.geocode_precision = 'coordinates'"),
}
FOLLOWING_LAYERS = tuple(FOLLOWERS)


def _place_sql(layer: str, latitude: int) -> str:
    if layer == "microdistricts":
        return f"({covering('microdistricts', POINT)})"
    if layer == "parcels":
        return (f"coalesce(({covering('parcels', POINT)}), "
                f"({nearest_within('parcels', POINT, PARCEL_RADIUS_M, latitude)}))")
    return f"({nearest_within('buildings', POINT, BUILDING_RADIUS_M, latitude)})"


class Reassigned(NamedTuple):
    """Complaints whose place in a layer changed: `placed` had none before."""

    placed: int = 0
    moved: int = 0

    @property
    def total(self) -> int:
        return self.placed + self.moved


def reassign_complaints(conn: Connection, layer: str) -> Reassigned:
    """Find each complaint's place in `layer` again; the complaints changed. (The CTE
    is materialised: a changed complaint's place is found once, not again for the
    SET.)"""
    column, which = FOLLOWERS[layer]
    northmost = conn.execute(text(
        f"SELECT max(abs(ST_Y(c.geom))) FROM complaints c WHERE {which}")).scalar_one()
    if northmost is None:
        return Reassigned()
    find = _place_sql(layer, math.ceil(northmost))
    placed, moved = conn.execute(text(f"""
        WITH placed AS MATERIALIZED (
            SELECT c.id, c.{column} AS before, {find} AS place FROM complaints c
            WHERE {which}),
        changed AS (
            UPDATE complaints c SET {column} = placed.place
            FROM placed
            WHERE c.id = placed.id AND c.{column} IS DISTINCT FROM placed.place
            RETURNING placed.before IS NULL AS first)
        SELECT count(*) FILTER (WHERE first), count(*) FILTER (WHERE NOT first)
        FROM changed
    """)).one()
    return Reassigned(placed, moved)


def placed_roughly(conn: Connection) -> dict[str, int]:
    """Complaints with an address that geocoding placed short of a building or a
    parcel, or not at all (after relocate: their houses are not in the register),
    counted by the file that last imported them ("" for those
    no file did: the demo's own), most first. An address that names no house ("15 мкр,
    во дворе") is left out: no register places it better."""
    rows = conn.execute(text("""
        SELECT coalesce(b.source_file, ''), count(*) FROM complaints c
        LEFT JOIN import_batches b ON b.id = c.import_batch_id
        WHERE c.address IS NOT NULL
          AND c.geocode_precision IN ('street', 'microdistrict', 'none')
          AND strpos(coalesce(c.geocode_note, ''), :no_house) = 0
        GROUP BY 1 ORDER BY 2 DESC, 1"""), {"no_house": NO_HOUSE}).all()
    return {file: count for file, count in rows}
