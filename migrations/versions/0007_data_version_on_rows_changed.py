"""A table's data version moves only when a statement changed rows.

The statement-level trigger of 0003 fired for every INSERT, UPDATE or DELETE, so a
re-import that changed nothing (an upsert whose WHERE keeps every row as it is) still
bumped `data_versions`, and the server recomputed its public figures and dropped its
caches for nothing. Each event now has its own trigger with its transition table (one
trigger cannot name transition tables for several events), and the version moves
when that table holds a row; TRUNCATE still always moves it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED_TABLES = ("complaints", "microdistricts")  # as in 0003

BUMP = """
    INSERT INTO data_versions (name, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
    ON CONFLICT (name) DO UPDATE
        SET version = data_versions.version + 1, changed_at = now();"""

# Each branch names only the transition table its own trigger defines: PL/pgSQL plans
# a statement when it first runs it.
FUNCTION = f"""
CREATE FUNCTION geoapp_bump_data_version_if_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NOT EXISTS (SELECT FROM new_rows) THEN RETURN NULL; END IF;
    END IF;{BUMP}
    RETURN NULL;
END $$;"""

TRIGGERS = {
    "insert": "AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON {table} REFERENCING NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows",
    "truncate": "AFTER TRUNCATE ON {table}",
}


def upgrade() -> None:
    op.execute(FUNCTION)
    for table in VERSIONED_TABLES:
        op.execute(f"DROP TRIGGER data_version ON {table}")
        for event, timing in TRIGGERS.items():
            op.execute(f"""
                CREATE TRIGGER data_version_{event} {timing.format(table=table)}
                FOR EACH STATEMENT EXECUTE FUNCTION geoapp_bump_data_version_if_changed()""")


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        for event in TRIGGERS:
            op.execute(f"DROP TRIGGER data_version_{event} ON {table}")
        op.execute(f"""
            CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION geoapp_bump_data_version()""")
    op.execute("DROP FUNCTION geoapp_bump_data_version_if_changed()")
