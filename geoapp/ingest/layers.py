"""`geoapp import layer`: reference layers (microdistricts, buildings, parcels, zones)
from GeoJSON, GeoPackage or Shapefile into PostGIS, in one transaction per file.

Geometries are repaired, coerced and compared in PostGIS; an upsert on the natural
key changes only what differs, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, text

from geoapp.errors import N_, InputError, Worded, error_fields, worded, worded_fields
from geoapp.ingest import running
from geoapp.ingest.headers import LAYER_FIELDS, LAYER_REQUIRED, match_headers
from geoapp.ingest.layer_archive import companion_file, dataset_path, geojson_member
from geoapp.ingest.layer_encoding import (
    GDAL_FALLBACK,
    declared_code_page,
    decode_layer_text,
    decoded_names,
    geojson_in_utf8,
    reads_byte_for_byte,
)
from geoapp.ingest.layer_lost_letters import LostLetters, lossy_features, match_lossy_copies
from geoapp.ingest.layer_values import (
    NATURAL_KEYS,
    PARSERS,
    WARNINGS,
    plain_record,
    written_key,
)
from geoapp.ingest.reassign import (
    FOLLOWING_LAYERS,
    Reassigned,
    placed_roughly,
    reassign_complaints,
)
from geoapp.ingest.relocate import relocate_by_address

if TYPE_CHECKING:
    import geopandas as gpd

LAYER_KINDS = tuple(LAYER_FIELDS)
# GDAL drivers of the formats DATA_CONTRACT names. Others are refused: some (GeoJSONSeq,
# CSV) guess types from text and cannot be told not to, so that a cadastral number
# such as 06:097:003:001 would arrive as the time 06:09:00.
LAYER_FORMATS = "GeoJSON, GeoPackage or Shapefile (.shp, or .zip of one)"
LAYER_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile"})
SQL_TYPES = {"name": "text", "name_kk": "text", "population": "integer", "address": "text",
             "address_kk": "text", "residents": "integer", "floors": "integer",
             "heating": "text", "cadastral_number": "text", "land_use": "text",
             "holder": "text", "declared_area_ha": "numeric", "cadastral_value_kzt": "bigint",
             "allocated_at": "date", "decision_ref": "text", "status": "text", "kind": "text",
             "valid_from": "date", "valid_to": "date"}


@dataclass
class LayerSummary:
    layer: str
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    source_crs: str | None = None
    text_encoding: str | None = None  # a shapefile's code page, when GDAL could not know
    complaints_reassigned: Reassigned = field(default_factory=Reassigned)
    # Geocoded again from their address and moved, by their new precision (relocate).
    complaints_relocated: dict[str, int] = field(default_factory=dict)
    # Left where they were, by a better match of their address (relocate).
    complaints_rematched: int = 0
    # Those the changed register still places short of a building or a parcel, or not
    # at all, by the file that imported them (reassign.placed_roughly).
    complaints_placed_roughly: dict[str, int] = field(default_factory=dict)
    attributes_not_read: list[str] = field(default_factory=list)  # they name no field
    retired: int = 0  # parcels missing from the file, set to `cancelled` (--retire-missing)
    lost_letters: LostLetters = field(default_factory=LostLetters)  # '?' for letters
    # Kept, but worth a look: (feature number, what is odd about it).
    warnings: list[tuple[int, str]] = field(default_factory=list)
    batch_id: int | None = None  # its row in import_batches
    error: str | None = None  # why an import that had started stopped
    parcel_checks: dict[str, int] | None = None  # run after it (import_layer's `checks`)

    def as_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "file": self.file, "read": self.read,
                "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "repaired_geometries": self.repaired,
                "rejected": len(self.rejected),
                "rejected_features": [{"feature": n, "reason": r, **worded_fields(r)}
                                      for n, r in self.rejected],
                "source_crs": self.source_crs, "text_encoding": self.text_encoding,
                "complaints_reassigned": self.complaints_reassigned.total,
                "complaints_reassigned_from_none": self.complaints_reassigned.placed,
                "complaints_relocated": sum(self.complaints_relocated.values()),
                "complaints_relocated_by_precision": self.complaints_relocated,
                "complaints_rematched": self.complaints_rematched,
                "complaints_placed_roughly": sum(self.complaints_placed_roughly.values()),
                "complaints_placed_roughly_by_file": self.complaints_placed_roughly,
                "retired": self.retired,
                "features_with_lost_letters": self.lost_letters.features,
                "lost_letters_read_as_stored": self.lost_letters.kept,
                "lost_letters_restored": self.lost_letters.restored,
                "attributes_not_read": self.attributes_not_read,
                "warnings": [{"feature": n, "warning": w, **worded_fields(w)}
                             for n, w in self.warnings],
                **error_fields(self.error),
                **({"parcel_checks": self.parcel_checks} if self.parcel_checks else {})}


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
    return InputError(N_("cannot read %(file)s: %(reason)s"), file=path.name, reason=reason)


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
            reasons[position] = str(exc).strip().splitlines()[0]
    return reasons


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


def _staged_rows(kind: str, frame: gpd.GeoDataFrame, summary: LayerSummary,
                 unreadable: dict[int, str]) -> tuple[list[dict[str, Any]], set[str]]:
    """The rows to load, and the natural key (its first field, as written) of every
    feature of the file, rejected ones included."""
    columns = match_headers(frame.columns, LAYER_FIELDS[kind])
    summary.attributes_not_read = [
        str(name) for position, name in enumerate(frame.columns)
        if position not in columns and name != frame.geometry.name]
    missing = [f for f in LAYER_REQUIRED[kind] if f not in columns.values()]
    if missing:
        raise InputError(N_("%(file)s: missing required attributes for %(layer)s: "
                            "%(missing)s"), file=summary.file, layer=kind,
                         missing=", ".join(missing))
    import shapely

    rename = {frame.columns[p]: f for p, f in columns.items()}
    parse, warn = PARSERS[kind], WARNINGS.get(kind)
    key_fields = NATURAL_KEYS[kind]
    seen: dict[tuple[Any, ...], int] = {}
    rows = []
    geometries = frame.geometry.values
    records = map(plain_record, frame[list(rename)].rename(columns=rename).to_dict("records"))
    written_keys: set[str] = set()
    for number, (record, geometry) in enumerate(zip(records, geometries, strict=True), 1):
        summary.read += 1
        if (written := written_key(kind, record)) is not None:
            written_keys.add(written)
        if (number - 1) in unreadable:
            summary.rejected.append((number, Worded.of(N_("geometry cannot be read: "
                                                          "%(reason)s"),
                                                       reason=unreadable[number - 1])))
            continue
        if geometry is None or geometry.is_empty:
            summary.rejected.append((number, Worded.of(N_("empty or missing geometry"))))
            continue
        try:
            row = parse(record)
        except ValueError as exc:
            summary.rejected.append((number, _reason(exc)))
            continue
        key = tuple(row[k] for k in key_fields)
        if key in seen:
            summary.rejected.append((number, Worded.of(
                N_("duplicate %(fields)s %(key)s (first at feature %(first)d)"),
                fields="/".join(key_fields), key="/".join(map(str, key)), first=seen[key])))
            continue
        seen[key] = number
        if warn and (warning := warn(row)):
            summary.warnings.append((number, warning))
        row["feature"] = number
        row["wkb"] = shapely.to_wkb(geometry, hex=True, include_srid=False)
        rows.append(row)
    return rows, written_keys


def _geometry_sql(kind: str) -> str:
    if kind == "buildings":
        return ("CASE WHEN GeometryType(raw) = 'POINT' THEN raw "
                "ELSE ST_PointOnSurface(ST_MakeValid(raw)) END")
    return "ST_Multi(ST_CollectionExtract(ST_MakeValid(raw), 3))"


# Below any real edit of a boundary (1e-7° is about 1 cm at Taraz), above what an
# export leaves on the same shapes: another CRS brings them back 1e-14° off (5e-9°
# through Pulkovo 1942), a GeoJSON written to 7 decimals (ogr2ogr's RFC 7946 default)
# up to 5e-8° off.
GEOMETRY_TOLERANCE_DEG = 1e-7


def _same_geometry(stored: str, new: str) -> str:
    """SQL: whether two geometries are the same shape, to the tolerance. The discrete
    Hausdorff distance (vertices of each to the other) is computed only for the pairs
    not exactly equal."""
    return (f"({stored} = {new} OR (GeometryType({stored}) = GeometryType({new}) "
            f"AND ST_HausdorffDistance({stored}, {new}) <= {GEOMETRY_TOLERANCE_DEG}))")


def _load(conn: Connection, kind: str, rows: list[dict[str, Any]],
          summary: LayerSummary) -> None:
    fields = list(LAYER_FIELDS[kind])
    attrs = [f for f in fields if f in SQL_TYPES]
    conn.exec_driver_sql(
        "CREATE TEMP TABLE stage_layer (feature integer, wkb text, "
        + ", ".join(f"{f} {SQL_TYPES[f]}" for f in attrs)
        + ", geom geometry, repaired boolean) ON COMMIT DROP"
    )
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY stage_layer (feature, wkb, {', '.join(attrs)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row([row["feature"], row["wkb"], *(row.get(f) for f in attrs)])
    conn.exec_driver_sql(f"""
        UPDATE stage_layer SET geom = fixed, repaired = NOT ST_IsValid(raw)
        FROM (SELECT feature AS f, raw, {_geometry_sql(kind)} AS fixed
              FROM (SELECT feature,
                           ST_SetSRID(ST_Force2D(ST_GeomFromWKB(decode(wkb, 'hex'))), 4326)
                           AS raw  -- heights (Z) and measures (M) dropped: the layers are 2D
                    FROM stage_layer) r) x
        WHERE feature = x.f
    """)
    for feature, raw_type in conn.exec_driver_sql(
        "DELETE FROM stage_layer WHERE geom IS NULL OR ST_IsEmpty(geom) "
        "RETURNING feature, GeometryType(ST_GeomFromWKB(decode(wkb, 'hex')))"
    ):
        summary.rejected.append((feature, _unusable_geometry_reason(raw_type)))
    summary.repaired = conn.exec_driver_sql(
        "SELECT count(*) FROM stage_layer WHERE repaired").scalar_one()
    keys = NATURAL_KEYS[kind]
    text_fields = [f for f in attrs if SQL_TYPES[f] == "text"]
    lossy = lossy_features(rows, text_fields)
    summary.lost_letters.features = len(lossy)
    keys_given_back: set[int] = set()
    if conn.exec_driver_sql(
            f"SELECT EXISTS (SELECT FROM stage_layer WHERE strpos(concat({', '.join(text_fields)}"
            f"), '?') > 0) OR EXISTS (SELECT FROM {kind} WHERE strpos(concat("
            f"{', '.join(text_fields)}), '?') > 0)").scalar_one():
        keys_given_back = match_lossy_copies(conn, kind, list(keys), text_fields, lossy,
                                             summary.lost_letters)
    changing = [f for f in attrs if f not in keys]
    same_geom = _same_geometry(f"{kind}.geom", "EXCLUDED.geom")
    result = conn.exec_driver_sql(f"""
        INSERT INTO {kind} ({', '.join(attrs)}, geom)
        SELECT {', '.join(attrs)}, geom FROM stage_layer ORDER BY feature
        ON CONFLICT ({', '.join(keys)}) DO UPDATE SET
            {', '.join(f'{f} = EXCLUDED.{f}' for f in changing)},
            geom = CASE WHEN {same_geom} THEN {kind}.geom ELSE EXCLUDED.geom END
        WHERE ({', '.join(f'{kind}.{f}' for f in changing)})
              IS DISTINCT FROM ({', '.join(f'EXCLUDED.{f}' for f in changing)})
              OR NOT {same_geom}
        RETURNING id, (xmax = 0)
    """).all()
    summary.inserted = sum(1 for _id, inserted in result if inserted)
    summary.updated = len({id_ for id_, inserted in result if not inserted} | keys_given_back)
    staged = conn.exec_driver_sql("SELECT count(*) FROM stage_layer").scalar_one()
    summary.unchanged = staged - summary.inserted - summary.updated
    assign_buildings_to_microdistricts(conn)


def _reason(exc: ValueError) -> str:
    """A value's refusal as its parser worded it (layer_values), to be shown
    translated when it can be."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Worded) else str(exc)


