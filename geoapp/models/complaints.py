"""Complaints, their status history and the import batches they came in.

Personal data (applicant name and phone, the text, the exact point) lives in
`complaints` only; public outputs are aggregates over it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geoapp.models.base import Base, created_at_column, in_list
from geoapp.taxonomy import (
    AREA_ONLY_PRECISIONS,
    GEOCODE_PRECISIONS,
    REJECT_REASONS,
    SOURCES,
    STATUSES,
)

TICKET_SEQUENCE = Sequence("complaint_ticket_seq", metadata=Base.metadata)
TICKET_DEFAULT = "'TRZ-' || lpad(nextval('complaint_ticket_seq')::text, 7, '0')"


def pinpointed(alias: str = "c") -> str:
    """SQL: complaint `alias` has a point that stands where it happened. A complaint
    known only to its microdistrict stands at the area's representative point, and a
    hundred of them drawn there would make a heat spot, a cluster or a hotspot where
    nothing happened; they count in the per-area figures instead."""
    excluded = ", ".join(f"'{p}'" for p in AREA_ONLY_PRECISIONS)
    return f"({alias}.geom IS NOT NULL AND {alias}.geocode_precision NOT IN ({excluded}))"


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    source_file: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = created_at_column()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(Text, server_default="running")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    imported_by: Mapped[str | None] = mapped_column(Text)  # the account, from /imports

    __table_args__ = (
        CheckConstraint(in_list("kind", ("complaints", "layer", "demo")), name="kind_known"),
        CheckConstraint(in_list("status", ("running", "done", "failed", "interrupted")),
                        name="status_known"),
    )


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ticket: Mapped[str] = mapped_column(Text, unique=True, server_default=text(TICKET_DEFAULT))
    source: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    category: Mapped[str] = mapped_column(Text)
    category_confidence: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="received")
    reject_reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    applicant_name: Mapped[str | None] = mapped_column(Text)
    applicant_phone: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", 4326))
    geocode_precision: Mapped[str] = mapped_column(Text, server_default="none")
    geocode_score: Mapped[float | None] = mapped_column(Float)
    geocode_note: Mapped[str | None] = mapped_column(Text)
    # the row's own part of geocode_note (its coordinates, its address cut to length)
    row_note: Mapped[str | None] = mapped_column(Text)
    microdistrict_id: Mapped[int | None] = mapped_column(
        ForeignKey("microdistricts.id", ondelete="SET NULL")
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL")
    )
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id", ondelete="SET NULL"))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )
    # As the source last exported them (migration 0006); NULL: the current values.
    exported_status: Mapped[str | None] = mapped_column(Text)
    exported_resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exported_department_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        CheckConstraint(in_list("source", SOURCES), name="source_known"),
        CheckConstraint(in_list("geocode_precision", GEOCODE_PRECISIONS),
                        name="precision_known"),
        CheckConstraint(f"reject_reason IS NULL OR {in_list('reject_reason', REJECT_REASONS)}",
                        name="reject_reason_known"),
        CheckConstraint("language IS NULL OR language IN ('ru', 'kk')", name="language_known"),
        Index("ix_complaints_received_at", "received_at"),
        Index("ix_complaints_category_received_at", "category", "received_at"),
        Index("ix_complaints_status", "status"),
        Index("ix_complaints_microdistrict_id", "microdistrict_id"),
        Index("ix_complaints_building_id", "building_id"),
        Index("ix_complaints_parcel_id", "parcel_id"),
    )


class ComplaintEvent(Base):
    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint(in_list("to_status", STATUSES), name="to_status_known"),
        CheckConstraint(f"from_status IS NULL OR {in_list('from_status', STATUSES)}",
                        name="from_status_known"),
    )
