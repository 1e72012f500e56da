"""Complaints known only to their microdistrict are not drawn as points.

Such a complaint (geocode precision `microdistrict`: "15 мкр" without a house) is
stored at the microdistrict's representative point. Drawn there, a hundred of them
make a heat spot, a cluster and a hotspot where nothing happened. The narrow map
copy now keeps them without a point (lon/lat NULL), like complaints not located at
all: they still count in every per-microdistrict figure. The copy is also refreshed
when only the precision of a complaint changes, and a partial index finds the
complaints kept without a point inside a microdistrict, so that a map layer can say
how many it does not draw.

Downgrade restores the functions of 0003/0004 and the points of those complaints.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POINT_COLUMNS = ("id, lon, lat, received_at, category, status, source, microdistrict_id, "
                 "resolved_at")
AREA_ONLY = "'microdistrict'"
INDEX = "ix_complaint_map_points_area_only"
INDEX_WHERE = "lon IS NULL AND microdistrict_id IS NOT NULL"
CHANGED = ("(n.geom IS DISTINCT FROM o.geom OR n.received_at <> o.received_at "
           "OR n.category <> o.category OR n.status <> o.status OR n.source <> o.source "
           "OR n.microdistrict_id IS DISTINCT FROM o.microdistrict_id "
           "OR n.resolved_at IS DISTINCT FROM o.resolved_at{more})")


def _values(row: str, area_only_drawn: bool) -> str:
    prefix = f"{row}." if row else ""
    if area_only_drawn:
        x, y = f"ST_X({prefix}geom)", f"ST_Y({prefix}geom)"
    else:
        hidden = f"{prefix}geocode_precision IN ({AREA_ONLY})"
        x = f"CASE WHEN {hidden} THEN NULL ELSE ST_X({prefix}geom) END"
        y = f"CASE WHEN {hidden} THEN NULL ELSE ST_Y({prefix}geom) END"
    return (f"{prefix}id, {x}, {y}, {prefix}received_at, {prefix}category, {prefix}status, "
            f"{prefix}source, {prefix}microdistrict_id, {prefix}resolved_at")


def _functions(area_only_drawn: bool) -> str:
    changed = CHANGED.format(more="" if area_only_drawn else
                             " OR n.geocode_precision <> o.geocode_precision")
    # The update function plans its statements on each call (see 0004).
    update = (
        f"""DELETE FROM complaint_map_points p USING old_rows o, new_rows n
        WHERE p.id = o.id AND n.id = o.id AND {changed}""",
        f"""INSERT INTO complaint_map_points ({POINT_COLUMNS})
        SELECT {_values("n", area_only_drawn)}
        FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed}""",
    )
    update_body = "\n    ".join(f"EXECUTE $sql${s}$sql$;" for s in update)
    return f"""
CREATE OR REPLACE FUNCTION geoapp_map_points_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO complaint_map_points ({POINT_COLUMNS})
    SELECT {_values("", area_only_drawn)} FROM new_rows;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION geoapp_map_points_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {update_body}
    RETURN NULL;
END $$;"""


def upgrade() -> None:
    op.execute(_functions(area_only_drawn=False))
    op.execute(f"""UPDATE complaint_map_points p SET lon = NULL, lat = NULL FROM complaints c
                   WHERE c.id = p.id AND c.geocode_precision IN ({AREA_ONLY})""")
    op.create_index(INDEX, "complaint_map_points", ["microdistrict_id"],
                    postgresql_where=INDEX_WHERE)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="complaint_map_points")
    op.execute(_functions(area_only_drawn=True))
    op.execute(f"""UPDATE complaint_map_points p SET lon = ST_X(c.geom), lat = ST_Y(c.geom)
                   FROM complaints c
                   WHERE c.id = p.id AND c.geocode_precision IN ({AREA_ONLY})""")