def _unusable_geometry_reason(raw_type: str) -> str:
    """Why a feature's geometry left nothing for a polygon layer: it was a point or a
    line, or a polygon that repair reduced to nothing (all its vertices on a line)."""
    if "POLYGON" in raw_type or raw_type == "GEOMETRYCOLLECTION":
        return Worded.of(N_("geometry is empty after repair (a polygon without area)"))
    return Worded.of(N_("geometry is a %(kind)s, not a polygon"), kind=raw_type.lower())


def assign_buildings_to_microdistricts(conn: Connection) -> None:
    """Derived, set-based: each building's microdistrict is the one covering it."""
    conn.execute(text("""
        WITH assigned AS (
            SELECT b.id, (SELECT m.id FROM microdistricts m WHERE ST_Covers(m.geom, b.geom)
                          ORDER BY m.id LIMIT 1) AS md_id
            FROM buildings b
        )
        UPDATE buildings b SET microdistrict_id = a.md_id FROM assigned a
        WHERE b.id = a.id AND b.microdistrict_id IS DISTINCT FROM a.md_id
    """))


MAX_RETIRED_SHARE = 0.5  # of the parcels not yet cancelled


def retire_missing_parcels(conn: Connection, written: set[str]) -> int:
    """Parcels of the register that the new file no longer lists (merged, split or
    cancelled in the cadastre) become `cancelled` rather than being deleted: their
    violations, reviews and complaints keep their history, and rule R2 stops pairing
    them with the parcels that replaced them."""
    retired, active = conn.execute(text("""
        WITH retired AS (
            UPDATE parcels SET status = 'cancelled'
            WHERE status <> 'cancelled' AND NOT (cadastral_number = ANY(:written))
            RETURNING 1)
        SELECT (SELECT count(*) FROM retired),
               (SELECT count(*) FROM parcels WHERE status <> 'cancelled')
    """), {"written": sorted(written)}).one()
    if retired > MAX_RETIRED_SHARE * active:
        # The caller's transaction rolls back: most likely a partial export.
        raise InputError(f"--retire-missing would cancel {retired:,} of {active:,} parcels: "
                         "is this the whole register? Nothing was imported")
    return int(retired)


