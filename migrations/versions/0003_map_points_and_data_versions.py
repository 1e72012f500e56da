"""A narrow, trigger-kept copy of the complaints the map layers and the dashboards scan, and a counter of
changes per table for caches of derived figures.

Both are kept by statement-level triggers with transition tables, so every writer
(import, demo load, the case workflow, a manual UPDATE) keeps them right, and a batch
of 25,000 rows costs one INSERT ... SELECT, not 25,000 trigger calls.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POINT_COLUMNS = ("id, lon, lat, received_at, category, status, source, microdistrict_id, "
                 "resolved_at")
# No point (geocode precision `none`) still counts in the per-microdistrict figures.
POINT_VALUES = ("id, ST_X(geom), ST_Y(geom), received_at, category, status, source, "
                "microdistrict_id, resolved_at")
CHANGED = ("(n.geom IS DISTINCT FROM o.geom OR n.received_at <> o.received_at "
           "OR n.category <> o.category OR n.status <> o.status OR n.source <> o.source "
           "OR n.microdistrict_id IS DISTINCT FROM o.microdistrict_id "
           "OR n.resolved_at IS DISTINCT FROM o.resolved_at)")

FUNCTIONS = f"""
CREATE FUNCTION geoapp_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (name, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
    ON CONFLICT (name) DO UPDATE
        SET version = data_versions.version + 1, changed_at = now();
    RETURN NULL;
END $$;

CREATE FUNCTION geoapp_map_points_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO complaint_map_points ({POINT_COLUMNS})
    SELECT {POINT_VALUES} FROM new_rows;
    RETURN NULL;
END $$;

CREATE FUNCTION geoapp_map_points_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM complaint_map_points p USING old_rows o, new_rows n
    WHERE p.id = o.id AND n.id = o.id
      AND {CHANGED};
    INSERT INTO complaint_map_points ({POINT_COLUMNS})
    SELECT n.id, ST_X(n.geom), ST_Y(n.geom), n.received_at, n.category, n.status, n.source,
           n.microdistrict_id, n.resolved_at
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {CHANGED};
    RETURN NULL;
END $$;

CREATE FUNCTION geoapp_map_points_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM complaint_map_points p USING old_rows o WHERE p.id = o.id;
    RETURN NULL;
END $$;

CREATE FUNCTION geoapp_map_points_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE complaint_map_points;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER map_points_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION geoapp_map_points_insert();
CREATE TRIGGER map_points_update AFTER UPDATE ON complaints
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION geoapp_map_points_update();
CREATE TRIGGER map_points_delete AFTER DELETE ON complaints
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION geoapp_map_points_delete();
CREATE TRIGGER map_points_truncate AFTER TRUNCATE ON complaints
    FOR EACH STATEMENT EXECUTE FUNCTION geoapp_map_points_truncate();
"""

VERSIONED_TABLES = ("complaints", "microdistricts")


def upgrade() -> None:
    op.create_table(
        "complaint_map_points",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("lon", sa.REAL(), nullable=True),
        sa.Column("lat", sa.REAL(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("microdistrict_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_map_points")),
    )
    op.create_table(
        "data_versions",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.execute(FUNCTIONS)
    op.execute(TRIGGERS)
    for table in VERSIONED_TABLES:
        op.execute(f"""
            CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION geoapp_bump_data_version()""")
    op.execute(f"""
        INSERT INTO complaint_map_points ({POINT_COLUMNS})
        SELECT {POINT_VALUES} FROM complaints""")


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        op.execute(f"DROP TRIGGER data_version ON {table}")
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER map_points_{event} ON complaints")
        op.execute(f"DROP FUNCTION geoapp_map_points_{event}()")
    op.execute("DROP FUNCTION geoapp_bump_data_version()")
    op.drop_table("data_versions")
    op.drop_table("complaint_map_points")
