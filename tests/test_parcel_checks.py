"""The parcel rules: the demo's planted violations found exactly, handmade edge cases,
and review state surviving a re-run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from helpers import run_geoapp
from parcel_fixtures import add_land_complaints, add_parcel, add_zone, box, local
from sqlalchemy import Engine, text

from geoapp.analysis.rule_config import load_rules
from geoapp.analysis.violations import Selection, review, run_checks, totals
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.db import make_engine
from geoapp.errors import ConfigError, InputError
from geoapp.migrate import upgrade


def flagged(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT v.rule, p.cadastral_number FROM parcel_violations v
            JOIN parcels p ON p.id = v.parcel_id WHERE v.resolved_at IS NULL""")).all()
    out: dict[str, set[str]] = {}
    for rule, number in rows:
        out.setdefault(rule, set()).add(number)
    return out


@pytest.fixture(scope="module")
def demo_checked(demo_engine: Engine) -> dict[str, set[str]]:
    with demo_engine.begin() as conn:
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    return flagged(demo_engine)


def test_demo_recall_and_precision_r1_to_r3(demo_checked: dict, demo_manifest: dict) -> None:
    fact = demo_manifest["planted_facts"]["land_violations"]
    assert demo_checked["R1"] == {p["cadastral_number"] for p in fact["state_needs"]["parcels"]}
    assert demo_checked["R2"] == {p["newer"]["cadastral_number"]
                                  for p in fact["double_allocation"]["pairs"]}
    assert demo_checked["R3"] == {p["cadastral_number"]
                                  for p in fact["water_protection"]["parcels"]}


def test_demo_r4_to_r6_flag_no_clean_parcel(demo_checked: dict, demo_manifest: dict) -> None:
    violating = set(demo_manifest["planted_facts"]["land_violations"]
                    ["violating_cadastral_numbers"])
    decoys = {d["cadastral_number"] for d in demo_manifest["planted_facts"]["clean_decoys"]}
    everything = set().union(*demo_checked.values())
    assert everything == violating
    assert not decoys & everything
    for code in ("R4", "R5", "R6"):
        assert demo_checked.get(code, set()) <= violating


