"""A read layer into PostGIS: its features checked against the contract (staged_rows),
then copied to a staging table, repaired, coerced and upserted on the natural key in
set-based SQL (load_rows). Geometries are compared to a tolerance, so that the same
file imported twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from geoapp.errors import N_, InputError, Worded
from geoapp.geocode.cadastral import cadastral_number
from geoapp.ingest.headers import LAYER_FIELDS, LAYER_REQUIRED, match_headers
from geoapp.ingest.layer_lost_letters import lossy_features, match_lossy_copies
from geoapp.ingest.layer_summary import LayerSummary
from geoapp.ingest.layer_values import (
    NATURAL_KEYS,
    PARSERS,
    WARNINGS,
    plain_record,
    written_key,
)

if TYPE_CHECKING:
    import geopandas as gpd

SQL_TYPES = {"name": "text", "name_kk": "text", "population": "integer", "address": "text",
             "address_kk": "text", "residents": "integer", "floors": "integer",
             "heating": "text", "cadastral_number": "text", "land_use": "text",
             "holder": "text", "declared_area_ha": "numeric", "cadastral_value_kzt": "bigint",
             "allocated_at": "date", "decision_ref": "text", "status": "text", "kind": "text",
             "valid_from": "date", "valid_to": "date"}


# How far beyond the city's extent a feature may lie before it is worth a look: the
# suburbs a region's register holds are nearer; a feature in another country (a
# wrong CRS, latitude written first) is not.
CITY_MARGIN_DEG = 0.2
FAR_FROM_CITY = N_("it lies far outside the city, near lon %(lon).3f, lat %(lat).3f")
SWAPPED_FROM_CITY = N_("it lies far outside the city, near lon %(lon).3f, lat %(lat).3f: "
                       "with longitude and latitude swapped it would be inside "
                       "(does the file write latitude first?)")


def _far_from_city(geometry: Any, city: tuple[float, float, float, float]) -> Worded | None:
    xmin, ymin, xmax, ymax = geometry.bounds
    m = CITY_MARGIN_DEG
    lo_x, lo_y, hi_x, hi_y = city[0] - m, city[1] - m, city[2] + m, city[3] + m
    if xmax >= lo_x and xmin <= hi_x and ymax >= lo_y and ymin <= hi_y:
        return None
    swapped = ymax >= lo_x and ymin <= hi_x and xmax >= lo_y and xmin <= hi_y
    point = geometry.representative_point()
    return Worded.of(SWAPPED_FROM_CITY if swapped else FAR_FROM_CITY, lon=point.x, lat=point.y)


def _numbers_by_content(columns: dict[int, str], frame: gpd.GeoDataFrame) -> dict[int, str]:
    """A .dbf cuts both "Кадастровый номер" and "Кадастровая стоимость" (or
    cadastral_number and cadastral_value_kzt) to the same 10 characters, and the names
    cannot tell which column came first: the one that holds cadastral numbers is the
    number."""
    by_field = {field: position for position, field in columns.items()}
    number, value = by_field.get("cadastral_number"), by_field.get("cadastral_value_kzt")
    if number is None or value is None:
        return columns

    def share_of_numbers(position: int) -> float:
        cells = frame.iloc[:200, position].dropna().astype(str)
        return cells.map(lambda c: cadastral_number(c) is not None).mean() if len(cells) else 0

    if share_of_numbers(value) > share_of_numbers(number):
        return {**columns, number: "cadastral_value_kzt", value: "cadastral_number"}
    return columns


def staged_rows(kind: str, frame: gpd.GeoDataFrame, summary: LayerSummary,
                unreadable: dict[int, str],
                city: tuple[float, float, float, float] | None = None,
                ) -> tuple[list[dict[str, Any]], set[str]]:
    """The rows to load, and the natural key (its first field, as written) of every
    feature of the file, rejected ones included. A feature far from the `city`'s
    extent is kept with a warning."""
    columns = _numbers_by_content(match_headers(frame.columns, LAYER_FIELDS[kind]), frame)
    summary.attributes_not_read = [
        str(name) for position, name in enumerate(frame.columns)
        if position not in columns and name != frame.geometry.name]
    summary.fields_read = set(columns.values())
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
        if city is not None and (far := _far_from_city(geometry, city)):
            summary.warnings.append((number, far))
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


def load_rows(conn: Connection, kind: str, rows: list[dict[str, Any]],
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
    # A field the file has no column for keeps what is stored; one it leaves empty is
    # emptied. (Every field has a column when no file is read: load_rows alone.)
    read = summary.fields_read or set(attrs)
    changing = [f for f in attrs if f not in keys and f in read]
    same_geom = _same_geometry(f"{kind}.geom", "EXCLUDED.geom")
    differs = (f"(ROW({', '.join(f'{kind}.{f}' for f in changing)}) IS DISTINCT FROM "
               f"ROW({', '.join(f'EXCLUDED.{f}' for f in changing)})) OR "
               if changing else "")
    result = conn.exec_driver_sql(f"""
        INSERT INTO {kind} ({', '.join(attrs)}, geom)
        SELECT {', '.join(attrs)}, geom FROM stage_layer ORDER BY feature
        ON CONFLICT ({', '.join(keys)}) DO UPDATE SET
            {''.join(f'{f} = EXCLUDED.{f}, ' for f in changing)}
            geom = CASE WHEN {same_geom} THEN {kind}.geom ELSE EXCLUDED.geom END
        WHERE {differs}NOT {same_geom}
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

