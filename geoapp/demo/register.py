"""The growing registers of the synthetic city while it is laid out: buildings (the
address register), parcels and the named areas (microdistricts and streets) that
addresses refer to. Geometry is in local metres (see `geo`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Area:
    """What an address names before the house number: a microdistrict or a street."""

    kind: str  # "mkr" or "street"
    ru: str  # "Жайлау", "15", "Толе би"
    kk: str
    street_kind: str = ""  # "ул.", "пр.", "пер." for streets

    @property
    def is_numbered_mkr(self) -> bool:
        return self.kind == "mkr" and self.ru.isdigit()


@dataclass
class Building:
    x: float
    y: float
    area: int
    number: str
    residents: int
    floors: int
    flats: int
    heating: str
    district: int
    parcel: int = -1


@dataclass
class Parcel:
    geom: BaseGeometry
    land_use: str
    district: int
    holder: str = ""
    allocated_at: date | None = None
    status: str = "active"
    tag: str = ""  # "" for ordinary parcels, else the planted fact or decoy it belongs to
    value_kzt: int | None = None
    building: int = -1
    pair: int = -1  # the other parcel of a double allocation
    note: str = ""


@dataclass
class Register:
    areas: list[Area] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)
    _area_index: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def area(self, area: Area) -> int:
        key = (area.kind, area.street_kind, area.ru)
        if key not in self._area_index:
            self._area_index[key] = len(self.areas)
            self.areas.append(area)
        return self._area_index[key]

    def add_parcel(self, parcel: Parcel) -> int:
        self.parcels.append(parcel)
        return len(self.parcels) - 1

    def add_building(self, building: Building, parcel: Parcel | None = None) -> int:
        self.buildings.append(building)
        index = len(self.buildings) - 1
        if parcel is not None:
            parcel.building = index
            building.parcel = self.add_parcel(parcel)
        return index

    def parcel_geoms(self) -> np.ndarray:
        return np.array([p.geom for p in self.parcels], dtype=object)

    def occupied(self, margin: float) -> BaseGeometry:
        """The union of every parcel so far, grown by `margin` metres."""
        if not self.parcels:
            return shapely.Polygon()
        return shapely.union_all(shapely.buffer(self.parcel_geoms(), margin, join_style="mitre"))
