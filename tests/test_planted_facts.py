"""Every planted fact of the synthetic dataset, checked by SQL against the loaded
database (not by trusting the manifest: the manifest only names what to look for)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from geoapp.ingest.reassign import FOLLOWING_LAYERS, reassign_complaints
from geoapp.ingest.relocate import Relocated, relocate_by_address

LOCAL = "(c.received_at AT TIME ZONE 'Asia/Almaty')"
SEASON = f"""CASE
    WHEN {LOCAL} >= '2022-10-15' AND {LOCAL} < '2023-04-16' THEN '2022-23'
    WHEN {LOCAL} >= '2023-10-15' AND {LOCAL} < '2024-04-16' THEN '2023-24'
    WHEN {LOCAL} >= '2024-10-15' AND {LOCAL} < '2025-04-16' THEN '2024-25' END"""


def scalar(engine: Engine, sql: str, **params: object):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def rows(engine: Engine, sql: str, **params: object) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def test_city_microdistricts_and_population(demo_engine: Engine) -> None:
    count, population = rows(demo_engine,
                             "SELECT count(*), sum(population) FROM microdistricts")[0]
    assert 18 <= count <= 22
    assert 400_000 <= population <= 460_000
    assert scalar(demo_engine, "SELECT count(*) FROM microdistricts WHERE name = '15 мкр'") == 1
    outside = scalar(demo_engine, """
        SELECT count(*) FROM (SELECT geom FROM microdistricts UNION ALL SELECT geom FROM buildings
        UNION ALL SELECT geom FROM parcels) g
        WHERE NOT ST_Within(geom, ST_MakeEnvelope(71.25, 42.82, 71.50, 42.97, 4326))""")
    assert outside == 0


def test_complaint_volume_period_and_proportions(demo_engine: Engine) -> None:
    first, last, total = rows(demo_engine, f"""
        SELECT min({LOCAL})::date, max({LOCAL})::date, count(*) FROM complaints c""")[0]
    assert str(first) == "2022-10-01" and str(last) == "2024-12-31"
    per_year = dict(rows(demo_engine, f"""
        SELECT extract(year FROM {LOCAL})::int, count(*) FROM complaints c GROUP BY 1"""))
    assert 13_500 <= per_year[2023] <= 16_500 and 13_500 <= per_year[2024] <= 16_500
    shares = dict(rows(demo_engine, """
        SELECT split_part(category, '.', 1), count(*)::float / sum(count(*)) OVER ()
        FROM complaints GROUP BY 1"""))
    assert 0.32 <= shares["housing_utilities"] <= 0.38
    assert 0.22 <= shares["land"] <= 0.28
    assert total == scalar(demo_engine, "SELECT count(DISTINCT (source, external_id)) "
                                        "FROM complaints")
    languages = dict(rows(demo_engine, "SELECT language, count(*) FROM complaints GROUP BY 1"))
    assert languages["kk"] > 0.15 * total and languages["ru"] > 0.5 * total


def test_realistic_noise(demo_engine: Engine) -> None:
    no_address, by_address, total, repeated = rows(demo_engine, """
        SELECT count(*) FILTER (WHERE address IS NULL AND geom IS NOT NULL),
               count(*) FILTER (WHERE geocode_precision <> 'coordinates'), count(*),
               (SELECT count(*) FROM (SELECT building_id FROM complaints
                WHERE building_id IS NOT NULL GROUP BY 1 HAVING count(*) >= 5) b)
        FROM complaints""")[0]
    assert no_address > 100 and repeated > 100
    assert 0.2 <= by_address / total <= 0.8  # many located by their address, not a point
    variants = scalar(demo_engine, """
        SELECT count(DISTINCT c.address) FROM complaints c
        JOIN buildings b ON b.id = c.building_id WHERE c.address IS DISTINCT FROM b.address""")
    assert variants > 1000  # addresses written other than the register's form
    assert scalar(demo_engine, "SELECT count(*) FROM complaint_events") > 2 * scalar(
        demo_engine, "SELECT count(*) FROM complaints")


def test_heating_outage_in_15_mkr(demo_engine: Engine, demo_manifest: dict) -> None:
    fact = demo_manifest["planted_facts"]["heating_outage"]
    by_season = {season: (buildings, n) for season, buildings, n in rows(demo_engine, f"""
        SELECT season, count(DISTINCT c.building_id), count(*)
        FROM complaints c
        JOIN microdistricts m ON m.id = c.microdistrict_id AND m.name = '15 мкр'
        CROSS JOIN LATERAL (SELECT {SEASON} AS season) s
        WHERE c.category = 'housing_utilities.heating' AND season IS NOT NULL
        GROUP BY season""")}
    assert by_season["2022-23"][0] == 58 and by_season["2023-24"][0] == 58
    assert by_season.get("2024-25", (0, 0))[1] <= 3
    residents = scalar(demo_engine, """
        SELECT sum(residents) FROM buildings WHERE id IN (
            SELECT DISTINCT c.building_id FROM complaints c
            JOIN microdistricts m ON m.id = c.microdistrict_id AND m.name = '15 мкр'
            WHERE c.category = 'housing_utilities.heating')""")
    assert 2_700 <= residents <= 2_900
    assert sorted(fact["building_addresses"]) == sorted(r[0] for r in rows(demo_engine, """
        SELECT DISTINCT b.address FROM complaints c JOIN buildings b ON b.id = c.building_id
        JOIN microdistricts m ON m.id = b.microdistrict_id AND m.name = '15 мкр'
        WHERE c.category = 'housing_utilities.heating'"""))
    assert scalar(demo_engine, """
        SELECT count(*) FROM buildings b JOIN microdistricts m ON m.id = b.microdistrict_id
        WHERE m.name = '15 мкр' AND b.heating = 'central'""") == 58
    unresolved, outside_2024 = rows(demo_engine, """
        SELECT count(*) FILTER (WHERE c.status <> 'resolved'),
               count(*) FILTER (WHERE c.resolved_at < '2024-04-15' OR c.resolved_at >= '2025-01-01')
        FROM complaints c JOIN microdistricts m ON m.id = c.microdistrict_id
        WHERE m.name = '15 мкр' AND c.category = 'housing_utilities.heating'""")[0]
    assert unresolved == 0 and outside_2024 == 0
    rates = rows(demo_engine, f"""
        SELECT m.name, 1000.0 * count(c.id) / m.population AS rate
        FROM microdistricts m LEFT JOIN complaints c ON c.microdistrict_id = m.id
             AND c.category = 'housing_utilities.heating' AND {SEASON} IN ('2022-23', '2023-24')
        GROUP BY m.id ORDER BY rate DESC""")
    assert rates[0][0] == "15 мкр" and rates[0][1] > 10 * rates[1][1]


VIOLATION_RULES = """
    WITH state_needs AS (
        SELECT p.cadastral_number FROM parcels p JOIN zones z ON z.kind = 'state_needs'
        AND ST_Intersects(p.geom, z.geom) AND p.allocated_at >= z.valid_from
        WHERE p.status = 'active' AND (
            ST_Area(ST_Transform(ST_Intersection(p.geom, z.geom), 32642))
                > 0.01 * ST_Area(ST_Transform(p.geom, 32642))
            OR ST_Area(ST_Transform(ST_Intersection(p.geom, z.geom), 32642)) > 100)
    ),
    water AS (
        SELECT p.cadastral_number FROM parcels p JOIN zones z ON z.kind = 'water_protection'
        AND ST_Intersects(p.geom, z.geom)
        WHERE p.status = 'active' AND p.land_use NOT IN ('recreation', 'public')
          AND ST_Area(ST_Transform(ST_Intersection(p.geom, z.geom), 32642)) > 1
    ),
    doubles AS (
        SELECT CASE WHEN a.allocated_at >= b.allocated_at THEN a.cadastral_number
                    ELSE b.cadastral_number END AS cadastral_number
        FROM parcels a JOIN parcels b ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
        WHERE a.status = 'active' AND b.status = 'active'
          AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 32642)) > 0.01 * least(
              ST_Area(ST_Transform(a.geom, 32642)), ST_Area(ST_Transform(b.geom, 32642)))
    )
    SELECT 'state_needs', cadastral_number FROM state_needs
    UNION SELECT 'water_protection', cadastral_number FROM water
    UNION SELECT 'double_allocation', cadastral_number FROM doubles
