"""Geocode precision `parcel`, and no parcel for complaints placed only approximately.

An address naming a cadastral number of the parcels layer ("мкр. Тастак, уч.
06:097:819:013") now places the complaint on that parcel (precision `parcel`).
A complaint placed at a microdistrict's representative point or at a street's house
(precision `microdistrict` or `street`) was given the parcel under that point, a
parcel it says nothing about; those links are cleared here, and the import no
longer makes them. Complaints imported before keep their location (a re-import does
not geocode a stored complaint again).

Downgrade reads `parcel` as `street` (a point placed from the address, not the
house), the nearest of the older levels.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_complaints_precision_known"
OLD = ("coordinates", "building", "street", "microdistrict", "none")
NEW = ("coordinates", "building", "parcel", "street", "microdistrict", "none")


def _check(values: tuple[str, ...]) -> None:
    op.drop_constraint(op.f(CONSTRAINT), "complaints", type_="check")
    quoted = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(op.f(CONSTRAINT), "complaints",
                               f"geocode_precision IN ({quoted})")


def upgrade() -> None:
    _check(NEW)
    op.execute("UPDATE complaints SET parcel_id = NULL "
               "WHERE geocode_precision IN ('street', 'microdistrict') AND parcel_id IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE complaints SET geocode_precision = 'street' "
               "WHERE geocode_precision = 'parcel'")
    _check(OLD)
