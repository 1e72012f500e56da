"""JSON endpoints behind the maps: layer data by viewport and zoom, and search."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import Connection, text

from geoapp.errors import InputError
from geoapp.maps.catalog import LayerSpec, load_catalog
from geoapp.maps.filters import ComplaintFilter, parse_bbox, parse_zoom
from geoapp.maps.sources import Query, all_sources
from geoapp.textsearch import search_text, words_pattern
from geoapp.web import engine, settings
from geoapp.web.auth import current_role, roles_required
from geoapp.web.i18n import current_language

bp = Blueprint("api", __name__, url_prefix="/api")


def catalog() -> dict[str, LayerSpec]:
    cached = current_app.extensions.get("geoapp.catalog")
    if cached is None:
        cached = current_app.extensions["geoapp.catalog"] = load_catalog()
    return cached


def layer_filters(spec: LayerSpec) -> ComplaintFilter:
    args: dict[str, str] = dict(request.args) if spec.follows_filters else {}
    args.update(spec.fixed_filters)
    if spec.time_step == "week":
        raw = request.args.get("week")
        if not raw:
            raise InputError("this layer needs `week` (the Monday of a week, 2024-01-15)")
        try:
            monday = date.fromisoformat(raw)
        except ValueError:
            raise InputError(f"week must be a date like 2024-01-15, got {raw!r}") from None
        args["from"], args["to"] = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    return ComplaintFilter.from_args(args)


@bp.get("/layers/<layer_id>")
def layer_data(layer_id: str) -> tuple[Response, int] | Response:
    spec = catalog().get(layer_id)
    if spec is None:
        abort(404)
    if not spec.open_to(current_role()):
        abort(403 if current_role() else 401)
    query = Query(bbox=parse_bbox(request.args.get("bbox"), settings().city_bbox),
                  zoom=parse_zoom(request.args.get("zoom")), filters=layer_filters(spec),
                  language=current_language(), timezone=settings().timezone)
    with engine().connect() as conn:
        data = all_sources()[spec.source](conn, query)
    response = jsonify(data)
    response.headers["Cache-Control"] = "private, max-age=30"
    return response


def address_matches(conn: Connection, like: str) -> list[dict[str, object]]:
    """Register addresses (Russian or Kazakh) matching a LIKE pattern, shortest first,
    as search results to zoom to."""
    rows = conn.execute(text("""
        SELECT address AS label, ST_Y(geom) AS lat, ST_X(geom) AS lon FROM buildings
        WHERE address ILIKE :like OR address_kk ILIKE :like
        ORDER BY length(address), address LIMIT 10
    """), {"like": like}).mappings()
    return [dict(row) for row in rows]


@bp.get("/search")
@roles_required("official", "inspector", "admin", data=True)
def search() -> Response:
    """Addresses in the register and complaint tickets matching the query."""
    q = search_text(request.args.get("q"))
    if q is None:
        return jsonify(results=[])
    with engine().connect() as conn:
        tickets = conn.execute(text("""
            SELECT ticket FROM complaints WHERE ticket = upper(:q) OR external_id = :q LIMIT 5
        """), {"q": q}).scalars().all()
        addresses = address_matches(conn, words_pattern(q))
    results = [{"label": t, "url": f"/complaints/{t}"} for t in tickets]
    return jsonify(results=results + addresses)
