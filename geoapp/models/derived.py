"""Tables kept by triggers from `complaints` (migration 0003), never written by code.

`complaint_map_points` is a narrow copy of what the map layers and the dashboards
filter and count (point, dates, category, status, source, microdistrict): a city-wide
heat map or a dashboard scans 80 MB instead of the half-gigabyte complaints heap.
A complaint known only to its microdistrict is copied without its point (migration
0010): it counts per microdistrict and is not drawn.
`data_versions` counts the statements that changed a table, so caches of derived
figures (the public lattice) know when to refresh.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import REAL, BigInteger, DateTime, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from geoapp.models.base import Base, created_at_column

# A copied complaint that point layers leave out though its microdistrict is known;
# the partial index below and geoapp.maps.sources.not_drawn share it.
NOT_DRAWN = "lon IS NULL AND microdistrict_id IS NOT NULL"


class ComplaintMapPoint(Base):
    __tablename__ = "complaint_map_points"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lon: Mapped[float | None] = mapped_column(REAL())
    lat: Mapped[float | None] = mapped_column(REAL())
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    category: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    microdistrict_id: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # the complaints a point layer does not draw, though their microdistrict is known
        Index("ix_complaint_map_points_area_only", "microdistrict_id",
              postgresql_where=text(NOT_DRAWN)),
    )


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    changed_at: Mapped[datetime] = created_at_column()
