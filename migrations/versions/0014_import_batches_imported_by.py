"""Who ran an import from the browser.

An import from `/imports` records the account that uploaded the file, so that the
history says who loaded what; imports from the command line leave it empty.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 11:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_batches", sa.Column("imported_by", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("import_batches", "imported_by")
