"""Parcel violations found by `geoapp check parcels`, and their review history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:07:16.926852
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.create_geospatial_table(
        "parcel_violations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("ref_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("other_parcel_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("overlap_m2", sa.Float(), nullable=True),
        sa.Column("overlap_ha", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("overlap_share", sa.Float(), nullable=True),
        sa.Column("parcel_date", sa.Date(), nullable=True),
        sa.Column("other_date", sa.Date(), nullable=True),
        sa.Column("cadastral_value_kzt", sa.BigInteger(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("review_state", sa.Text(), server_default="new", nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), server_default=_now(),
                  nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=_now(),
                  nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "review_state <> 'dismissed' OR coalesce(review_comment, '') <> ''",
            name=op.f("ck_parcel_violations_dismissal_has_comment"),
        ),
        sa.CheckConstraint(
            "review_state IN ('new', 'confirmed', 'dismissed')",
            name=op.f("ck_parcel_violations_review_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["other_parcel_id"], ["parcels.id"],
            name=op.f("fk_parcel_violations_other_parcel_id_parcels"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"],
            name=op.f("fk_parcel_violations_parcel_id_parcels"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"],
            name=op.f("fk_parcel_violations_zone_id_zones"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_violations")),
        sa.UniqueConstraint("rule", "parcel_id", "ref_id",
                            name=op.f("uq_parcel_violations_rule_parcel_id_ref_id")),
    )
    op.create_geospatial_index(
        "idx_parcel_violations_geom",
        "parcel_violations",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_parcel_violations_other_parcel_id", "parcel_violations",
                    ["other_parcel_id"], unique=False)
    op.create_index("ix_parcel_violations_parcel_id", "parcel_violations", ["parcel_id"],
                    unique=False)
    op.create_index("ix_parcel_violations_zone_id", "parcel_violations", ["zone_id"],
                    unique=False)
    op.create_table(
        "violation_reviews",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("violation_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("from_state", sa.Text(), nullable=True),
        sa.Column("to_state", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "to_state IN ('new', 'confirmed', 'dismissed', 'resolved', 'reappeared')",
            name=op.f("ck_violation_reviews_to_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["parcel_violations.id"],
            name=op.f("fk_violation_reviews_violation_id_parcel_violations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation_reviews")),
    )
    op.create_index(op.f("ix_violation_reviews_violation_id"), "violation_reviews",
                    ["violation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_violation_reviews_violation_id"), table_name="violation_reviews")
    op.drop_table("violation_reviews")
    op.drop_index("ix_parcel_violations_zone_id", table_name="parcel_violations")
    op.drop_index("ix_parcel_violations_parcel_id", table_name="parcel_violations")
    op.drop_index("ix_parcel_violations_other_parcel_id", table_name="parcel_violations")
    op.drop_geospatial_index(
        "idx_parcel_violations_geom", table_name="parcel_violations",
        postgresql_using="gist", column_name="geom",
    )
    op.drop_geospatial_table("parcel_violations")
