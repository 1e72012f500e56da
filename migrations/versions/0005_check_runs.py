"""When the parcel checks last ran, so that pages can say the register is behind a
parcel or zone layer imported since.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_runs")),
    )
    # Violations already in the register were found by a run, at their last sighting.
    op.execute("""
        INSERT INTO check_runs (finished_at, summary)
        SELECT max(last_seen_at), NULL FROM parcel_violations HAVING count(*) > 0
    """)


def downgrade() -> None:
    op.drop_table("check_runs")
