"""The public open map page rendered at `/` (by geoapp.web.home): what the service is,
the aggregated layers of the public map with group and period filters, a plain
legend, the other maps open to the visitor and the data's extent."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from geoapp.analysis.public import GROUP_OPTIONS, public_settings
from geoapp.analysis.suppression import ALL
from geoapp.maps.builder import MapParts, build_map
from geoapp.maps.catalog import layers_for
from geoapp.web import settings
from geoapp.web.api import catalog
from geoapp.web.auth import current_role
from geoapp.web.httpcache import finish
from geoapp.web.i18n import current_language
from geoapp.web.public import group_label, period_choices, public_table


def open_map_i18n() -> dict[str, str]:
    return {"complaints": str(_l("Complaints")), "suppressed": str(_l("too few to show")),
            "rate": str(_l("per 1,000 residents"))}


def _periods() -> list[tuple[str, str]]:
    try:
        return period_choices(public_table("microdistricts"))
    except SQLAlchemyError:
        return [(ALL, str(_l("All time")))]


def _rows(group: str, period: str, language: str) -> list[dict[str, Any]]:
    try:
        table = public_table("microdistricts")
    except SQLAlchemyError:
        return []
    rows = []
    for area, info in table.areas.items():
        key = (area, group, period)
        n = table.value(*key)
        rows.append({
            "name": (info["name_kk"] or info["name"]) if language == "kk" else info["name"],
            "complaints": n,
            "rate": round(1000 * n / info["population"], 1)
            if n is not None and info["population"] else None,
            "share": table.extra["share_resolved"].get(key),
            "median": table.extra["median_days"].get(key),
            "trend": [table.value(area, group, m) for m in table.months],
        })
    return rows


def stable_ids(parts: MapParts) -> MapParts:
    """folium names its elements with random ids; number them in order instead, so the
    same page has the same body (and ETag) every time."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(1), f"_{len(names):032d}")

    pattern = re.compile(r"(_[0-9a-f]{32})\b")
    return MapParts(*(pattern.sub(rename, part) for part in
                      (parts.header, parts.body, parts.script)))


def render_open_map(overview: Any, maps: list[dict[str, str]]) -> Response:
    language = current_language()
    periods = _periods()
    group = request.args.get("group") or ALL
    period = request.args.get("period") or ALL
    group = group if group in GROUP_OPTIONS else ALL
    period = period if period in {p for p, _ in periods} else ALL
    layers = layers_for(catalog(), "public", current_role())
    parts = stable_ids(build_map(
        layers, static=lambda name: url_for("static", filename=name), language=language,
        basemap_url=settings().basemap_url,
        basemap_attribution="© OpenStreetMap contributors",
        data_url=lambda layer_id: url_for("public.layer_data", layer_id=layer_id),
        config={"filters": {"group": group, "period": period}, "i18n": open_map_i18n()},
    ))
    hex_layer = next((s for s in layers if s.kind == "hexbins"), None)
    page = render_template(
        "open_map.html", parts=parts, overview=overview, maps=maps, group=group,
        period=period, groups=[(g, group_label(g, language)) for g in GROUP_OPTIONS],
        periods=periods, k=public_settings().k, hex_m=public_settings().hex_m,
        hex_style=hex_layer.style if hex_layer else {}, rows=_rows(group, period, language))
    return finish(Response(page, mimetype="text/html"))
