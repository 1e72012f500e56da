"""Loading the dataset into PostgreSQL inside the caller's transaction, with COPY.

Ids come from each table's own sequence (`nextval` in bulk), so the complaint rows
and their events can be written in one pass per chunk without reading anything back.
The caller keeps the two complaint tables in bulk-load mode (see `bulk`) meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import psycopg
import shapely
from sqlalchemy.engine import Connection

from geoapp.demo.complaints import SOURCES, Chunk, ComplaintStream
from geoapp.demo.departments import DEPARTMENTS, department_of_category
from geoapp.demo.events import event_rows, utc_text
from geoapp.demo.lifecycle import NEVER, REJECTED, RESOLVED, STATUSES
from geoapp.demo.stats import ComplaintStats
from geoapp.demo.subjects import SUBJECT_BUILDING
from geoapp.demo.world import World
from geoapp.geocode.matcher import EXACT_SCORE
from geoapp.geocode.notes import SYNTHETIC, SYNTHETIC_DISTRICT_ONLY
from geoapp.taxonomy import CATEGORY_CODES, REJECT_REASONS

COMPLAINT_TABLES = ("complaints", "complaint_events")
COMPLAINT_COLUMNS = (
    "id", "source", "external_id", "received_at", "category", "category_confidence", "text",
    "language", "address", "status", "reject_reason", "resolved_at", "department_id",
    "applicant_name", "applicant_phone", "geom", "geocode_precision", "geocode_score",
    "geocode_note", "microdistrict_id", "building_id", "parcel_id", "created_at",
    "updated_at",
)
EVENT_COLUMNS = ("complaint_id", "at", "from_status", "to_status", "actor", "comment",
                 "department_id")
GEOCODE_NOTE = SYNTHETIC
# As an import places an address that names only the microdistrict: at a point
# inside it (so not drawn on the maps), without a building or parcel.
DISTRICT_ONLY_NOTE = SYNTHETIC_DISTRICT_ONLY
_DEPARTMENT = department_of_category()


def driver_cursor(conn: Connection) -> psycopg.Cursor[Any]:
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("load_demo needs a psycopg 3 connection (postgresql+psycopg://)")
    return driver.cursor()


def reserve_ids(cur: psycopg.Cursor[Any], table: str, n: int) -> list[int]:
    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)", (table, n))
    return [int(r[0]) for r in cur.fetchall()]


def copy_rows(cur: psycopg.Cursor[Any], table: str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def ewkb(geoms: np.ndarray, multi: bool) -> list[str]:
    if multi:
        geoms = np.array([g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])
                          for g in geoms], dtype=object)
    return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True).tolist()


def load_departments(cur: psycopg.Cursor[Any]) -> list[int]:
    ids = []
    for name, name_kk, _ in DEPARTMENTS:
        cur.execute("INSERT INTO departments (name, name_kk) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET name_kk = EXCLUDED.name_kk "
                    "RETURNING id", (name, name_kk))
        row = cur.fetchone()
        assert row is not None
        ids.append(int(row[0]))
    return ids


def load_reference(cur: psycopg.Cursor[Any], world: World) -> dict[str, list[int]]:
    """Microdistricts, zones, buildings and parcels; returns their ids in world order."""
    reg = world.reg
    md = reserve_ids(cur, "microdistricts", len(world.md_names))
    copy_rows(cur, "microdistricts", ("id", "name", "name_kk", "population", "geom"),
              zip(md, world.md_names, world.md_names_kk, world.md_population,
                  ewkb(world.md_geoms, True), strict=True))
    zones = reserve_ids(cur, "zones", len(world.zones))
    copy_rows(cur, "zones", ("id", "kind", "name", "decision_ref", "valid_from", "valid_to",
                             "geom"),
              ((i, z.kind, z.name, z.decision_ref, z.valid_from, z.valid_to, g)
               for i, z, g in zip(zones, world.zones, ewkb(world.zone_geoms, True),
                                  strict=True)))
    buildings = reserve_ids(cur, "buildings", len(reg.buildings))
    points = ewkb(shapely.points(world.b_lon, world.b_lat), False)
    copy_rows(cur, "buildings", ("id", "address", "address_kk", "residents", "floors",
                                 "heating", "microdistrict_id", "geom"),
              ((i, world.b_address[k], world.b_address_kk[k], b.residents, b.floors,
                b.heating, md[b.district], points[k])
               for k, (i, b) in enumerate(zip(buildings, reg.buildings, strict=True))))
    parcels = reserve_ids(cur, "parcels", len(reg.parcels))
    shapes = ewkb(world.p_geoms, True)
    copy_rows(cur, "parcels", ("id", "cadastral_number", "land_use", "holder",
                               "declared_area_ha", "cadastral_value_kzt", "allocated_at",
                               "decision_ref", "status", "geom"),
              ((i, world.p_cadastral[k], p.land_use, p.holder, world.p_declared_ha[k],
                p.value_kzt, p.allocated_at, world.p_decision[k], p.status, shapes[k])
               for k, (i, p) in enumerate(zip(parcels, reg.parcels, strict=True))))
    return {"microdistricts": md, "zones": zones, "buildings": buildings, "parcels": parcels}


def district_points(cur: psycopg.Cursor[Any], microdistricts: list[int]) -> list[str]:
    """The point inside each loaded microdistrict (in the world's order) at which the
    import places a complaint known only to its microdistrict (ST_PointOnSurface, as
    geoapp.ingest.locate), as hex EWKB: bit for bit the import's, so that geocoding
    such a complaint again (geoapp.ingest.relocate) finds it where it is."""
    cur.execute("""SELECT encode(ST_AsEWKB(ST_PointOnSurface(m.geom)), 'hex')
                   FROM unnest(%s::int[]) WITH ORDINALITY AS w(id, i)
                   JOIN microdistricts m ON m.id = w.id ORDER BY w.i""", (microdistricts,))
    return [point for (point,) in cur.fetchall()]


def _place_columns(subject: int, district_only: bool, lon: float, lat: float,
                   district_point: str) -> tuple[str, str, float | None, str]:
    """geom, geocode_precision, geocode_score and geocode_note of one complaint. The
    score is the import's: none for a complaint's own point, 100 for a place its
    address names exactly (the demo knows where each complaint is)."""
    if district_only:
        return district_point, "microdistrict", EXACT_SCORE, DISTRICT_ONLY_NOTE
    if subject == SUBJECT_BUILDING:
        return f"SRID=4326;POINT({lon:.7f} {lat:.7f})", "building", EXACT_SCORE, GEOCODE_NOTE
    return f"SRID=4326;POINT({lon:.7f} {lat:.7f})", "coordinates", None, GEOCODE_NOTE


def _complaint_rows(chunk: Chunk, ids: list[int], ref: dict[str, list[int]],
                    departments: list[int], points: list[str]) -> Iterable[tuple[Any, ...]]:
    life = chunk.life
    closed = np.where((life.status == RESOLVED) | (life.status == REJECTED), life.closed,
                      NEVER)
    last = np.maximum.reduce([chunk.received, life.assigned, life.in_progress, life.closed])
    md, bld, par = ref["microdistricts"], ref["buildings"], ref["parcels"]
    rows = zip(ids, chunk.source.tolist(), chunk.external_id, utc_text(chunk.received),
               chunk.category.tolist(), chunk.text, chunk.kazakh.tolist(), chunk.address,
               life.status.tolist(), life.reason.tolist(), closed.tolist(), utc_text(closed),
               chunk.applicant, chunk.phone, chunk.lon.tolist(), chunk.lat.tolist(),
               chunk.subject.tolist(), chunk.district.tolist(), chunk.building.tolist(),
               chunk.parcel.tolist(), utc_text(last), chunk.district_only.tolist(),
               strict=True)
    for (cid, src, ext, received, cat, text, kk, address, status, reason, closed_at,
         closed_text, name, phone, lon, lat, subject, district, b, p, updated,
         district_only) in rows:
        geom, precision, score, note = _place_columns(subject, district_only, lon, lat,
                                                      points[district])
        yield (cid, SOURCES[src], ext, received, CATEGORY_CODES[cat], 1.0, text,
               "kk" if kk else "ru", address or None, STATUSES[status],
               REJECT_REASONS[reason] if reason >= 0 else None,
               closed_text if closed_at != NEVER else None, departments[_DEPARTMENT[cat]],
               name or None, phone or None, geom, precision, score, note, md[district],
               bld[b] if b >= 0 else None,
               par[p] if p >= 0 else None, received, updated)


def prefetched(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    """The chunks, each generated in a worker thread while the previous one is being
    copied: the server's COPY work and the generator's numpy work then overlap."""
    it = iter(chunks)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(next, it, None)
        while (chunk := future.result()) is not None:
            future = pool.submit(next, it, None)
            yield chunk


def load_complaints(cur: psycopg.Cursor[Any], complaints: ComplaintStream,
                    ref: dict[str, list[int]], departments: list[int],
                    stats: ComplaintStats,
                    progress: Callable[[int, int], None] | None) -> None:
    done = 0
    points = district_points(cur, ref["microdistricts"])
    for chunk in prefetched(complaints):
        ids = reserve_ids(cur, "complaints", len(chunk))
        copy_rows(cur, "complaints", COMPLAINT_COLUMNS,
                  _complaint_rows(chunk, ids, ref, departments, points))
        copy_rows(cur, "complaint_events", EVENT_COLUMNS,
                  event_rows(chunk, ids, departments))
        stats.add(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, complaints.total)


def analyze(cur: psycopg.Cursor[Any]) -> None:
    cur.execute("ANALYZE microdistricts, zones, buildings, parcels, departments, complaints, "
                "complaint_events")
