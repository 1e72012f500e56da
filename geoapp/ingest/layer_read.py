"""A layer file read into a GeoDataFrame in EPSG:4326 with geopandas/pyogrio: its
format and layer chosen, its text decoded, its CRS declared, given or refused."""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geoapp.errors import N_, InputError
from geoapp.ingest.layer_archive import (
    companion_file,
    dataset_path,
    geojson_member,
    refuse_incomplete_shapefile,
)
from geoapp.ingest.layer_encoding import (
    GDAL_FALLBACK,
    declared_code_page,
    decode_layer_text,
    decoded_names,
    geojson_in_utf8,
    reads_byte_for_byte,
)
from geoapp.ingest.row_reasons import FEW_RING_POINTS, RING_NOT_CLOSED, SINGLE_POINT_LINE
from geoapp.ingest.zipped import refuse_unreadable
from geoapp.read_back import clause

if TYPE_CHECKING:
    import geopandas as gpd

# GDAL drivers of the formats DATA_CONTRACT names. Others are refused: some (GeoJSONSeq,
# CSV) guess types from text and cannot be told not to, so that a cadastral number
# such as 06:097:003:001 would arrive as the time 06:09:00.
LAYER_FORMATS = "GeoJSON, GeoPackage or Shapefile (.shp, or .zip of one)"
LAYER_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile"})


def choose_source_layer(path: Path, kind: str, wanted: str | None) -> str | None:
    """Which layer of the file to read: `wanted`; else, in a file of several layers (a
    GeoPackage, a zip of shapefiles), the one named after `kind`. None: the file's
    only layer. Never a silent pick of the first of several. A table without
    geometries (QGIS keeps its styles in `layer_styles`) is no layer."""
    import pyogrio

    try:
        listed = [(str(name), geometry) for name, geometry in
                  pyogrio.list_layers(dataset_path(path))]
    except InputError:
        raise
    except Exception:  # unreadable: read_file says why
        return wanted
    names = [name for name, geometry in listed if geometry is not None]
    if wanted is not None:
        if wanted in names:
            return wanted
        if any(name == wanted for name, _geometry in listed):
            raise InputError(N_("%(file)s: %(wanted)r is a table without geometries, not a "
                                "layer; its layers: %(layers)s"), file=path.name,
                             wanted=wanted, layers=", ".join(names) or "none")
        raise InputError(N_("%(file)s has no layer %(wanted)r; its layers: %(layers)s"),
                         file=path.name, wanted=wanted, layers=", ".join(names))
    if not names and listed:
        raise InputError(N_("%(file)s holds no layer with geometries, only tables "
                            "(%(tables)s)"), file=path.name,
                         tables=", ".join(name for name, _geometry in listed))
    if len(names) <= 1:  # the file's only layer, maybe listed after its tables
        return names[0] if names and len(listed) > 1 else None
    named = [name for name in names if name.lower() == kind]
    if len(named) == 1:
        return named[0]
    raise InputError(N_("%(file)s has %(n)d layers (%(layers)s): choose one with "
                        "--source-layer"), file=path.name, n=len(names),
                     layers=", ".join(names))


