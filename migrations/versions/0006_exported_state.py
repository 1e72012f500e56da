"""What the source last exported for a complaint's status, resolution time and
department, so that a re-import applies the source's own changes and keeps what
officials changed in geoapp since (see complaint_sql.UPSERT).

No foreign key on the department: it records what the source said, and checking it
would cost every imported row a lookup for a value nothing joins on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding them rewrites nothing. NULL (rows imported before,
    # or created otherwise) means the current values are what the source said.
    op.add_column("complaints", sa.Column("exported_status", sa.Text(), nullable=True))
    op.add_column("complaints", sa.Column("exported_resolved_at",
                                          sa.DateTime(timezone=True), nullable=True))
    op.add_column("complaints", sa.Column("exported_department_id", sa.Integer(),
                                          nullable=True))


def downgrade() -> None:
    op.drop_column("complaints", "exported_department_id")
    op.drop_column("complaints", "exported_resolved_at")
    op.drop_column("complaints", "exported_status")
