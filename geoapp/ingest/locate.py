"""Where a complaint is: its own coordinates when they are inside the city (swapped
lat/lon fixed), else its address matched against the buildings register.

The register is read once per import into an in-memory index; everything spatial
after this point (microdistrict, parcel, nearest building) happens in PostGIS.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geoapp.geocode import AddressIndex, normalize_address

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Location:
    lon: float | None
    lat: float | None
    precision: str
    score: float | None
    building_id: int | None
    microdistrict_id: int | None
    note: str | None


def inside(bbox: BBox, lon: float, lat: float) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


class Gazetteer:
    """The buildings register and microdistricts, ready for matching addresses."""

    def __init__(self, index: AddressIndex, building_points: dict[int, tuple[float, float]],
                 microdistricts: dict[str, tuple[int, float, float]], bbox: BBox) -> None:
        self.index = index
        self.building_points = building_points
        self.microdistricts = microdistricts
        self.bbox = bbox

    @classmethod
    def load(cls, conn: Connection, bbox: BBox) -> Gazetteer:
        rows = conn.execute(text(
            "SELECT id, address, address_kk, ST_X(geom), ST_Y(geom) FROM buildings"
        )).all()
        register: list[tuple[int, str]] = []
        for building_id, address, address_kk, _, _ in rows:
            register.append((building_id, address))
            if address_kk:
                register.append((building_id, address_kk))
        points = {r[0]: (r[3], r[4]) for r in rows}
        districts: dict[str, tuple[int, float, float]] = {}
        for md_id, name, name_kk, lon, lat in conn.execute(text("""
            SELECT id, name, name_kk, ST_X(p), ST_Y(p)
            FROM microdistricts, ST_PointOnSurface(geom) AS p
        """)):
            for label in (name, name_kk):
                parsed = normalize_address(label) if label else None
                if parsed is not None and parsed.name:
                    districts.setdefault(parsed.name, (md_id, lon, lat))
        return cls(AddressIndex.from_rows(register), points, districts, bbox)

    def from_address(self, address: str | None, note: str | None) -> Location:
        if not address:
            return Location(None, None, "none", None, None, None,
                            note or "no coordinates and no address")
        match = self.index.match(address)
        if match.precision in ("building", "street") and match.building_id is not None:
            lon, lat = self.building_points[match.building_id]
            building = match.building_id if match.precision == "building" else None
            return Location(lon, lat, match.precision, match.score, building, None, note)
        if match.precision in ("building", "street", "microdistrict") and match.area_name:
            district = self.microdistricts.get(match.area_name)
            if district is not None:
                md_id, lon, lat = district
                return Location(lon, lat, "microdistrict", match.score, None, md_id, note)
        return Location(None, None, "none", match.score, None, None,
                        note or "address not found in the register")

    def locate(self, lat: float | None, lon: float | None, address: str | None,
               note: str | None = None) -> Location:
        if lat is not None and lon is not None:
            if inside(self.bbox, lon, lat):
                return Location(lon, lat, "coordinates", None, None, None, note)
            if inside(self.bbox, lat, lon):
                return Location(lat, lon, "coordinates", None, None, None,
                                "latitude and longitude were swapped; fixed")
            note = "coordinates outside the city; located by the address"
        return self.from_address(address, note)
