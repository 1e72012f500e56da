"""Hotspots as plain dicts, CSV and GeoJSON (the CLI's --json, downloads, the map)."""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta
from typing import Any

from geoapp.analysis.hotspots import Analysis, Hotspot

FIELDS = ("id", "pattern", "microdistricts", "first_week", "last_week", "weeks_hot",
          "persistence", "active", "seasons", "hexagons", "max_z", "complaints", "buildings",
          "open_complaints", "oldest_open_days", "central_buildings", "central_residents",
          "residents", "affected_residents")


def hotspot_properties(h: Hotspot) -> dict[str, Any]:
    """The figures of one hotspot, JSON-ready (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(h, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def analysis_summary(a: Analysis) -> dict[str, Any]:
    return {
        "category": a.params.category,
        "from": a.date_from.isoformat() if a.date_from else None,
        "to": a.date_to.isoformat() if a.date_to else None,
        "hex_across_m": a.params.hex_across_m, "weeks": a.weeks, "hexagons": a.hexagons,
        "bins": a.bins, "hot_bins": a.hot_bins, "alpha": a.alpha, "method": a.method,
        "seconds": a.seconds,
    }


def to_json(a: Analysis) -> dict[str, Any]:
    return {**analysis_summary(a),
            "hotspots": [{**hotspot_properties(h), "bbox": list(h.bbox)} for h in a.hotspots]}


def to_geojson(a: Analysis) -> dict[str, Any]:
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": h.id, "geometry": h.geometry,
                          "properties": hotspot_properties(h)} for h in a.hotspots]}


def to_csv(a: Analysis) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    for h in a.hotspots:
        props = hotspot_properties(h)
        writer.writerow(["; ".join(v) if isinstance(v, list) else v
                         for v in (props[f] for f in FIELDS)])
    return buffer.getvalue()


def complaints_args(category: str, h: Hotspot) -> dict[str, str]:
    """Arguments of the complaint list for a hotspot: its category, active weeks and
    bounds (a hotspot's hexagons may span several microdistricts)."""
    return {"category": category, "from": h.first_week.isoformat(),
            "to": (h.last_week + timedelta(days=6)).isoformat(),
            "area": outward_bounds(h.bbox)}


def outward_bounds(bbox: tuple[float, float, float, float]) -> str:
    """A bbox as `area` text to 1e-6 degrees, rounded outwards: no point inside lost."""
    low = [math.floor(v * 1e6) / 1e6 for v in bbox[:2]]
    high = [math.ceil(v * 1e6) / 1e6 for v in bbox[2:]]
    return ",".join(f"{v:.6f}" for v in (*low, *high))