def import_layer(engine: Engine, kind: str, path: Path, crs: int | None = None,
                 source_layer: str | None = None, encoding: str | None = None,
                 retire_missing: bool = False, imported_by: str | None = None,
                 started: Callable[[int], None] | None = None,
                 checks: Callable[[Connection], dict[str, int]] | None = None,
                 early: EarlyEntry | None = None) -> LayerSummary:
    """Read and check the layer file, then upsert it in one transaction and place the
    complaints that follow this layer anew. The import records itself once the file
    is read (a refused file leaves no entry; `started` then hears its id) and holds
    its entry's lock until it is over, as a complaint import does (running.py); it
    is `done` when its transaction commits, `failed` or `interrupted` with nothing
    of it landed otherwise. `imported_by`: the account that asked. `checks` runs in
    the import's transaction when the layer changed anything (the parcel rules, from
    the browser); its figures are the summary's `parcel_checks`. `early`: record the
    entry before the file is read instead (a region's register takes a minute to
    read)."""
    if kind not in LAYER_KINDS:
        raise InputError(f"unknown layer {kind!r}; one of: {', '.join(LAYER_KINDS)}")
    if retire_missing and kind != "parcels":
        raise InputError("--retire-missing is for parcels only (a parcel left out of a new "
                         "register is cancelled; other layers keep what they had)")
    if not path.exists():
        raise InputError(f"no such file: {path}")
    began = datetime.now(UTC)
    summary = LayerSummary(layer=kind, file=path.name)

    def read_file() -> tuple[list[dict[str, Any]], set[str]]:
        layer = choose_source_layer(path, kind, source_layer)
        read = read_layer(path, crs, layer, encoding)
        summary.source_crs, summary.text_encoding = read.source_crs, read.text_note
        rows, written_keys = _staged_rows(kind, read.frame, summary, read.unreadable)
        if retire_missing and not rows:
            raise InputError(f"{path.name}: no parcel could be read, so none is retired")
        return rows, written_keys

    if early is None:
        rows, written_keys = read_file()
    with engine.connect() as entry:
        with entry.begin():
            summary.batch_id = batch_id = entry.execute(_START_LAYER, {
                "file": path.name, "layer": kind, "started": began,
                "imported_by": imported_by}).scalar_one()
            running.hold(entry, batch_id)
        status = "failed"
        reading = early is not None
        try:
            if early is not None:
                early.recorded(batch_id)
                rows, written_keys = read_file()
                reading = False
            if started:
                started(batch_id)
            with engine.begin() as conn:
                _load(conn, kind, rows, summary)
                if retire_missing:
                    summary.retired = retire_missing_parcels(conn, written_keys)
                if kind in FOLLOWING_LAYERS and summary.inserted + summary.updated:
                    relocated = relocate_by_address(conn)
                    summary.complaints_relocated = dict(relocated.moved.most_common())
                    summary.complaints_rematched = relocated.rematched
                    summary.complaints_reassigned = reassign_complaints(conn, kind)
                    summary.complaints_placed_roughly = placed_roughly(conn)
                if checks and summary.inserted + summary.updated + summary.retired:
                    summary.parcel_checks = checks(conn)
                summary.rejected.sort()
                conn.execute(_FINISH_LAYER, {"id": batch_id, "status": "done", "summary":
                                             json.dumps(summary.as_dict(), ensure_ascii=False)})
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except InputError as exc:
            summary.error = worded(exc)
            if reading and early is not None and not early.keeps_refusal():
                status = "refused"  # said where it was asked for, as if never recorded
            raise
        finally:
            with entry.begin():
                if status == "refused":
                    entry.execute(_FORGET_LAYER, {"id": batch_id})
                elif status != "done":  # the transaction rolled back: nothing landed
                    entry.execute(_FINISH_LAYER, {"id": batch_id, "status": status, "summary":
                                                  json.dumps(summary.as_dict(),
                                                             ensure_ascii=False)})
                running.release(entry, batch_id)
    return summary


class EarlyEntry(Protocol):
    """What an import that records itself before reading its file tells, and asks."""

    def recorded(self, batch_id: int) -> None:
        """The entry exists; the file is being read."""

    def keeps_refusal(self) -> bool:
        """Whether a file refused while read stays in the history, `failed` with its
        reason (nobody waits any more to be told it), rather than being forgotten."""


_START_LAYER = text("""
    INSERT INTO import_batches (kind, source_file, source, status, started_at, imported_by)
    VALUES ('layer', :file, :layer, 'running', :started, :imported_by)
    RETURNING id
""")
_FORGET_LAYER = text("DELETE FROM import_batches WHERE id = :id")
_FINISH_LAYER = text("""
    UPDATE import_batches SET status = :status, finished_at = clock_timestamp(),
           summary = CAST(:summary AS jsonb)
    WHERE id = :id
""")
