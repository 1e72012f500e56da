"""The trigger-kept tables of migration 0003 follow every kind of write to complaints:
the narrow map copy matches complaints row for row, and the data version moves."""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, NullPool, TextClause, text
from test_complaints_web import add_complaint

from geoapp.db import make_engine

# The copy's point: none for a complaint known only to its microdistrict.
COPIED = """
    SELECT id, CASE WHEN geocode_precision = 'microdistrict' THEN NULL
                    ELSE ST_X(geom)::real END,
           CASE WHEN geocode_precision = 'microdistrict' THEN NULL
                ELSE ST_Y(geom)::real END,
           received_at, category, status, source, microdistrict_id, resolved_at
    FROM complaints"""
MISMATCHES = f"""
    SELECT count(*) FROM (
        ({COPIED}
         EXCEPT SELECT id, lon, lat, received_at, category, status, source,
                microdistrict_id, resolved_at FROM complaint_map_points)
        UNION ALL
        (SELECT id, lon, lat, received_at, category, status, source, microdistrict_id,
                resolved_at FROM complaint_map_points
         EXCEPT {COPIED})
    ) d"""


def mismatches(conn: Connection) -> int:
    return conn.execute(text(MISMATCHES)).scalar_one()


def version(conn: Connection) -> int:
    return conn.execute(text(
        "SELECT coalesce(max(version), 0) FROM data_versions WHERE name = 'complaints'"
    )).scalar_one()


def test_demo_load_fills_the_map_copy(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        copied = conn.execute(text("SELECT count(*) FROM complaint_map_points")).scalar_one()
        assert copied == total > 0
        assert mismatches(conn) == 0


def test_every_write_keeps_the_copy_and_bumps_the_version(connection: Connection) -> None:
    conn = connection
    start = version(conn)
    ticket = add_complaint(conn)
    add_complaint(conn, lon=None, lat=None)
    assert mismatches(conn) == 0 and version(conn) == start + 2

    conn.execute(text("UPDATE complaints SET status = 'in_progress', category = 'land' "
                      "WHERE ticket = :t"), {"t": ticket})
    conn.execute(text("UPDATE complaints SET status = 'resolved', resolved_at = now() "
                      "WHERE ticket = :t"), {"t": ticket})
    conn.execute(text("UPDATE complaints SET geom = NULL WHERE ticket = :t"), {"t": ticket})
    assert mismatches(conn) == 0 and version(conn) == start + 5

    # Known only to its microdistrict: copied without its point, and back again.
    area_only = add_complaint(conn, precision="microdistrict", address="15 мкр")
    point = "SELECT p.lon FROM complaint_map_points p JOIN complaints c USING (id) " \
            "WHERE c.ticket = :t"
    assert conn.execute(text(point), {"t": area_only}).scalar_one() is None
    conn.execute(text("UPDATE complaints SET geocode_precision = 'building' WHERE ticket = :t"),
                 {"t": area_only})
    assert conn.execute(text(point), {"t": area_only}).scalar_one() is not None
    assert mismatches(conn) == 0 and version(conn) == start + 7

    # An update that changes none of the copied columns leaves the copy alone.
    conn.execute(text("UPDATE complaints SET text = 'другой текст' WHERE ticket = :t"),
                 {"t": ticket})
    assert mismatches(conn) == 0

    conn.execute(text("DELETE FROM complaints WHERE ticket = :t"), {"t": ticket})
    assert mismatches(conn) == 0
    conn.execute(text("TRUNCATE complaints CASCADE"))
    assert conn.execute(text("SELECT count(*) FROM complaint_map_points")).scalar_one() == 0
    assert version(conn) == start + 10


def test_upsert_of_an_import_keeps_the_copy(connection: Connection) -> None:
    """INSERT ... ON CONFLICT DO UPDATE fires both the insert and the update trigger."""
    conn = connection
    add_complaint(conn, external_id="X-1", status="received")
    conn.execute(text("""
        INSERT INTO complaints (source, external_id, received_at, category, text, status)
        VALUES ('web', 'X-1', now(), 'roads', 'т', 'resolved'),
               ('web', 'X-2', now(), 'roads', 'т', 'received')
        ON CONFLICT (source, external_id) DO UPDATE SET status = excluded.status"""))
    assert mismatches(conn) == 0
    statuses = dict(conn.execute(text("""
        SELECT c.external_id, p.status FROM complaint_map_points p JOIN complaints c USING (id)
        WHERE c.external_id IN ('X-1', 'X-2')""")).all())
    assert statuses == {"X-1": "resolved", "X-2": "received"}


def test_the_copy_is_kept_fast_whatever_the_session_did_before(demo_db_url: str) -> None:
    """PL/pgSQL keeps a statement's plan for the session; the trigger's join of the
    transition tables, planned at a one-row update, made a later bulk update of the
    same session quadratic (8,450 rows: 35 s against 0.3 s). Each call is planned now."""
    bulk = text("UPDATE complaints SET resolved_at = resolved_at, status = status "
                "WHERE id % 3 = 0")
    one = text("UPDATE complaints SET status = status "
               "WHERE id = (SELECT min(id) FROM complaints)")

    def timed(conn: Connection, statement: TextClause) -> float:
        started = time.perf_counter()
        with conn.begin() as tx:
            conn.execute(statement)
            assert mismatches(conn) == 0
            tx.rollback()
        return time.perf_counter() - started

    engine = make_engine(demo_db_url, poolclass=NullPool)
    try:
        with engine.connect() as fresh:
            baseline = timed(fresh, bulk)
        with engine.connect() as conn:
            timed(conn, one)
            after_one = timed(conn, bulk)
            timed(conn, one)  # and a small one after the bulk one
    finally:
        engine.dispose()
    assert after_one < 10 * baseline + 1.0, (after_one, baseline)
