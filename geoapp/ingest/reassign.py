"""After a reference layer changes, the complaints already in the database follow it:
their microdistrict, parcel or (for those located by their own coordinates) nearest
building is found again by the rules of the import (geoapp.ingest.places), one
statement per layer, and only the complaints whose answer changed are written.

Without this a new parcel register, or a corrected microdistrict boundary, would
leave every earlier complaint assigned as before."""

from __future__ import annotations

from sqlalchemy import Connection, text

# A metre in degrees of longitude at the point's latitude, with 10% to spare (the
# bounding-box test that lets the GiST index work before the exact distance).
_DEGREES_PER_METRE = "1.1 / (111320 * greatest(cos(radians(abs(ST_Y(c.geom)))), 0.01))"

_FIND = {
    "microdistricts": ("microdistrict_id", "c.geom IS NOT NULL", """
        (SELECT m.id FROM microdistricts m WHERE ST_Covers(m.geom, c.geom)
         ORDER BY m.id LIMIT 1)"""),
    "parcels": ("parcel_id", "c.geom IS NOT NULL", f"""
        coalesce(
            (SELECT p.id FROM parcels p WHERE ST_Covers(p.geom, c.geom) ORDER BY p.id LIMIT 1),
            (SELECT p.id FROM parcels p
             WHERE p.geom && ST_Expand(c.geom, 15 * {_DEGREES_PER_METRE})
               AND ST_DWithin(p.geom::geography, c.geom::geography, 15)
             ORDER BY ST_Distance(p.geom::geography, c.geom::geography), p.id LIMIT 1))"""),
    # A complaint geocoded to a building keeps it; one with its own point takes the
    # nearest within 30 m.
    "buildings": ("building_id", "c.geom IS NOT NULL AND c.geocode_precision = 'coordinates'",
                  f"""
        (SELECT b.id FROM buildings b
         WHERE b.geom && ST_Expand(c.geom, 30 * {_DEGREES_PER_METRE})
           AND ST_DWithin(b.geom::geography, c.geom::geography, 30)
         ORDER BY ST_Distance(b.geom::geography, c.geom::geography), b.id LIMIT 1)"""),
}
FOLLOWING_LAYERS = tuple(_FIND)


def reassign_complaints(conn: Connection, layer: str) -> int:
    """Find each complaint's place in `layer` again; the number of complaints changed."""
    column, which, find = _FIND[layer]
    return conn.execute(text(f"""
        WITH placed AS (SELECT c.id, {find} AS place FROM complaints c WHERE {which})
        UPDATE complaints c SET {column} = placed.place
        FROM placed
        WHERE c.id = placed.id AND c.{column} IS DISTINCT FROM placed.place
    """)).rowcount
