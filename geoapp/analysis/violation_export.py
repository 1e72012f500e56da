"""Exports of the violations register (or any selection of it) as CSV, GeoJSON and
GeoPackage. No Flask here: the web layer sends the bytes or the file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geoapp.analysis.rule_config import Rule
from geoapp.analysis.violations import Selection
from geoapp.exports import safe_cell

# Attribute columns, in file order (the geometry is the overlap, else the parcel).
COLUMNS: tuple[str, ...] = (
    "id", "rule", "rule_name", "severity", "review_state", "resolved", "cadastral_number",
    "land_use", "holder", "parcel_status", "zone_kind", "zone_name", "other_cadastral_number",
    "overlap_m2", "overlap_ha", "overlap_share", "parcel_date", "other_date",
    "cadastral_value_kzt", "reviewed_by", "reviewed_at", "review_comment", "first_seen_at",
    "last_seen_at", "details",
)


def fetch(conn: Connection, selection: Selection, rules: dict[str, Rule]
          ) -> list[dict[str, Any]]:
    """The selected violations as flat rows, each with `geometry` as GeoJSON text."""
    where, params = selection.where("v")
    rows = conn.execute(text(f"""
        SELECT v.id, v.rule, v.severity, v.review_state, v.resolved_at IS NOT NULL AS resolved,
               p.cadastral_number, p.land_use, p.holder, p.status AS parcel_status,
               z.kind AS zone_kind, z.name AS zone_name, o.cadastral_number
                   AS other_cadastral_number, v.overlap_m2, v.overlap_ha::float8 AS overlap_ha,
               v.overlap_share, v.parcel_date, v.other_date, v.cadastral_value_kzt,
               v.reviewed_by, v.reviewed_at, v.review_comment, v.first_seen_at,
               v.last_seen_at, v.details,
               ST_AsGeoJSON(coalesce(v.geom, ST_Multi(p.geom)), 7) AS geometry
        FROM parcel_violations v
        JOIN parcels p ON p.id = v.parcel_id
        LEFT JOIN zones z ON z.id = v.zone_id
        LEFT JOIN parcels o ON o.id = v.other_parcel_id
        WHERE {where} ORDER BY v.rule, p.cadastral_number, v.id
    """), params).mappings().all()
    out = []
    for r in rows:
        row: dict[str, Any] = dict(r)
        row["rule_name"] = rules[r["rule"]].name if r["rule"] in rules else r["rule"]
        row["details"] = json.dumps(r["details"] or {}, ensure_ascii=False)
        for key in ("parcel_date", "other_date", "reviewed_at", "first_seen_at",
                    "last_seen_at"):
            row[key] = row[key].isoformat() if row[key] is not None else None
        out.append(row)
    return out


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else safe_cell(row[c]) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_geojson(rows: list[dict[str, Any]]) -> bytes:
    features = [{"type": "Feature", "id": row["id"],
                 "geometry": json.loads(row["geometry"]) if row["geometry"] else None,
                 "properties": {c: row[c] for c in COLUMNS}} for row in rows]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, default=str).encode("utf-8")


def write_gpkg(rows: list[dict[str, Any]], path: Path) -> None:
    """A GeoPackage layer `violations` (EPSG:4326, MultiPolygon) with every column."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    frame = pd.DataFrame([{c: row[c] for c in COLUMNS} for row in rows], columns=list(COLUMNS))
    geoms = [shapely.from_geojson(row["geometry"]) if row["geometry"] else None
             for row in rows]
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
                           crs="EPSG:4326")
    gdf.to_file(path, driver="GPKG", layer="violations", engine="pyogrio",
                geometry_type="MultiPolygon", promote_to_multi=True)
