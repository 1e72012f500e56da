"""Handmade parcels and zones for the parcel-check tests, drawn in local metres
(EPSG:32642, offset to a point in Taraz) and stored in EPSG:4326."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

ORIGIN = (71.30, 42.86)


def _origin(conn: Connection) -> tuple[float, float]:
    return tuple(conn.execute(text("""
        SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_Point(:lon, :lat), 4326),
                                                   32642) g"""),
        {"lon": ORIGIN[0], "lat": ORIGIN[1]}).one())  # type: ignore[return-value]


def local(conn: Connection, wkt: str) -> str:
    """SQL-ready EWKT in 4326 of a local-metre WKT (as MultiPolygon)."""
    ox, oy = _origin(conn)
    return conn.execute(text("""
        SELECT ST_AsEWKT(ST_Multi(ST_Transform(ST_Translate(ST_GeomFromText(:wkt, 32642),
                                                            :ox, :oy), 4326)))"""),
        {"wkt": wkt, "ox": ox, "oy": oy}).scalar_one()


def box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def add_zone(conn: Connection, kind: str, name: str, wkt: str, valid_from: date) -> int:
    return conn.execute(text("""
        INSERT INTO zones (kind, name, valid_from, geom)
        VALUES (:kind, :name, :vf, ST_GeomFromEWKT(:g)) RETURNING id"""),
        {"kind": kind, "name": name, "vf": valid_from, "g": local(conn, wkt)}).scalar_one()


def add_parcel(conn: Connection, number: str, wkt: str, allocated: date | None,
               land_use: str = "individual_housing", *, declared_ha: float | None = None,
               raw_ewkt: str | None = None, value: int = 1_000_000,
               status: str = "active") -> int:
    """A parcel; its declared area is the geometric one unless given."""
    geom = raw_ewkt or local(conn, wkt)
    return conn.execute(text("""
        INSERT INTO parcels (cadastral_number, land_use, declared_area_ha, cadastral_value_kzt,
                             allocated_at, status, geom)
        VALUES (:n, :use, coalesce(:declared, round((ST_Area(ST_Transform(
                    ST_GeomFromEWKT(:g), 32642)) / 10000)::numeric, 4)), :value, :alloc,
                :status, ST_GeomFromEWKT(:g))
        RETURNING id"""),
        {"n": number, "use": land_use, "declared": declared_ha, "value": value,
         "alloc": allocated, "status": status, "g": geom}).scalar_one()


def add_land_complaints(conn: Connection, wkt_point: str, n: int, prefix: str) -> None:
    ewkt = conn.execute(text("SELECT ST_AsEWKT(ST_GeometryN(ST_GeomFromEWKT(:g), 1))"),
                        {"g": local(conn, wkt_point)}).scalar_one()
    for k in range(n):
        conn.execute(text("""
            INSERT INTO complaints (source, external_id, received_at, category, text, geom,
                                    geocode_precision)
            VALUES ('web', :ext, '2024-06-01T10:00:00+05:00'::timestamptz
                    + make_interval(days => :k), 'land.encroachment', 'забор на участке',
                    ST_GeomFromEWKT(:g), 'coordinates')"""),
            {"ext": f"{prefix}-{k}", "k": k, "g": ewkt})