"""


def test_improperly_allocated_land(demo_engine: Engine, demo_manifest: dict) -> None:
    fact = demo_manifest["planted_facts"]["land_violations"]
    found: dict[str, set[str]] = {}
    for kind, number in rows(demo_engine, VIOLATION_RULES):
        found.setdefault(kind, set()).add(number)
    assert found["state_needs"] == {p["cadastral_number"]
                                    for p in fact["state_needs"]["parcels"]}
    assert found["water_protection"] == {p["cadastral_number"]
                                         for p in fact["water_protection"]["parcels"]}
    assert found["double_allocation"] == {p["newer"]["cadastral_number"]
                                          for p in fact["double_allocation"]["pairs"]}
    flagged = set().union(*found.values())
    assert flagged == set(fact["violating_cadastral_numbers"])
    decoys = {d["cadastral_number"] for d in demo_manifest["planted_facts"]["clean_decoys"]}
    assert decoys and not decoys & flagged
    hectares = scalar(demo_engine, """
        SELECT ST_Area(ST_Transform(ST_Union(geom), 32642)) / 10000 FROM parcels
        WHERE cadastral_number = ANY(:numbers)""", numbers=sorted(flagged))
    assert 10.5 <= hectares <= 11.5
    value = scalar(demo_engine, """
        SELECT sum(cadastral_value_kzt) FROM parcels WHERE cadastral_number = ANY(:numbers)""",
                   numbers=sorted(found["state_needs"]))
    assert 93_000_000 <= value <= 95_000_000
    complaints_on_them = scalar(demo_engine, """
        SELECT count(*) FROM complaints c JOIN parcels p ON p.id = c.parcel_id
        WHERE p.cadastral_number = ANY(:numbers) AND c.category LIKE 'land.%'""",
                                numbers=sorted(flagged))
    assert complaints_on_them >= len(flagged)


def test_water_protection_strip_and_zones(demo_engine: Engine) -> None:
    kinds = dict(rows(demo_engine, "SELECT kind, count(*) FROM zones GROUP BY 1"))
    assert kinds.get("state_needs", 0) >= 2 and kinds.get("water_protection", 0) >= 1
    assert kinds.get("green", 0) >= 1
    cadastral_format = scalar(demo_engine, r"""
        SELECT count(*) FROM parcels WHERE cadastral_number !~ '^06:097:\d{3}:\d{3}$'""")
    assert cadastral_format == 0


def test_loaded_complaints_are_placed_by_the_import_rules(demo_engine: Engine) -> None:
    # A complaint with its own point has the parcel and the nearest building that an
    # import would give it: finding them again (as a layer import does) changes none.
    with demo_engine.connect() as conn:
        for layer in FOLLOWING_LAYERS:
            assert reassign_complaints(conn, layer).total == 0, layer
        # nor does geocoding their addresses again move one known only to its district
        assert relocate_by_address(conn) == Relocated()
        conn.rollback()
    near_buildings = scalar(demo_engine, """
        SELECT count(*) FROM complaints
        WHERE geocode_precision = 'coordinates' AND building_id IS NOT NULL""")
    assert near_buildings > 1_000