def test_demo_totals(demo_checked: dict, demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        by_rule = {t.rule: t for t in totals(conn, codes=tuple(load_rules()))}
    assert 10.5 <= by_rule[None].hectares <= 11.5
    assert 93_000_000 <= by_rule["R1"].cadastral_value_kzt <= 95_000_000
    assert by_rule[None].parcels == len(set().union(*demo_checked.values()))
    # hectares are a union: never more than the sum over rules
    assert by_rule[None].hectares <= sum(t.hectares for r, t in by_rule.items() if r)


def test_demo_violation_carries_its_evidence(demo_checked: dict, demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        row = conn.execute(text("""
            SELECT v.*, z.kind, ST_GeometryType(v.geom) AS gtype FROM parcel_violations v
            JOIN zones z ON z.id = v.zone_id WHERE v.rule = 'R1' LIMIT 1""")).mappings().one()
        pair = conn.execute(text("""
            SELECT v.other_parcel_id, v.parcel_date, v.other_date FROM parcel_violations v
            WHERE v.rule = 'R2' LIMIT 1""")).one()
    assert row["kind"] == "state_needs" and row["gtype"] == "ST_MultiPolygon"
    assert row["overlap_m2"] > 100 and float(row["overlap_ha"]) == pytest.approx(
        row["overlap_m2"] / 10000, abs=1e-4)
    assert row["parcel_date"] >= row["other_date"] and row["cadastral_value_kzt"] > 0
    assert pair[0] is not None and pair[1] >= pair[2]


def test_cli_check_parcels_json(demo_db_url: str, demo_checked: dict) -> None:
    proc = run_geoapp("check", "parcels", "--json", env={"DATABASE_URL": demo_db_url})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    overall = data["totals"][-1]
    assert overall["rule"] is None and 10.5 <= overall["hectares"] <= 11.5
    assert data["found"]["R1"] == len(demo_checked["R1"]) and data["resolved"] == 0
    plain = run_geoapp("check", "parcels", env={"DATABASE_URL": demo_db_url})
    assert plain.returncode == 0 and "R1 state_needs" in plain.stdout
    assert "94,000,000" in plain.stdout


# -- handmade edge cases in a fresh database ---------------------------------
ZONE_FROM = date(2022, 3, 15)
AFTER = date(2023, 1, 10)


@pytest.fixture(scope="module")
def edge_engine(new_database) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    engine = make_engine(new_database("parcel_edges"))
    upgrade(engine)
    with engine.begin() as conn:
        add_zone(conn, "state_needs", "школа", box(0, 0, 1000, 1000), ZONE_FROM)
        add_zone(conn, "water_protection", "река", box(3000, 0, 3200, 1000), date(2015, 7, 1))
        add_parcel(conn, "06:097:001:001", box(1000, 0, 1045, 100), AFTER)  # touches only
        add_parcel(conn, "06:097:001:002", box(999.5, 200, 1099.5, 300), AFTER)  # 50 m², 0.5%
        add_parcel(conn, "06:097:001:003", box(998.5, 400, 1098.5, 500), AFTER)  # 150 m²
        add_parcel(conn, "06:097:001:004", box(100, 100, 150, 150), date(2022, 3, 14))
        add_parcel(conn, "06:097:001:005", box(200, 100, 250, 150), ZONE_FROM)
        add_parcel(conn, "06:097:001:006", "MULTIPOLYGON(((300 300,340 300,340 340,300 340,"
                   "300 300)),((1200 300,1240 300,1240 340,1200 340,1200 300)))", AFTER)
        # a small sliver: 2 m x 20 m of a 400 m x 400 m parcel (0.025%, 40 m²)
        add_parcel(conn, "06:097:001:007", box(-398, 600, 2, 620), AFTER)
        # water: a commercial ring around the zone-free hole; one commercial inside
        add_parcel(conn, "06:097:002:001", "POLYGON((2900 1100,3300 1100,3300 1500,2900 1500,"
                   "2900 1100),(2950 1150,3250 1150,3250 1450,2950 1450,2950 1150))",
                   date(2010, 1, 1), "recreation")
        add_parcel(conn, "06:097:002:002", box(3000, 1200, 3100, 1300), date(2011, 1, 1),
                   "commercial")  # in the hole of 002:001: no overlap
        add_parcel(conn, "06:097:002:003", box(3150, 100, 3250, 200), date(2012, 1, 1),
                   "commercial")  # half in the water strip
        add_parcel(conn, "06:097:002:004", box(3100, 300, 3150, 350), date(2012, 1, 1),
                   "public")  # permitted
        # double allocation: 003:002 is newer and lies on most of 003:001
        add_parcel(conn, "06:097:003:001", box(5000, 0, 5100, 100), date(2015, 1, 1),
                   "commercial")
        add_parcel(conn, "06:097:003:002", box(5003, 4, 5103, 104), date(2019, 1, 1),
                   "commercial")
        add_parcel(conn, "06:097:003:003", box(5200, 0, 5260, 60), date(2016, 1, 1))
        add_parcel(conn, "06:097:003:004", box(5259.6, 15, 5319.6, 75), date(2018, 1, 1))
        # R4: declared half the geometric area; R5: a bow-tie and a parcel outside the city
        add_parcel(conn, "06:097:004:001", box(7000, 0, 7100, 100), date(2014, 1, 1),
                   declared_ha=0.5)
        add_parcel(conn, "06:097:004:002", box(7200, 0, 7300, 100), date(2014, 1, 1),
                   declared_ha=1.04)
        add_parcel(conn, "06:097:004:003", "", date(2014, 1, 1), declared_ha=1.0,
                   raw_ewkt=local(conn, "POLYGON((7400 0,7500 100,7500 0,7400 100,7400 0))"))
        add_parcel(conn, "06:097:004:004", "", date(2014, 1, 1),
                   raw_ewkt="SRID=4326;MULTIPOLYGON(((71.10 42.50,71.11 42.50,71.11 42.51,"
                            "71.10 42.51,71.10 42.50)))")
        # R6: complaints on one parcel (8) and a few next to another (3)
        add_parcel(conn, "06:097:005:001", box(9000, 0, 9050, 50), date(2014, 1, 1))
        add_parcel(conn, "06:097:005:002", box(9200, 0, 9250, 50), date(2014, 1, 1))
        add_land_complaints(conn, "POINT(9025 25)", 8, "on")
        add_land_complaints(conn, "POINT(9265 25)", 3, "near")
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    yield engine
    engine.dispose()


def test_state_needs_edges(edge_engine: Engine) -> None:
    r1 = flagged(edge_engine).get("R1", set())
    assert "06:097:001:001" not in r1  # touches the boundary only
    assert "06:097:001:002" not in r1  # sliver below both thresholds
    assert "06:097:001:003" in r1  # 150 m² > 100 m²
    assert "06:097:001:004" not in r1  # allocated the day before valid_from
    assert "06:097:001:005" in r1  # allocated on valid_from
    assert "06:097:001:006" in r1  # a MultiPolygon with one part inside
    assert "06:097:001:007" not in r1
    with edge_engine.connect() as conn:
        overlap = conn.execute(text("""
            SELECT v.overlap_m2, v.overlap_share FROM parcel_violations v
            JOIN parcels p ON p.id = v.parcel_id
            WHERE p.cadastral_number = '06:097:001:006' AND v.rule = 'R1'""")).one()
    assert overlap[0] == pytest.approx(1600, rel=0.01)
    assert overlap[1] == pytest.approx(0.5, rel=0.01)


def test_water_protection_and_holes(edge_engine: Engine) -> None:
    found = flagged(edge_engine)
    assert found.get("R3", set()) == {"06:097:002:003"}
    assert not {"06:097:002:001", "06:097:002:002"} & set().union(*found.values())


def test_double_allocation_names_the_newer(edge_engine: Engine) -> None:
    assert flagged(edge_engine).get("R2", set()) == {"06:097:003:002"}
    with edge_engine.connect() as conn:
        other = conn.execute(text("""
            SELECT o.cadastral_number FROM parcel_violations v
            JOIN parcels o ON o.id = v.other_parcel_id WHERE v.rule = 'R2'""")).scalar_one()
    assert other == "06:097:003:001"


def test_area_geometry_and_complaint_rules(edge_engine: Engine) -> None:
    found = flagged(edge_engine)
    assert found.get("R4", set()) == {"06:097:004:001"}
    assert found.get("R5", set()) == {"06:097:004:003", "06:097:004:004"}
    assert found.get("R6", set()) == {"06:097:005:001"}  # 3 nearby is below 8


def test_review_state_survives_rerun_and_vanished_are_resolved(edge_engine: Engine) -> None:
    with edge_engine.begin() as conn:
        ids = dict(conn.execute(text("""
            SELECT p.cadastral_number, v.id FROM parcel_violations v
            JOIN parcels p ON p.id = v.parcel_id WHERE v.rule = 'R1'""")).all())
        review(conn, ids["06:097:001:005"], "confirmed", "inspector", None)
        review(conn, ids["06:097:001:003"], "dismissed", "inspector", "boundary survey error")
        with pytest.raises(InputError):
            review(conn, ids["06:097:001:006"], "dismissed", "inspector", "  ")
    with edge_engine.begin() as conn:
        conn.execute(text("""UPDATE parcels SET allocated_at = '2020-01-01'
                             WHERE cadastral_number = '06:097:001:006'"""))
        result = run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    assert result.resolved == 1
    with edge_engine.connect() as conn:
        states = dict(conn.execute(text("""
            SELECT p.cadastral_number, v.review_state || coalesce(':' || v.review_comment, '')
                   || CASE WHEN v.resolved_at IS NULL THEN '' ELSE ' resolved' END
            FROM parcel_violations v JOIN parcels p ON p.id = v.parcel_id
            WHERE v.rule = 'R1'""")).all())
        history = conn.execute(text("""
            SELECT to_state, actor, comment FROM violation_reviews WHERE violation_id = :id
            ORDER BY id"""), {"id": ids["06:097:001:006"]}).all()
        open_r1 = next(t for t in totals(conn, Selection(rule="R1")) if t.rule == "R1")
    assert states["06:097:001:005"] == "confirmed"
    assert states["06:097:001:003"] == "dismissed:boundary survey error"
    assert states["06:097:001:006"] == "new resolved"
    assert [tuple(h) for h in history] == \
        [("resolved", "geoapp check", "no longer found by the checks")]
    assert open_r1.violations == 2


def test_rule_config_is_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = load_rules()
    assert list(rules) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert rules["R1"].params["min_share"] == 0.01 and rules["R1"].severity == "high"
    bad = tmp_path / "rules.toml"
    bad.write_text('[R9]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_rules(bad)
    bad.write_text('[R1]\nname = "x"\nseverity = "fatal"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_rules(bad)
    assert all(r.titled(lang) != r.name for r in rules.values() for lang in ("ru", "kk", "en"))
    bare = tmp_path / "bare.toml"  # a title is optional: the name stands in
    bare.write_text('[R1]\nname = "x"\nseverity = "low"\n[R1.description]\nen = "d"\n',
                    encoding="utf-8")
    assert load_rules(bare)["R1"].titled("ru") == "x"
    bad.write_text('[R1]\nname = "x"\nseverity = "low"\ntitle = "Зона"\n'
                   '[R1.description]\nen = "d"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="`title` is a table of languages"):
        load_rules(bad)
