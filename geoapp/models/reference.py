"""Reference layers: microdistricts, the buildings (address) register, cadastral
parcels and restriction zones."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from geoapp.models.base import Base, created_at_column, in_list
from geoapp.taxonomy import HEATING_VALUES, PARCEL_STATUSES, ZONE_KINDS


def point_lookup_index(table: str) -> Index:
    """An SP-GiST index beside GeoAlchemy2's GiST one (migration 0008): an import
    asks which parcel covers, or which building is nearest to, each of its points, and
    SP-GiST answers such single-point searches in about half the time."""
    return Index(f"spx_{table}_geom", "geom", postgresql_using="spgist")


class Microdistrict(Base):
    __tablename__ = "microdistricts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    name_kk: Mapped[str | None] = mapped_column(Text)
    population: Mapped[int] = mapped_column(Integer)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", 4326, nullable=False))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (CheckConstraint("population >= 0", name="population_nonnegative"),)


class Building(Base):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(Text, unique=True)
    address_kk: Mapped[str | None] = mapped_column(Text)
    residents: Mapped[int | None] = mapped_column(Integer)
    floors: Mapped[int | None] = mapped_column(Integer)
    heating: Mapped[str | None] = mapped_column(Text)
    microdistrict_id: Mapped[int | None] = mapped_column(
        ForeignKey("microdistricts.id", ondelete="SET NULL"), index=True
    )
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", 4326, nullable=False))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint(f"heating IS NULL OR {in_list('heating', HEATING_VALUES)}",
                        name="heating_known"),
        CheckConstraint("residents IS NULL OR residents >= 0", name="residents_nonnegative"),
        point_lookup_index("buildings"),
    )


class Parcel(Base):
    __tablename__ = "parcels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadastral_number: Mapped[str] = mapped_column(Text, unique=True)
    land_use: Mapped[str] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(Text)
    declared_area_ha: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    cadastral_value_kzt: Mapped[int | None] = mapped_column(BigInteger)
    allocated_at: Mapped[date | None] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="active")
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", 4326, nullable=False))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint(in_list("status", PARCEL_STATUSES), name="status_known"),
        CheckConstraint("declared_area_ha >= 0", name="declared_area_nonnegative"),
        point_lookup_index("parcels"),
    )


class Zone(Base):
    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    decision_ref: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", 4326, nullable=False))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("kind", "name"),
        CheckConstraint(in_list("kind", ZONE_KINDS), name="kind_known"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )
