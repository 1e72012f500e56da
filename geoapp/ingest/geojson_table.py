"""GeoJSON exports: feature properties carry the fields, a feature's geometry its
point; streamed feature by feature."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from geoapp.errors import N_, InputError
from geoapp.geocode.notes import (
    EMPTY_GEOMETRY,
    INSIDE_SHAPE,
    UNREADABLE_GEOMETRY,
    UNREADABLE_GEOMETRY_OF_NO_KIND,
)
from geoapp.ingest.headers import COMPLAINT_FIELDS, match_headers
from geoapp.ingest.layer_encoding import guess_code_page
from geoapp.ingest.table_source import (
    RawRow,
    ReadPosition,
    TableSource,
    is_number,
    raw_row,
    require_columns,
)
from geoapp.read_back import clause


def json_code_page(path: Path) -> str:
    """UTF-8, UTF-8 with a BOM, or, for a file that is not UTF-8 as JSON must be (one
    saved by Notepad or an older tool in CP1251), the code page its bytes show."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        if fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        while chunk := fh.read(1 << 16):  # small: a streamed file is never held
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return guess_code_page(chunk)
    return "utf-8"


class _AsUtf8:
    """A binary file in `code_page`, read as UTF-8 bytes, the JSON parser's input."""

    def __init__(self, raw: IO[bytes], code_page: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(code_page)("replace")

    def read(self, size: int = -1) -> bytes:
        while chunk := self._raw.read(size):
            if text := self._decoder.decode(chunk):  # a BOM alone decodes to nothing
                return text.encode("utf-8")
        return self._decoder.decode(b"", final=True).encode("utf-8")


def _json_items(path: Path, prefix: str, position: ReadPosition | None = None,
                code_page: str = "utf-8") -> Iterator[Any]:
    """The values at `prefix`, parsed incrementally: only one is in memory at a time."""
    import ijson

    with path.open("rb") as fh:
        if position is not None:
            position.file = fh
        source = fh if code_page == "utf-8" else _AsUtf8(fh, code_page)
        try:
            yield from ijson.items(source, prefix, use_float=True)
        except ijson.JSONError as exc:
            if "premature EOF" in _json_reason(exc):
                raise InputError(N_("%(file)s is cut short: its JSON ends before it is "
                                    "complete (saved or sent only in part?)"),
                                 file=path.name) from None
            raise InputError(N_("%(file)s is not valid JSON: %(reason)s"), file=path.name,
                             reason=_json_reason(exc)) from None


def _json_reason(exc: Exception) -> str:
    """The first line of a parser's message (yajl's has three, and may come as bytes)."""
    raw = exc.args[0] if exc.args else ""
    message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return (message.strip().splitlines() or ["cannot parse"])[0]


def _geojson_outline(path: Path, code_page: str) -> tuple[list[str], str]:
    """The property names of all features, in order of first appearance, and the
    declared CRS; the file is read through (so a syntax error refuses it whole)
    without ever holding more than one feature's properties."""
    kind = next(_json_items(path, "type", code_page=code_page), None)
    if kind != "FeatureCollection":
        raise InputError(N_("%(file)s is not a GeoJSON FeatureCollection"), file=path.name)
    crs = next(_json_items(path, "crs.properties.name", code_page=code_page), None)
    keys: dict[str, None] = {}
    for properties in _json_items(path, "features.item.properties", code_page=code_page):
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(properties))
    return list(keys), crs if isinstance(crs, str) else ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}



def _reprojection(path: Path, crs: str) -> Callable[[float, float], tuple[float, float]] | None:
    """How to bring the points of a file declaring `crs` (the old GeoJSON `crs`
    member) to lon/lat; None when they are lon/lat already."""
    if not crs or crs.upper().endswith(("CRS84", "4326")):
        return None
    # Imported here: pyproj takes a while to load and most exports have no `crs`.
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(N_("%(file)s declares a CRS that is not known: %(crs)s"),
                         file=path.name, crs=crs) from None
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
    return transformer.transform  # type: ignore[no-any-return]


def _feature_point(geometry: dict[str, Any]) -> tuple[tuple[Any, Any] | None, str]:
    """A feature's point and, when it is not one, a note: a complaint drawn as an area
    or a line on a web form is placed at a point inside it; what cannot be read is
    said, and the row falls back to its address."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        return (coordinates[0], coordinates[1]), ""
    if not geometry:
        return None, ""
    import shapely.geometry
    from shapely.errors import GeometryTypeError, ShapelyError

    try:
        shape = shapely.geometry.shape(geometry)
        if shape.is_empty:
            return None, clause(EMPTY_GEOMETRY, kind=str(kind))
        inside = shape.representative_point()
    except (GeometryTypeError, ShapelyError, TypeError, ValueError, KeyError, IndexError):
        return None, (clause(UNREADABLE_GEOMETRY, kind=str(kind)) if kind
                      else UNREADABLE_GEOMETRY_OF_NO_KIND)
    return (inside.x, inside.y), clause(INSIDE_SHAPE, kind=str(kind))


def open_geojson(path: Path) -> TableSource:
    """Feature properties carry the fields; a Point geometry supplies lat/lon,
    reprojected when the file declares another CRS. Line numbers are feature numbers
    (1-based). Features are streamed."""
    code_page = json_code_page(path)
    keys, crs = _geojson_outline(path, code_page)
    to_lon_lat = _reprojection(path, crs)
    columns = match_headers(keys, COMPLAINT_FIELDS)
    header = list(keys)
    require_columns(columns, header)
    lat_pos = next((p for p, f in columns.items() if f == "lat"), None)
    lon_pos = next((p for p, f in columns.items() if f == "lon"), None)
    if lat_pos is None:
        header.append("lat")
        lat_pos = len(header) - 1
        columns[lat_pos] = "lat"
    if lon_pos is None:
        header.append("lon")
        lon_pos = len(header) - 1
        columns[lon_pos] = "lon"
    header.append("geometry_note")
    note_pos = len(header) - 1
    columns[note_pos] = "geometry_note"
    fields = tuple(columns.items())
    position = ReadPosition(path)

    def rows() -> Iterator[RawRow]:
        for number, feature in enumerate(_json_items(path, "features.item", position,
                                                     code_page), start=1):
            feature = feature if isinstance(feature, dict) else {}
            props = _mapping(feature.get("properties"))
            cells = ["" if props.get(k) is None else str(props.get(k)) for k in keys]
            cells += [""] * (len(header) - len(cells))
            geometry = _mapping(feature.get("geometry"))
            point, cells[note_pos] = _feature_point(geometry)
            if point is not None:
                lon, lat = point
                if to_lon_lat is not None and is_number(lon) and is_number(lat):
                    lon, lat = to_lon_lat(lon, lat)
                cells[lon_pos], cells[lat_pos] = str(lon), str(lat)
            yield raw_row(number, cells, fields)

    return TableSource(header, columns, rows(), encoding=code_page, fraction_read=position)

