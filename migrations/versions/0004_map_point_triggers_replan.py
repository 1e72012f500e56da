"""The map-points triggers plan their joins on each call.

PL/pgSQL keeps the plan of a statement without parameters for the whole session, and
a transition table's size is known only when it is planned. A connection whose first
UPDATE of complaints touched one row kept a nested loop over old × new rows: a later
UPDATE of 8,000 rows on it took 35 s instead of 0.3 s (and, the other way round, a
one-row update after a bulk one scanned the whole copy). EXECUTE plans each time, for
the rows at hand; the planning costs well under a millisecond.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POINT_COLUMNS = ("id, lon, lat, received_at, category, status, source, microdistrict_id, "
                 "resolved_at")
CHANGED = ("(n.geom IS DISTINCT FROM o.geom OR n.received_at <> o.received_at "
           "OR n.category <> o.category OR n.status <> o.status OR n.source <> o.source "
           "OR n.microdistrict_id IS DISTINCT FROM o.microdistrict_id "
           "OR n.resolved_at IS DISTINCT FROM o.resolved_at)")
UPDATE_STATEMENTS = (
    f"""DELETE FROM complaint_map_points p USING old_rows o, new_rows n
    WHERE p.id = o.id AND n.id = o.id
      AND {CHANGED}""",
    f"""INSERT INTO complaint_map_points ({POINT_COLUMNS})
    SELECT n.id, ST_X(n.geom), ST_Y(n.geom), n.received_at, n.category, n.status, n.source,
           n.microdistrict_id, n.resolved_at
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {CHANGED}""",
)
DELETE_STATEMENT = "DELETE FROM complaint_map_points p USING old_rows o WHERE p.id = o.id"


def _function(name: str, statements: Sequence[str], dynamic: bool) -> str:
    def body(statement: str) -> str:
        return f"EXECUTE $sql${statement}$sql$;" if dynamic else f"{statement};"

    lines = "\n    ".join(body(s) for s in statements)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {lines}
    RETURN NULL;
END $$;"""


def upgrade() -> None:
    op.execute(_function("geoapp_map_points_update", UPDATE_STATEMENTS, dynamic=True))
    op.execute(_function("geoapp_map_points_delete", (DELETE_STATEMENT,), dynamic=True))


def downgrade() -> None:
    op.execute(_function("geoapp_map_points_update", UPDATE_STATEMENTS, dynamic=False))
    op.execute(_function("geoapp_map_points_delete", (DELETE_STATEMENT,), dynamic=False))
