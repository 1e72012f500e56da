"""The hotspot page (`/hotspots`): run the analysis on demand and list the areas,
with CSV and GeoJSON downloads. The work is in geoapp.analysis.hotspots."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l

from geoapp.analysis.cube import DEFAULT_CATEGORY, CubeParams
from geoapp.analysis.hotspot_export import complaints_args, to_csv, to_geojson
from geoapp.analysis.hotspots import Analysis, cached_hotspots
from geoapp.complaints_query import ListQuery, count_complaints
from geoapp.errors import N_, InputError
from geoapp.maps.filters import FROM_AFTER_TO
from geoapp.maps.registry import Page, register_page
from geoapp.maps.vocabularies import PATTERN_NAMES
from geoapp.taxonomy import CATEGORIES, CATEGORY_CODES, category_name
from geoapp.web import engine
from geoapp.web.auth import roles_required
from geoapp.web.i18n import current_language
from geoapp.web.officials import OFFICIAL_ROLES

bp = Blueprint("hotspots", __name__)

register_page(Page("hotspots.index", lambda: str(_l("Hotspots")),
                   lambda: str(_l("significant and persistent complaint hotspots")),
                   frozenset(OFFICIAL_ROLES), is_map=False))




def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(N_("%(name)s must be a date like 2024-01-31, got %(value)s"),
                         name=name, value=repr(raw[:20])) from None


def params_from(args: Mapping[str, str]) -> CubeParams:
    category = args.get("category") or DEFAULT_CATEGORY
    if category not in CATEGORY_CODES:
        raise InputError(N_("unknown category %(value)s"), value=repr(category[:80]))
    first, last = _day(args.get("from"), "from"), _day(args.get("to"), "to")
    if first and last and first > last:
        raise InputError(FROM_AFTER_TO)
    return CubeParams(category=category, date_from=first, date_to=last)


def _run(args: Mapping[str, str]) -> Analysis:
    with engine().connect() as conn:
        return cached_hotspots(conn, params_from(args))


def _args(params: CubeParams) -> dict[str, str]:
    out = {"category": params.category}
    if params.date_from:
        out["from"] = params.date_from.isoformat()
    if params.date_to:
        out["to"] = params.date_to.isoformat()
    return out


@bp.get("/hotspots")
@roles_required(*OFFICIAL_ROLES)
def index() -> str:
    result = _run(request.args)
    language = current_language()
    query = urlencode(_args(result.params))
    category = result.params.category
    rows = []
    with engine().connect() as conn:
        for h in result.hotspots:
            # The list behind the link counts what it shows (the hotspot's bounds, its
            # significant weeks), which the table's figures do not: say how many.
            args = complaints_args(category, h)
            rows.append({"h": h, "link": "/complaints?" + urlencode(args),
                         "listed": count_complaints(conn, ListQuery.from_args(args))})
    return render_template(
        "hotspots.html", result=result, rows=rows, args=_args(result.params),
        pattern_names=PATTERN_NAMES,
        categories=[(c.code, category_name(c.code, language)) for c in CATEGORIES],
        csv_url=f"/hotspots.csv?{query}", geojson_url=f"/hotspots.geojson?{query}")


def _download(body: str, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="hotspots-{date.today():%Y%m%d}.{extension}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/hotspots.csv")
@roles_required(*OFFICIAL_ROLES)
def export_csv() -> Response:
    return _download(to_csv(_run(request.args)), "text/csv", "csv")


@bp.get("/hotspots.geojson")
@roles_required(*OFFICIAL_ROLES)
def export_geojson() -> Response:
    body = json.dumps(to_geojson(_run(request.args)), ensure_ascii=False, default=str)
    return _download(body, "application/geo+json", "geojson")
