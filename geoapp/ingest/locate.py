"""Where a complaint is: its own coordinates when they are inside the city (swapped
lat/lon fixed), else the parcel its address names by cadastral number, else its
address matched against the buildings register.

The register is read once per import into an in-memory index; everything spatial
after this point (microdistrict, parcel, nearest building) happens in PostGIS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import Connection, text

from geoapp.geocode import AddressIndex, AddressMatch, match_key, normalize_address
from geoapp.geocode.cadastral import cadastral_number
from geoapp.geocode.marker_typos import MARKER_WORDS
from geoapp.geocode.matcher import EXACT_SCORE
from geoapp.geocode.notes import (
    ADDRESS_APPROXIMATE,
    ADDRESS_NAMES,
    ADDRESS_NOT_FOUND,
    HOUSE_NOT_FOUND,
    HOUSE_UNKNOWN,
    INSIDE_MICRODISTRICT,
    LETTERS_READ_BACK,
    NEAREST_HOUSE,
    NO_SUCH_PARCEL,
    NOTHING_TO_GO_ON,
    OUTSIDE_ADDRESS_USED,
    OUTSIDE_NO_ADDRESS,
    PARCEL_LIES_IN,
    SEPARATOR,
    STREET_APPROXIMATE,
    SWAPPED,
    joined_notes,
    read_pairs,
)
from geoapp.geocode.ordinals import ordinal_words
from geoapp.ingest.lost_letters import WordRepair
from geoapp.ingest.places import covering
from geoapp.read_back import clause

BBox = tuple[float, float, float, float]
HOUSE_NOT_FOUND_NOTE = SEPARATOR.join((HOUSE_NOT_FOUND, INSIDE_MICRODISTRICT))
NEAREST_HOUSE_NOTE = SEPARATOR.join((HOUSE_UNKNOWN, NEAREST_HOUSE))


@dataclass(frozen=True)
class Location:
    lon: float | None
    lat: float | None
    precision: str
    score: float | None
    building_id: int | None
    microdistrict_id: int | None
    note: str | None
    parcel_id: int | None = None
    # the part of `note` that the row itself gave (its coordinates, its address's
    # length), kept so that the address can be geocoded again (geoapp.ingest.relocate)
    row_note: str | None = None


class ParcelPoint(NamedTuple):
    """A parcel as the gazetteer knows it: a point inside it and its microdistrict."""

    id: int
    lon: float
    lat: float
    microdistrict_id: int | None


def inside(bbox: BBox, lon: float, lat: float) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


class Gazetteer:
    """The buildings register, microdistricts and parcels (by cadastral number),
    ready for matching addresses. `district_names`: microdistrict id → its name."""

    def __init__(self, index: AddressIndex, building_points: dict[int, tuple[float, float]],
                 microdistricts: dict[str, tuple[int, float, float]], bbox: BBox,
                 building_addresses: dict[int, str] | None = None,
                 parcels: dict[str, ParcelPoint] | None = None,
                 district_names: dict[int, str] | None = None,
                 building_districts: dict[int, int] | None = None,
                 words: WordRepair | None = None) -> None:
        self.index = index
        index.points = building_points  # for intersections
        # for a street named in a microdistrict without a house
        index.district_ids = building_districts or {}
        index.district_by_key = {key: md[0] for key, md in microdistricts.items()}
        self.building_points = building_points
        self.building_addresses = building_addresses or {}
        self.microdistricts = microdistricts
        self.parcels = parcels or {}
        self.district_names = district_names or {}
        self.bbox = bbox
        self.words = words or WordRepair(())

    @classmethod
    def load(cls, conn: Connection, bbox: BBox) -> Gazetteer:
        rows = conn.execute(text(f"""
            SELECT b.id, b.address, b.address_kk, ST_X(b.geom), ST_Y(b.geom),
                   ({covering("microdistricts", "b.geom")})
            FROM buildings b""")).all()
        register: list[tuple[int, str]] = []
        for building_id, address, address_kk, *_ in rows:
            register.append((building_id, address))
            if address_kk:
                register.append((building_id, address_kk))
        points = {r[0]: (r[3], r[4]) for r in rows}
        index = AddressIndex.from_rows(register)
        # Keyed by the folded name: "Қарасу" typed meets "мкр. Карасу" of the layer.
        districts: dict[str, tuple[int, float, float]] = {}
        district_names: dict[int, str] = {}
        district_labels: list[str | None] = []
        for md_id, name, name_kk, lon, lat in conn.execute(text("""
            SELECT id, name, name_kk, ST_X(p), ST_Y(p)
            FROM microdistricts, ST_PointOnSurface(geom) AS p
        """)):
            district_names[md_id] = name
            district_labels += (name, name_kk)
            for label in (name, name_kk):
                parsed = normalize_address(label) if label else None
                if parsed is not None and parsed.name and parsed.kind != "street":
                    districts.setdefault(match_key(parsed.name), (md_id, lon, lat))
                    # a microdistrict without buildings in the register is still known
                    index.add_area(label if parsed.kind else f"мкр. {parsed.name}")
        addresses = {r[0]: r[1] for r in rows}
        parcels = {number.replace(" ", ""): ParcelPoint(*rest)
                   for number, *rest in conn.execute(text(f"""
            SELECT pc.cadastral_number, pc.id, ST_X(p), ST_Y(p),
                   ({covering("microdistricts", "p")})
            FROM parcels pc, ST_PointOnSurface(pc.geom) AS p"""))}
        building_districts = {r[0]: r[5] for r in rows if r[5] is not None}
        words = WordRepair([*(address for _, address in register), *MARKER_WORDS,
                            *ordinal_words(0), *(label for label in district_labels if label)])
        return cls(index, points, districts, bbox, addresses, parcels, district_names,
                   building_districts, words)

    def from_address(self, address: str | None, note: str | None) -> Location:
        if not address:
            return Location(None, None, "none", None, None, None,
                            note or NOTHING_TO_GO_ON, row_note=note)
        if "?" in address:  # letters an encoding could not hold (lost_letters)
            repaired, read = self.words.repair(address)
            if read:
                location = self._from_address(repaired, note)
                return replace(location, note=joined_notes(
                    location.note, read_pairs(LETTERS_READ_BACK, read)))
        return self._from_address(address, note)

    def _from_address(self, address: str, note: str | None) -> Location:
        if (number := cadastral_number(address)) is not None:
            parcel = self.parcels.get(number)
            if parcel is not None:
                return Location(parcel.lon, parcel.lat, "parcel", 100.0, None, None,
                                joined_notes(note, self._elsewhere_than(address, parcel)),
                                parcel.id, note)
            note = joined_notes(note, clause(NO_SUCH_PARCEL, number=number))
        match = self.index.match(address)
        if match.precision in ("building", "street") and match.building_id is not None:
            lon, lat = self.building_points[match.building_id]
            building = match.building_id if match.precision == "building" else None
            return Location(lon, lat, match.precision, match.score, building, None,
                            joined_notes(note, self._explain(match), match.read),
                            row_note=note)
        if (match.precision in ("building", "street", "microdistrict")
                and match.area_kind == "microdistrict" and match.area_name):
            district = self.microdistricts.get(match_key(match.area_name))
            if district is not None:
                md_id, lon, lat = district
                return Location(lon, lat, "microdistrict", match.score, None, md_id,
                                joined_notes(note, match.note or HOUSE_NOT_FOUND_NOTE,
                                             match.read), row_note=note)
        return Location(None, None, "none", None, None, None,
                        joined_notes(note, match.note) or ADDRESS_NOT_FOUND,
                        row_note=note)

    def _elsewhere_than(self, address: str, parcel: ParcelPoint) -> str | None:
        """A note when the address names a microdistrict other than the parcel's: the
        number or the microdistrict was mistyped, and an inspector should know."""
        parsed = normalize_address(address)
        named = parsed.name if parsed.kind == "microdistrict" else parsed.microdistrict
        district = self.microdistricts.get(match_key(named)) if named else None
        if district is None or parcel.microdistrict_id in (None, district[0]):
            return None
        return joined_notes(
            clause(ADDRESS_NAMES, microdistrict=self.district_names.get(district[0], named)),
            clause(PARCEL_LIES_IN,
                   microdistrict=self.district_names.get(parcel.microdistrict_id, "?")))

    def _explain(self, match: AddressMatch) -> str | None:
        """What an official checking the point should know: the register's address
        it stands on when that is not exactly the one typed."""
        address = self.building_addresses.get(match.building_id or -1)
        if address is None:
            return None
        if match.precision == "street":
            # The register's address after the last clause (geocode.notes)
            placed = f"{match.note or NEAREST_HOUSE_NOTE}, {address}"
            if match.name_score < EXACT_SCORE:
                return joined_notes(placed, clause(STREET_APPROXIMATE,
                                                   score=f"{match.name_score:.0f}"))
            return placed
        if match.score < EXACT_SCORE:
            return clause(ADDRESS_APPROXIMATE, score=f"{match.score:.0f}", address=address)
        return None

    def locate(self, lat: float | None, lon: float | None, address: str | None,
               note: str | None = None) -> Location:
        """Where the row goes; `note`, the row's own on its coordinates, heads the
        location's note whichever way it was found."""
        if lat is not None and lon is not None:
            if inside(self.bbox, lon, lat):
                return Location(lon, lat, "coordinates", None, None, None, note,
                                row_note=note)
            if inside(self.bbox, lat, lon):
                swapped = joined_notes(note, SWAPPED)
                return Location(lat, lon, "coordinates", None, None, None, swapped,
                                row_note=swapped)
            note = joined_notes(note, OUTSIDE_ADDRESS_USED if address else OUTSIDE_NO_ADDRESS)
        return self.from_address(address, note)

