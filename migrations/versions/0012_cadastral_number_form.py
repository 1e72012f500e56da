"""Cadastral numbers in the contract's form.

The layer import now stores a cadastral number written with other separators or
none (`06-097-012-345`, `06097012345`) as `06:097:012:345`. Parcels imported before
it keep the form they were written in, and their register imported again would add
them a second time under the new form: they take that form here, unless a parcel
already has it (such a pair is left for an inspector to see).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The forms geoapp.ingest.layer_values reads, in SQL.
SEPARATED = (r"^(\d{2})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3,4})$")
RUN = r"^(\d{2})(\d{3})(\d{3})(\d{3,4})$"


def upgrade() -> None:
    op.execute(f"""
        WITH formed AS (
            SELECT id, CASE WHEN cadastral_number ~ '{SEPARATED}'
                            THEN regexp_replace(cadastral_number, '{SEPARATED}',
                                                '\\1:\\2:\\3:\\4')
                            ELSE regexp_replace(cadastral_number, '{RUN}', '\\1:\\2:\\3:\\4')
                       END AS number
            FROM parcels
            WHERE cadastral_number ~ '{SEPARATED}' OR cadastral_number ~ '{RUN}'
        ), alone AS (
            SELECT f.id, f.number FROM formed f
            WHERE f.number <> (SELECT cadastral_number FROM parcels WHERE id = f.id)
              AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.cadastral_number = f.number)
              AND (SELECT count(*) FROM formed g WHERE g.number = f.number) = 1
        )
        UPDATE parcels p SET cadastral_number = a.number FROM alone a WHERE p.id = a.id
    """)


def downgrade() -> None:
    """The earlier form is not kept: nothing to undo."""
