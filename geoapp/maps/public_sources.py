"""Named sources of the public open map: suppressed aggregates per microdistrict and per
hexagon. They answer only lattice cells (a category group or all, and a period of
geoapp.analysis.suppression); any other filter is refused, so `/api/layers` cannot be
used to ask for an arbitrary slice either."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from geoapp.analysis.public import GROUP_OPTIONS, Table, cached_table
from geoapp.analysis.suppression import ALL, parse_period, period_for_dates
from geoapp.config import Settings
from geoapp.errors import InputError
from geoapp.maps.filters import ComplaintFilter
from geoapp.maps.sources import Query, source


def city() -> tuple[float, float, float, float]:
    return Settings.from_env().city_bbox


def lattice_slice(filters: ComplaintFilter) -> tuple[str, str]:
    """(group, period) of a filter, or InputError when it is not a lattice cell."""
    if (filters.category or filters.statuses or filters.source or filters.unresolved_days
            or filters.microdistrict is not None or filters.area is not None):
        raise InputError("the public map takes only a category group and a period")
    period = period_for_dates(filters.date_from, filters.date_to)
    if period is None:
        raise InputError("the public map takes whole months, quarters or years")
    return filters.group or ALL, period


def filter_for(group: str, period: str) -> ComplaintFilter:
    """The ComplaintFilter of a lattice cell (InputError for anything else)."""
    if group not in GROUP_OPTIONS:
        raise InputError(f"unknown category group {group!r}")
    bounds = None if period == ALL else parse_period(period)
    if period != ALL and bounds is None:
        raise InputError(f"unknown period {period!r}")
    return ComplaintFilter(group=None if group == ALL else group,
                           date_from=bounds.start if bounds else None,
                           date_to=bounds.last_day if bounds else None)


def _check_period(table: Table, period: str, months: bool = False) -> None:
    if period not in table.periods and not (months and period in table.months):
        raise InputError(f"unknown period {period!r}")


def microdistrict_collection(conn: Connection, group: str, period: str, language: str
                             ) -> dict[str, Any]:
    table = cached_table(conn, "microdistricts", city())
    geometries = cached_table(conn, "md_geometries", city())
    _check_period(table, period, months=True)
    features = []
    for area, info in table.areas.items():
        key = (area, group, period)
        n = table.value(*key)
        population = info["population"]
        features.append({"type": "Feature", "geometry": json.loads(geometries[area]),
                         "properties": {
            "id": area, "name": (info["name_kk"] or info["name"]) if language == "kk"
            else info["name"], "population": population, "complaints": n,
            "suppressed": n is None,
            "rate": round(1000 * n / population, 1) if n is not None and population else None,
            "share_resolved": table.extra["share_resolved"].get(key),
            "median_days": table.extra["median_days"].get(key),
            "trend": [[m, table.value(area, group, m)] for m in table.months],
        }})
    return {"kind": "choropleth", "type": "FeatureCollection", "features": features,
            "group": group, "period": period}


def hexagon_collection(conn: Connection, group: str, period: str) -> dict[str, Any]:
    table = cached_table(conn, "hexagons", city())
    _check_period(table, period)
    features = []
    for area, info in table.areas.items():
        n = table.value(area, group, period)
        if n == 0:
            continue
        features.append({"type": "Feature", "geometry": json.loads(info["geometry"]),
                         "properties": {"id": area, "complaints": n,
                                        "suppressed": n is None}})
    return {"kind": "hexbins", "type": "FeatureCollection", "features": features,
            "group": group, "period": period}


@source("public_microdistricts")
def public_microdistricts(conn: Connection, q: Query) -> dict[str, Any]:
    return microdistrict_collection(conn, *lattice_slice(q.filters), q.language)


@source("public_hexagons")
def public_hexagons(conn: Connection, q: Query) -> dict[str, Any]:
    return hexagon_collection(conn, *lattice_slice(q.filters))
