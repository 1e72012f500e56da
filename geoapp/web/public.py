"""The public, anonymous side: the open map's data, open data downloads (CSV and
GeoJSON) with their field descriptions, and "what has been done". Aggregates only,
suppressed below k (geoapp.analysis.public); every response is cacheable."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l

from geoapp.analysis.public import GROUP_OPTIONS, Table, cached_table, public_settings
from geoapp.analysis.suppression import ALL
from geoapp.errors import N_, InputError
from geoapp.maps.public_sources import city, hexagon_collection, microdistrict_collection
from geoapp.maps.registry import PUBLIC, Page, register_page
from geoapp.taxonomy import CATEGORY_GROUPS, GROUP_NAMES
from geoapp.web import engine
from geoapp.web.api import catalog
from geoapp.web.httpcache import CACHE_EXTENSION, ResponseCache, cached_public, finish
from geoapp.web.i18n import current_language

bp = Blueprint("public", __name__)
CSV_TABLES = ("microdistricts", "hexagons", "resolved")
GEOJSON_AREAS = ("microdistricts", "hexagons")

register_page(Page("public.open_data", lambda: str(_l("Open data")),
                   lambda: str(_l("aggregated tables and areas to download")),
                   frozenset({PUBLIC}), is_map=False))
register_page(Page("public.done", lambda: str(_l("What has been done")),
                   lambda: str(_l("resolved problems by area and category")),
                   frozenset({PUBLIC}), is_map=False))


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[CACHE_EXTENSION] = ResponseCache()


def clear_caches(app: Flask) -> None:
    """Forget cached responses and tables (after an import, or for a cold benchmark)."""
    from geoapp.analysis.public import TABLES

    app.extensions[CACHE_EXTENSION].clear()
    TABLES.clear()


def group_label(group: str, language: str) -> str:
    if group == ALL:
        return str(_l("All categories"))
    return GROUP_NAMES[group].get(language, group)


def slice_args() -> tuple[str, str]:
    """(group, period) from the query string; InputError for values off the lattice."""
    group = request.args.get("group") or ALL
    period = request.args.get("period") or ALL
    if group not in GROUP_OPTIONS:
        raise InputError(N_("unknown category group %(value)s"), value=repr(group[:80]))
    return group, period


@bp.get("/open/layers/<layer_id>")
@cached_public
def layer_data(layer_id: str) -> Response:
    spec = catalog().get(layer_id)
    if spec is None or "public" not in spec.maps:
        abort(404)
    group, period = slice_args()
    with engine().connect() as conn:
        if spec.source == "public_hexagons":
            data = hexagon_collection(conn, group, period)
        else:
            data = microdistrict_collection(conn, group, period, current_language())
    return jsonify(data)


def public_table(name: str) -> Table:
    with engine().connect() as conn:
        return cached_table(conn, name, city())


def _csv_rows(name: str, language: str) -> Iterator[list[object]]:
    table = public_table(name)
    if name == "hexagons":
        yield ["hexagon", "group", "period", "complaints", "suppressed"]
        for area in table.areas:
            for group in GROUP_OPTIONS:
                for period in table.periods:
                    n = table.value(area, group, period)
                    yield [area, group, period, "" if n is None else n, int(n is None)]
        return
    if name == "resolved":
        yield ["microdistrict", "group", "period", "resolved", "suppressed"]
    else:
        yield ["microdistrict", "population", "group", "period", "complaints", "suppressed",
               "per_1000", "share_resolved_pct", "median_days_to_resolve"]
    periods = table.periods + (table.months if name == "microdistricts" else [])
    for area, info in table.areas.items():
        label = (info["name_kk"] or info["name"]) if language == "kk" else info["name"]
        for group in GROUP_OPTIONS:
            for period in periods:
                key = (area, group, period)
                n = table.value(*key)
                row: list[object] = [label]
                if name == "resolved":
                    yield [*row, group, period, "" if n is None else n, int(n is None)]
                    continue
                rate = round(1000 * n / info["population"], 1) \
                    if n is not None and info["population"] else ""
                yield [*row, info["population"], group, period, "" if n is None else n,
                       int(n is None), rate, table.extra["share_resolved"].get(key, ""),
                       table.extra["median_days"].get(key, "")]


@bp.get("/open-data/<name>.csv")
@cached_public
def table_csv(name: str) -> Response:
    if name not in CSV_TABLES:
        abort(404)
    out = io.StringIO()
    csv.writer(out).writerows(_csv_rows(name, current_language()))
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=geoapp-{name}.csv"
    return response


@bp.get("/open-data/<name>.geojson")
@cached_public
def areas_geojson(name: str) -> Response:
    if name not in GEOJSON_AREAS:
        abort(404)
    group, period = slice_args()
    with engine().connect() as conn:
        if name == "hexagons":
            data = hexagon_collection(conn, group, period)
        else:
            data = microdistrict_collection(conn, group, period, current_language())
    response = jsonify(data)
    response.mimetype = "application/geo+json"
    return response


def period_choices(table: Table) -> list[tuple[str, str]]:
    return [(p, str(_l("All time")) if p == ALL else p) for p in table.periods]


@bp.get("/open-data")
def open_data() -> Response:
    language = current_language()
    table = public_table("microdistricts")
    page = render_template(
        "open_data.html", k=public_settings().k, hex_m=public_settings().hex_m,
        groups=[(g, group_label(g, language)) for g in GROUP_OPTIONS],
        periods=period_choices(table), tables=CSV_TABLES, areas=GEOJSON_AREAS)
    return finish(Response(page, mimetype="text/html"))


@bp.get("/done")
def done() -> Response:
    language = current_language()
    table = public_table("resolved")
    period = request.args.get("period") or ALL
    if period not in table.periods:
        period = ALL
    rows = [((info["name_kk"] or info["name"]) if language == "kk" else info["name"],
             [table.value(area, g, period) for g in (ALL, *CATEGORY_GROUPS)])
            for area, info in table.areas.items()]
    page = render_template(
        "done.html", rows=rows, period=period, periods=period_choices(table),
        k=public_settings().k,
        groups=[group_label(g, language) for g in (ALL, *CATEGORY_GROUPS)])
    return finish(Response(page, mimetype="text/html"))
