"""The row's own notes on a complaint's location, kept apart from the geocoder's.

A complaint placed by its address short of a building is geocoded again when a
register changes (geoapp.ingest.relocate). Its new note is then the row's own notes
(coordinates outside the city, ignored or half given; an address cut to length)
followed by what the geocoder says now; `geocode_note` holds both joined, so the
row's part is kept here.

Complaints imported before this revision have the row's note only where the import
wrote "coordinates outside the city; the address used instead" (the part of the
note up to it is the row's); for the others it stays empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTSIDE = "coordinates outside the city; the address used instead"


def upgrade() -> None:
    op.add_column("complaints", sa.Column("row_note", sa.Text(), nullable=True))
    op.execute(f"""UPDATE complaints
                   SET row_note = substring(geocode_note FROM '^(.*{OUTSIDE})')
                   WHERE strpos(geocode_note, '{OUTSIDE}') > 0""")


def downgrade() -> None:
    op.drop_column("complaints", "row_note")
