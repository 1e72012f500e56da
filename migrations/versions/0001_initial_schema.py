"""Initial schema: reference layers, complaints with their history, people, import batches.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 08:09:54.798191
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(sa.schema.CreateSequence(sa.Sequence("complaint_ticket_seq")))
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_kk", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), server_default="running", nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "kind IN ('complaints', 'layer', 'demo')", name=op.f("ck_import_batches_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed', 'interrupted')",
            name=op.f("ck_import_batches_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_geospatial_table(
        "microdistricts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_kk", sa.Text(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "population >= 0", name=op.f("ck_microdistricts_population_nonnegative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microdistricts")),
        sa.UniqueConstraint("name", name=op.f("uq_microdistricts_name")),
    )
    op.create_geospatial_index(
        "idx_microdistricts_geom",
        "microdistricts",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadastral_number", sa.Text(), nullable=False),
        sa.Column("land_use", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("declared_area_ha", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("cadastral_value_kzt", sa.BigInteger(), nullable=True),
        sa.Column("allocated_at", sa.Date(), nullable=True),
        sa.Column("decision_ref", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active', 'withdrawn', 'reserved', 'cancelled')",
            name=op.f("ck_parcels_status_known"),
        ),
        sa.CheckConstraint(
            "declared_area_ha >= 0", name=op.f("ck_parcels_declared_area_nonnegative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcels")),
        sa.UniqueConstraint("cadastral_number", name=op.f("uq_parcels_cadastral_number")),
    )
    op.create_geospatial_index(
        "idx_parcels_geom",
        "parcels",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("decision_ref", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('state_needs', 'water_protection', 'green', 'road_reserve', 'utility_corridor', 'heritage')",
            name=op.f("ck_zones_kind_known"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_zones_valid_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_zones_kind_name")),
    )
    op.create_geospatial_index(
        "idx_zones_geom",
        "zones",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("address_kk", sa.Text(), nullable=True),
        sa.Column("residents", sa.Integer(), nullable=True),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("heating", sa.Text(), nullable=True),
        sa.Column("microdistrict_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "heating IS NULL OR heating IN ('central', 'individual', 'none')",
            name=op.f("ck_buildings_heating_known"),
        ),
        sa.CheckConstraint(
            "residents IS NULL OR residents >= 0", name=op.f("ck_buildings_residents_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["microdistrict_id"],
            ["microdistricts.id"],
            name=op.f("fk_buildings_microdistrict_id_microdistricts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("address", name=op.f("uq_buildings_address")),
    )
    op.create_geospatial_index(
        "idx_buildings_geom",
        "buildings",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_buildings_microdistrict_id"), "buildings", ["microdistrict_id"], unique=False
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('official', 'inspector', 'admin')", name=op.f("ck_users_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_users_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_geospatial_table(
        "complaints",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "ticket",
            sa.Text(),
            server_default=sa.text("'TRZ-' || lpad(nextval('complaint_ticket_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("category_confidence", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="received", nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("applicant_name", sa.Text(), nullable=True),
        sa.Column("applicant_phone", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("geocode_precision", sa.Text(), server_default="none", nullable=False),
        sa.Column("geocode_score", sa.Float(), nullable=True),
        sa.Column("geocode_note", sa.Text(), nullable=True),
        sa.Column("microdistrict_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "geocode_precision IN ('coordinates', 'building', 'street', 'microdistrict', 'none')",
            name=op.f("ck_complaints_precision_known"),
        ),
        sa.CheckConstraint(
            "language IS NULL OR language IN ('ru', 'kk')",
            name=op.f("ck_complaints_language_known"),
        ),
        sa.CheckConstraint(
            "reject_reason IS NULL OR reject_reason IN ('duplicate', 'not_our_responsibility', 'unfounded')",
            name=op.f("ck_complaints_reject_reason_known"),
        ),
        sa.CheckConstraint(
            "source IN ('109', 'eotinish', 'web', 'walk_in', 'open311')",
            name=op.f("ck_complaints_source_known"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'assigned', 'in_progress', 'resolved', 'rejected', 'reopened')",
            name=op.f("ck_complaints_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_complaints_building_id_buildings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_complaints_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_complaints_import_batch_id_import_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["microdistrict_id"],
            ["microdistricts.id"],
            name=op.f("fk_complaints_microdistrict_id_microdistricts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_complaints_parcel_id_parcels"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_complaints_source_external_id")),
        sa.UniqueConstraint("ticket", name=op.f("uq_complaints_ticket")),
    )
    op.create_geospatial_index(
        "idx_complaints_geom",
        "complaints",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_complaints_building_id", "complaints", ["building_id"], unique=False)
    op.create_index(
        "ix_complaints_category_received_at",
        "complaints",
        ["category", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_complaints_microdistrict_id", "complaints", ["microdistrict_id"], unique=False
    )
    op.create_index("ix_complaints_parcel_id", "complaints", ["parcel_id"], unique=False)
    op.create_index("ix_complaints_received_at", "complaints", ["received_at"], unique=False)
    op.create_index("ix_complaints_status", "complaints", ["status"], unique=False)
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN ('received', 'assigned', 'in_progress', 'resolved', 'rejected', 'reopened')",
            name=op.f("ck_complaint_events_from_status_known"),
        ),
        sa.CheckConstraint(
            "to_status IN ('received', 'assigned', 'in_progress', 'resolved', 'rejected', 'reopened')",
            name=op.f("ck_complaint_events_to_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_complaint_events_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    op.create_index(
        op.f("ix_complaint_events_complaint_id"), "complaint_events", ["complaint_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_complaint_events_complaint_id"), table_name="complaint_events")
    op.drop_table("complaint_events")
    op.drop_index("ix_complaints_status", table_name="complaints")
    op.drop_index("ix_complaints_received_at", table_name="complaints")
    op.drop_index("ix_complaints_parcel_id", table_name="complaints")
    op.drop_index("ix_complaints_microdistrict_id", table_name="complaints")
    op.drop_index("ix_complaints_category_received_at", table_name="complaints")
    op.drop_index("ix_complaints_building_id", table_name="complaints")
    op.drop_geospatial_index(
        "idx_complaints_geom", table_name="complaints", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("complaints")
    op.drop_table("users")
    op.drop_index(op.f("ix_buildings_microdistrict_id"), table_name="buildings")
    op.drop_geospatial_index(
        "idx_buildings_geom", table_name="buildings", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("buildings")
    op.drop_geospatial_index(
        "idx_zones_geom", table_name="zones", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("zones")
    op.drop_geospatial_index(
        "idx_parcels_geom", table_name="parcels", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("parcels")
    op.drop_geospatial_index(
        "idx_microdistricts_geom",
        table_name="microdistricts",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("microdistricts")
    op.drop_table("import_batches")
    op.drop_table("departments")
    op.execute(sa.schema.DropSequence(sa.Sequence("complaint_ticket_seq")))
