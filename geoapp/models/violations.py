"""Violations found by the parcel checks, keyed so that a re-run keeps their review
state, the history of every review, and the runs of the checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geoapp.models.base import Base, created_at_column, in_list

REVIEW_STATES: tuple[str, ...] = ("new", "confirmed", "dismissed")
# Review history also records what the checks did to a violation.
HISTORY_STATES: tuple[str, ...] = (*REVIEW_STATES, "resolved", "reappeared")


class ParcelViolation(Base):
    """One finding of one rule. Its key is (rule, parcel_id, ref_id): ref_id is the zone
    or the other parcel involved, 0 when the rule involves the parcel alone."""

    __tablename__ = "parcel_violations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    rule: Mapped[str] = mapped_column(Text)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"))
    ref_id: Mapped[int] = mapped_column(Integer, server_default="0")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    other_parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL")
    )
    severity: Mapped[str] = mapped_column(Text)
    overlap_m2: Mapped[float | None] = mapped_column(Float)
    overlap_ha: Mapped[float | None] = mapped_column(Numeric(12, 4))
    overlap_share: Mapped[float | None] = mapped_column(Float)
    parcel_date: Mapped[date | None] = mapped_column(Date)
    other_date: Mapped[date | None] = mapped_column(Date)
    cadastral_value_kzt: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("MULTIPOLYGON", 4326))
    review_state: Mapped[str] = mapped_column(Text, server_default="new")
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("rule", "parcel_id", "ref_id"),
        CheckConstraint(in_list("review_state", REVIEW_STATES), name="review_state_known"),
        CheckConstraint("review_state <> 'dismissed' OR coalesce(review_comment, '') <> ''",
                        name="dismissal_has_comment"),
        Index("ix_parcel_violations_parcel_id", "parcel_id"),
        Index("ix_parcel_violations_other_parcel_id", "other_parcel_id"),
        Index("ix_parcel_violations_zone_id", "zone_id"),
    )


class ViolationReview(Base):
    """A change of a violation's state: by an inspector, or by the checks themselves."""

    __tablename__ = "violation_reviews"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    violation_id: Mapped[int] = mapped_column(
        ForeignKey("parcel_violations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = created_at_column()
    actor: Mapped[str | None] = mapped_column(Text)
    from_state: Mapped[str | None] = mapped_column(Text)
    to_state: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(in_list("to_state", HISTORY_STATES), name="to_state_known"),
    )


class CheckRun(Base):
    """One run of the parcel checks: the register is as of its time, so a parcel or
    zone layer imported later leaves the register behind (geoapp.analysis.freshness)."""

    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finished_at: Mapped[datetime] = created_at_column()
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
