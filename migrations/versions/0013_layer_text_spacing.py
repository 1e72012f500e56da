"""Layer text with each run of white space as one space.

The layer import now reads `ул. Абая,  5` (or with a non-breaking space) as
`ул. Абая, 5`, so a register saved again with other spacing stays the same feature.
Features imported before it keep the spacing they were written with, and their
register imported again would add them a second time: their names, addresses and
other text take the single-spaced form here. A key whose single-spaced form another
feature already holds (or several would share) is left as it is, for a person to see.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 11:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What Python's str.split() takes for white space, as far as text from a register goes.
WHITE_RUN = r"[\s\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0085]+"

# (table, key column, the columns the key is unique within)
KEYS = (("microdistricts", "name", ()), ("buildings", "address", ()),
        ("zones", "name", ("kind",)))
OTHER_TEXT = (("microdistricts", "name_kk"), ("buildings", "address_kk"),
              ("parcels", "holder"), ("parcels", "decision_ref"),
              ("zones", "decision_ref"))


def _single_spaced(column: str) -> str:
    return f"btrim(regexp_replace({column}, '{WHITE_RUN}', ' ', 'g'), ' ')"


def upgrade() -> None:
    for table, column, within in KEYS:
        same = "".join(f" AND o.{c} = f.{c}" for c in within)
        group = "".join(f", {c}" for c in within)
        op.execute(f"""
            WITH formed AS (
                SELECT id{group}, {_single_spaced(column)} AS value FROM {table}
                WHERE {column} <> {_single_spaced(column)}
            ), alone AS (
                SELECT f.id, f.value FROM formed f
                WHERE f.value <> ''
                  AND NOT EXISTS (SELECT 1 FROM {table} o
                                  WHERE o.{column} = f.value{same})
                  AND (SELECT count(*) FROM formed o WHERE o.value = f.value{same}) = 1
            )
            UPDATE {table} t SET {column} = a.value FROM alone a WHERE t.id = a.id
        """)
    for table, column in OTHER_TEXT:
        op.execute(f"""
            UPDATE {table} SET {column} = nullif({_single_spaced(column)}, '')
            WHERE {column} <> {_single_spaced(column)}
        """)


def downgrade() -> None:
    """The earlier spacing is not kept: nothing to undo."""
