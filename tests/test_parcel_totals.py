"""The register's hectares are the area of the union of the violating parcels: the
totals add the areas of parcels that overlap no other selected parcel and union only
the rest, so check them against a plain ST_Union on overlapping, touching, nested and
invalid parcels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from parcel_fixtures import add_parcel, add_zone, box, local
from sqlalchemy import Engine, text

from geoapp.analysis.parcel_rules import valid
from geoapp.analysis.rule_config import load_rules
from geoapp.analysis.violations import Selection, run_checks, totals
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.db import make_engine
from geoapp.migrate import upgrade


@pytest.fixture(scope="module")
def union_engine(new_database) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    engine = make_engine(new_database("parcel_totals"))
    upgrade(engine)
    with engine.begin() as conn:
        add_zone(conn, "state_needs", "парк", box(0, 0, 400, 400), date(2010, 1, 1))
        # a chain of three double allocations: the middle and newest are both R2
        add_parcel(conn, "06:098:001:001", box(1000, 0, 1100, 100), date(2012, 1, 1))
        add_parcel(conn, "06:098:001:002", box(1050, 10, 1150, 110), date(2014, 1, 1))
        add_parcel(conn, "06:098:001:003", box(1100, 20, 1200, 120), date(2016, 1, 1))
        # touching neighbours in the zone (R1), one of them overlapped by a newer one (R2)
        add_parcel(conn, "06:098:002:001", box(0, 0, 50, 50), date(2015, 1, 1))
        add_parcel(conn, "06:098:002:002", box(50, 0, 100, 50), date(2015, 1, 1))
        add_parcel(conn, "06:098:002:003", box(40, 10, 60, 40), date(2018, 1, 1))
        # a parcel inside another, both in the zone
        add_parcel(conn, "06:098:003:001", box(200, 200, 300, 300), date(2011, 1, 1))
        add_parcel(conn, "06:098:003:002", box(220, 220, 240, 240), date(2013, 1, 1))
        # an invalid bow-tie (R5) over an R1 parcel
        add_parcel(conn, "06:098:004:001", box(300, 0, 380, 80), date(2016, 1, 1))
        add_parcel(conn, "06:098:004:002", "", date(2017, 1, 1), declared_ha=0.5,
                   raw_ewkt=local(conn, "POLYGON((320 20,360 60,360 20,320 60,320 20))"))
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    yield engine
    engine.dispose()


def union_hectares(engine: Engine, selection: Selection) -> dict[str | None, float]:
    where, params = selection.where("v")
    with engine.connect() as conn:
        rows = conn.execute(text(f"""
            WITH v AS (SELECT DISTINCT v.rule, v.parcel_id FROM parcel_violations v
                       WHERE {where}),
            levels AS (SELECT rule, parcel_id FROM v
                       UNION SELECT NULL, parcel_id FROM v)
            SELECT l.rule, ST_Area(ST_Transform(ST_Union({valid('p.geom')}), 32642)) / 10000
            FROM levels l JOIN parcels p ON p.id = l.parcel_id GROUP BY l.rule
        """), params).all()
    return {rule: float(ha) for rule, ha in rows}


@pytest.mark.parametrize("selection", [Selection(), Selection(rule="R1"),
                                       Selection(rule="R2"), Selection(state="new")],
                         ids=["all", "R1", "R2", "new"])
def test_hectares_are_the_area_of_the_union(union_engine: Engine,
                                            selection: Selection) -> None:
    expected = union_hectares(union_engine, selection)
    with union_engine.connect() as conn:
        got = {t.rule: t.hectares for t in totals(conn, selection) if t.violations}
    assert set(got) == set(expected)
    for rule, hectares in expected.items():
        assert got[rule] == pytest.approx(hectares, abs=1e-4), rule


def test_the_fixture_has_overlaps_within_a_rule_and_across_rules(
        union_engine: Engine) -> None:
    with union_engine.connect() as conn:
        by_rule = dict(conn.execute(text("""
            SELECT v.rule, count(DISTINCT v.parcel_id) FROM parcel_violations v
            GROUP BY v.rule""")).all())
    assert by_rule["R2"] >= 3 and by_rule["R1"] >= 5 and by_rule["R5"] == 1
    overall = union_hectares(union_engine, Selection())[None]
    summed = sum(union_hectares(union_engine, Selection(rule=r))[r] for r in by_rule)
    assert overall < summed  # the levels share parcels and the parcels overlap