def _unreadable(path: Path, exc: Exception) -> InputError:
    """GDAL's reason in the user's terms: what the file is not, rather than its driver
    advice and /vsizip/ paths."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "not recognized as being in a supported file format" in reason or (
            "/vsizip/" in reason and "does not exist" in reason):
        if path.suffix.lower() == ".zip":
            return InputError(N_("cannot read %(file)s: a zip that holds no shapefile"),
                              file=path.name)
        return InputError(N_("cannot read %(file)s: not a %(formats)s"), file=path.name,
                          formats=LAYER_FORMATS)
    if "Failed to read GeoJSON data" in reason:
        where = _JSON_POSITION.search(str(exc))
        if where:
            return InputError(N_("cannot read %(file)s: not valid GeoJSON (damaged or cut "
                                 "short; line %(line)s, character %(char)s)"),
                              file=path.name, line=int(where[1]), char=int(where[2]))
        return InputError(N_("cannot read %(file)s: not valid GeoJSON (damaged or cut "
                             "short)"), file=path.name)
    return InputError(N_("cannot read %(file)s: %(reason)s"), file=path.name, reason=reason)


_JSON_POSITION = re.compile(r"At line (\d+), character (\d+)")


@dataclass
class LayerRead:
    frame: gpd.GeoDataFrame  # in EPSG:4326
    source_crs: str
    text_note: str | None  # how a shapefile's text was decoded, when GDAL could not know
    # Features whose geometry GEOS could not read (an unclosed ring): position -> why.
    unreadable: dict[int, str] = field(default_factory=dict)


def _duplicate_fields(path: Path, fields: list[str], byte_for_byte: bool,
                      encoding: str | None) -> None:
    """Refuse a file with two attributes of one name: GDAL hands over one column for
    both. A .dbf keeps 10 bytes of a name, 5 Cyrillic letters in UTF-8, so
    "Кадастровый номер" and "Кадастровая стоимость" both become "Кадас"."""
    if byte_for_byte:
        fields = decoded_names(fields, encoding)
    twice = sorted({name for name in fields if fields.count(name) > 1})
    if twice:
        raise InputError(N_("%(file)s has %(n)d attributes named %(name)r (a .dbf keeps "
                            "the first 10 bytes of a name): rename them so that they "
                            "differ"), file=path.name, n=fields.count(twice[0]),
                         name=twice[0])


def _unreadable_geometries(source: Path | str | bytes, layer: str | None) -> dict[int, str]:
    """Position -> GEOS's reason, for the geometries of the layer that GDAL returned
    but GEOS cannot build. Read again, geometries only: paid only by a file whose
    frame has null geometries."""
    import pyogrio
    import shapely

    _meta, _fids, wkbs, _fields = pyogrio.raw.read(source, layer=layer, columns=[])
    reasons = {}
    for position, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            reasons[position] = geos_reason(str(exc))
    return reasons


# GEOS's words for a geometry it cannot build, and the plain ones said instead.
_GEOS_REASONS = (
    (re.compile(r"Points of LinearRing do not form a closed linestring"), RING_NOT_CLOSED),
    (re.compile(r"Invalid number of points in LinearRing found (?P<n>\d+)"), FEW_RING_POINTS),
    (re.compile(r"point array must contain 0 or >1 elements"), SINGLE_POINT_LINE),
)


def geos_reason(message: str) -> str:
    """Why GEOS cannot build a geometry, in plain words when the case is a known one
    (an unclosed ring, a line of one point); else GEOS's own first line."""
    first = (message.strip().splitlines() or ["GEOS cannot build it"])[0]
    for pattern, template in _GEOS_REASONS:
        if found := pattern.search(first):
            return clause(template, **found.groupdict())
    return first


