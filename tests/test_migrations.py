"""The migrations build the schema the models describe, and run both ways."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from geoapp.db import make_engine
from geoapp.migrate import current_revision, downgrade, schema_differences, upgrade

GEOMETRY_TABLES = ("microdistricts", "buildings", "parcels", "zones", "complaints",
                   "parcel_violations")


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert schema_differences(engine) == []


def test_every_geometry_has_a_gist_index_and_srid_4326(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT f_table_name, srid FROM geometry_columns
            WHERE f_table_schema = 'public' ORDER BY 1
        """)).all()
        assert sorted(t for t, _ in rows) == sorted(GEOMETRY_TABLES)
        assert {srid for _, srid in rows} == {4326}
        gist = conn.execute(text("""
            SELECT t.relname FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_class ix ON ix.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ix.relam
            WHERE am.amname = 'gist'
        """)).scalars().all()
    assert set(GEOMETRY_TABLES) <= set(gist)


def test_constraints_and_timestamptz(engine: Engine) -> None:
    insp = inspect(engine)
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("complaints")}
    assert ("source", "external_id") in uniques
    assert ("cadastral_number",) in {
        tuple(u["column_names"]) for u in insp.get_unique_constraints("parcels")
    }
    checks = {c["name"] for c in insp.get_check_constraints("complaints")}
    assert "ck_complaints_status_known" in checks
    assert "ck_users_role_known" in {c["name"] for c in insp.get_check_constraints("users")}
    with engine.connect() as conn:
        naive = conn.execute(text("""
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'
        """)).scalars().all()
    assert naive == []


def test_downgrade_to_base_and_upgrade_to_head(new_database) -> None:
    engine = make_engine(new_database("roundtrip"))
    try:
        upgrade(engine)
        assert current_revision(engine) is not None
        downgrade(engine, "base")
        assert current_revision(engine) is None
        left = set(inspect(engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        assert left == set()
        upgrade(engine)
        assert current_revision(engine) is not None
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_the_row_note_of_complaints_imported_before_0011_is_recovered(new_database) -> None:
    """The part of the note up to "coordinates outside the city; …" is the row's own."""
    engine = make_engine(new_database("row_note"))
    outside = "coordinates outside the city; the address used instead"
    notes = {"A": f"coordinates ignored: not a number; {outside}; address not found",
             "B": "address not found in the register", "C": None}
    try:
        upgrade(engine, "0010")
        with engine.begin() as conn:
            for external_id, note in notes.items():
                conn.execute(text("""
                    INSERT INTO complaints (source, external_id, received_at, category, text,
                                            geocode_note)
                    VALUES ('109', :e, now(), 'other', 'x', :note)"""),
                    {"e": external_id, "note": note})
        upgrade(engine)
        with engine.connect() as conn:
            row_notes = dict(conn.execute(text(
                "SELECT external_id, row_note FROM complaints")).all())
        assert row_notes == {"A": f"coordinates ignored: not a number; {outside}",
                             "B": None, "C": None}
    finally:
        engine.dispose()


def test_cadastral_numbers_imported_before_0012_take_the_contract_form(new_database) -> None:
    """Unless a parcel already has that form: such a pair is left as it is."""
    engine = make_engine(new_database("cadastral_form"))
    written = ["06-097-001-001", "06097001002", "06.097.001.0003", "06:097:001:004",
               "06-097-001-005", "06:097:001:005", "б/н"]
    try:
        upgrade(engine, "0011")
        with engine.begin() as conn:
            for i, number in enumerate(written):
                conn.execute(text("""
                    INSERT INTO parcels (cadastral_number, land_use, declared_area_ha, status,
                                         geom)
                    VALUES (:n, 'residential', 0.1, 'active', ST_Multi(ST_Expand(
                        ST_SetSRID(ST_MakePoint(71.3 + :i * 0.01, 42.9), 4326), 0.001)))"""),
                    {"n": number, "i": i})
        upgrade(engine)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT cadastral_number FROM parcels ORDER BY id"))
            assert list(stored.scalars()) == [
                "06:097:001:001", "06:097:001:002", "06:097:001:0003", "06:097:001:004",
                "06-097-001-005", "06:097:001:005", "б/н"]
    finally:
        engine.dispose()


def test_layer_text_imported_before_0013_is_single_spaced(new_database) -> None:
    """Keys too, unless another feature holds the single-spaced key already."""
    engine = make_engine(new_database("layer_spacing"))
    written = [("ул. Абая,  5", "Абай\u00a0көшесі, 5"), ("ул. Абая, 7", None),
               ("ул. Абая,\u00a07", None), (" ул. Абая,\t9 ", "  ")]
    try:
        upgrade(engine, "0012")
        with engine.begin() as conn:
            for i, (address, address_kk) in enumerate(written):
                conn.execute(text("""
                    INSERT INTO buildings (address, address_kk, geom)
                    VALUES (:a, :kk, ST_SetSRID(ST_MakePoint(71.3 + :i * 0.01, 42.9), 4326))
                """), {"a": address, "kk": address_kk, "i": i})
            conn.execute(text("""
                INSERT INTO zones (kind, name, valid_from, geom)
                SELECT kind, name, '2020-01-01', ST_Multi(ST_Expand(
                    ST_SetSRID(ST_MakePoint(71.3, 42.9), 4326), 0.001))
                FROM (VALUES ('water_protection', 'р.  Талас'),
                             ('green', 'р. Талас')) v(kind, name)"""))
        upgrade(engine)
        with engine.connect() as conn:
            buildings = conn.execute(text(
                "SELECT address, address_kk FROM buildings ORDER BY id")).all()
            zones = conn.execute(text("SELECT name FROM zones ORDER BY id")).scalars().all()
        assert [tuple(b) for b in buildings] == [
            ("ул. Абая, 5", "Абай көшесі, 5"), ("ул. Абая, 7", None),
            ("ул. Абая,\u00a07", None), ("ул. Абая, 9", None)]
        assert zones == ["р. Талас", "р. Талас"]
    finally:
        engine.dispose()