def _check_lon_lat(path: Path, frame: gpd.GeoDataFrame, declared: str, given: int | None,
                   driver: str | None) -> None:
    """Coordinates said to be longitude/latitude must be: GDAL says EPSG:4326 for any
    GeoJSON without a `crs` member, whatever its numbers are, and a projected file
    would land thousands of degrees away."""
    import numpy as np

    shapes = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if shapes.empty:
        return
    xmin, ymin, xmax, ymax = shapes.total_bounds
    if np.isnan(xmin) or (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        return
    if given is not None:
        said = N_("--crs %(crs)s is longitude/latitude, but its coordinates are not "
                  "(x %(xmin).0f to %(xmax).0f, y %(ymin).0f to %(ymax).0f): give their "
                  "CRS with --crs, e.g. --crs 32642 (UTM 42N, Taraz)")
    elif not declared:
        said = N_("%(file)s declares no CRS, but its coordinates are not longitude/latitude "
                  "(x %(xmin).0f to %(xmax).0f, y %(ymin).0f to %(ymax).0f): give their "
                  "CRS with --crs, e.g. --crs 32642 (UTM 42N, Taraz)")
    elif driver == "GeoJSON":
        said = N_("%(file)s is read as %(crs)s (as is any GeoJSON without a crs member), "
                  "but its coordinates are not longitude/latitude (x %(xmin).0f to "
                  "%(xmax).0f, y %(ymin).0f to %(ymax).0f): give their CRS with --crs, "
                  "e.g. --crs 32642 (UTM 42N, Taraz)")
    else:
        said = N_("%(file)s declares %(crs)s, but its coordinates are not "
                  "longitude/latitude (x %(xmin).0f to %(xmax).0f, y %(ymin).0f to "
                  "%(ymax).0f): give their CRS with --crs, e.g. --crs 32642 (UTM 42N, "
                  "Taraz)")
    raise InputError(said, file=path.name, crs=given if given is not None else declared,
                     xmin=xmin, xmax=xmax, ymin=ymin, ymax=ymax)


def _layer_info(source: str, layer: str | None) -> dict[str, Any]:
    """pyogrio's description of the layer. Field names that are not UTF-8 where a .cpg
    says they are (a wrong .cpg, or UTF-8 cut inside a letter at 10 bytes) make GDAL
    refuse the file: it is then read byte for byte, and decoded as its bytes show."""
    import pyogrio

    try:
        return pyogrio.read_info(source, layer=layer)
    except UnicodeDecodeError:
        info = pyogrio.read_info(source, layer=layer, encoding=GDAL_FALLBACK)
        return {**info, "encoding": "UTF-8"}  # what GDAL took them for


def _field_names(source: Path | str, layer: str | None, info: dict[str, Any],
                 byte_for_byte: bool) -> list[str]:
    """The layer's field names: as GDAL decoded them, or, for text read byte for byte,
    one character per byte, as its values are read (and decoded alike)."""
    if byte_for_byte and info.get("encoding") != GDAL_FALLBACK:
        import pyogrio

        info = pyogrio.read_info(source, layer=layer, encoding=GDAL_FALLBACK)
    return [str(f) for f in info["fields"]]


def _in_utf8(source: Path | str, driver: str) -> tuple[Path | str | bytes, str | None]:
    """What GDAL should read: `source`, or a GeoJSON file that is not UTF-8 (alone or
    zipped) as UTF-8 bytes (GDAL refuses it), with a note saying so."""
    if driver != "GeoJSON" or not isinstance(source, Path) or not source.is_file():
        return source, None
    member = None
    if zipfile.is_zipfile(source) and (member := geojson_member(source)) is None:
        return source, None
    recoded = geojson_in_utf8(source, member)
    return (source, None) if recoded is None else recoded


def read_layer(path: Path, crs: int | None, layer: str | None = None,
               encoding: str | None = None) -> LayerRead:
    """The file (its `layer`, when it has several) as a GeoDataFrame in EPSG:4326,
    the CRS it came in, how a shapefile's text was decoded when GDAL could not know
    (see layer_encoding), and the geometries that could not be read."""
    # Imported here: geopandas (pandas, numpy) and pyproj take ~0.3 s to import,
    # which every `geoapp` command would pay through the CLI's import of this module.
    import geopandas as gpd
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if not path.exists():
        raise InputError(f"no such file: {path}")
    refuse_unreadable(path)
    refuse_incomplete_shapefile(path, layer)
    try:
        source = dataset_path(path)
        info = _layer_info(source, layer)
        driver = info.get("driver")
        if driver not in LAYER_DRIVERS:
            raise InputError(N_("cannot read %(file)s: GDAL reads it as %(driver)s, not a "
                                "%(formats)s"), file=path.name, driver=driver,
                             formats=LAYER_FORMATS)
        # GDAL would turn text like "06:097:003:001" into a time; keep text as text.
        # By driver, not by name: a GeoJSON file may be named anything.
        options: dict[str, str] = {}
        if driver == "GeoJSON":
            options["DATE_AS_STRING"] = "YES"
        if layer is not None:
            options["layer"] = layer
        code_page = info.get("encoding")
        if driver == "ESRI Shapefile":
            name = str(info["layer_name"])
            code_page = declared_code_page(code_page, companion_file(path, name, ".cpg"),
                                           companion_file(path, name, ".dbf", 32))
        byte_for_byte = reads_byte_for_byte(path.name, driver, code_page, encoding)
        if byte_for_byte:
            options["encoding"] = GDAL_FALLBACK
        _duplicate_fields(path, _field_names(source, layer, info, byte_for_byte),
                          byte_for_byte, encoding)
        readable, text_note = _in_utf8(source, driver)
        with warnings.catch_warnings():
            # GDAL's note on an unclosed ring, which GEOS then refuses (see below).
            warnings.filterwarnings("ignore", "Non closed ring detected")
            # An unreadable geometry becomes None, rejected by its feature number.
            frame = gpd.read_file(readable, engine="pyogrio", on_invalid="ignore", **options)
            unreadable = (_unreadable_geometries(readable, layer) if isinstance(
                frame, gpd.GeoDataFrame) and frame.geometry.isna().any() else {})
    except InputError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several types for unreadable files
        raise _unreadable(path, exc) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(N_("%(file)s has no geometries"),
                         file=f"{path.name} ({layer})" if layer else path.name)
    if frame.empty:  # said as such, not as attributes it lacks
        raise InputError(N_("%(file)s holds no features: nothing to import"),
                         file=f"{path.name} ({layer})" if layer else path.name)
    if byte_for_byte:
        frame, text_note = decode_layer_text(frame, encoding, code_page)
    if crs is not None:
        try:
            frame = frame.set_crs(CRS.from_epsg(crs), allow_override=True)
        except CRSError as exc:
            raise InputError(N_("--crs %(crs)s is not a known EPSG code"), crs=crs) from exc
    declared = "" if frame.crs is None else frame.crs.to_string()
    if frame.crs is None or frame.crs.is_geographic:
        _check_lon_lat(path, frame, declared, crs, driver)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    source_crs = frame.crs.to_string()
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return LayerRead(frame, source_crs, text_note, unreadable)

