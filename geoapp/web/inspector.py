"""The land inspectors' workspace: the inspector map (`/inspector`), the violations
register with reviews and exports (`/inspector/violations`), and parcel cards
(`/parcels/<cadastral number>`). Open to inspectors and admins."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text

from geoapp.analysis import parcel_card
from geoapp.analysis.freshness import register_freshness
from geoapp.analysis.rule_config import Rule, load_rules
from geoapp.analysis.violation_export import fetch, to_csv, to_geojson, write_gpkg
from geoapp.analysis.violations import (
    CHECKS_ACTOR,
    NO_LONGER_FOUND,
    REGISTER_STATES,
    Selection,
    review,
    run_checks,
    totals,
)
from geoapp.errors import InputError
from geoapp.geocode.cadastral import cadastral_form
from geoapp.maps.builder import build_map, safe_json
from geoapp.maps.catalog import layers_for
from geoapp.maps.registry import Page, register_page
from geoapp.maps.vocabularies import names_of
from geoapp.taxonomy import LAND_USE_NAMES, ZONE_KIND_NAMES, code_name
from geoapp.textsearch import contains_pattern, search_text, words_pattern
from geoapp.web import engine, settings
from geoapp.web.api import address_matches, catalog
from geoapp.web.auth import current_role, roles_required
from geoapp.web.context import thousands
from geoapp.web.errors import localized
from geoapp.web.i18n import current_language
from geoapp.web.officials import OFFICIAL_ROLES

bp = Blueprint("inspector", __name__)
INSPECTOR_ROLES = ("inspector", "admin")
REGISTER_LIMIT = 1000
EXPORTS = ("csv", "geojson", "gpkg")

register_page(Page("inspector.inspector_map", lambda: str(_l("Inspector map")),
                   lambda: str(_l("parcels, restriction zones, violations and land "
                                  "complaints")),
                   frozenset(INSPECTOR_ROLES)))
register_page(Page("inspector.violations", lambda: str(_l("Violations")),
                   lambda: str(_l("the register of parcel violations and their review")),
                   frozenset(INSPECTOR_ROLES), is_map=False))


def rules() -> dict[str, Rule]:
    cached = current_app.extensions.get("geoapp.parcel_rules")
    if cached is None:
        cached = current_app.extensions["geoapp.parcel_rules"] = load_rules()
    return cached


def state_names() -> dict[str, str]:
    return names_of("review_state", current_language())


@bp.get("/inspector")
@roles_required(*INSPECTOR_ROLES)
def inspector_map() -> str:
    language = current_language()
    layers = layers_for(catalog(), "inspector", current_role())
    parts = build_map(
        layers, static=lambda name: url_for("static", filename=name), language=language,
        basemap_url=settings().basemap_url, basemap_attribution="© OpenStreetMap contributors",
        data_url=lambda layer_id: url_for("api.layer_data", layer_id=layer_id),
        config={"filters": {}, "searchUrl": url_for("inspector.search"),
                "i18n": {"search": _("Cadastral number, address or holder"),
                         "nothing": _("Nothing found")}},
        role=current_role(),
    )
    with engine().connect() as conn:
        figures = totals(conn, codes=tuple(rules()))
        freshness = register_freshness(conn)
    return render_template("inspector/map.html", parts=parts, totals=figures, rules=rules(),
                           language=language, freshness=freshness)


@bp.get("/inspector/search")
@roles_required(*INSPECTOR_ROLES, data=True)
def search() -> Response:
    """Parcels by cadastral number or holder (to their card), and addresses (to zoom to)."""
    q = search_text(request.args.get("q"))
    if q is None:
        return jsonify(results=[])
    like, number = contains_pattern(q), cadastral_form(q)  # "06-097-…" as stored
    with engine().connect() as conn:
        parcels = conn.execute(text("""
            SELECT cadastral_number, holder FROM parcels
            WHERE cadastral_number LIKE :number OR holder ILIKE :like
            ORDER BY cadastral_number <> :q, cadastral_number LIMIT 15
        """), {"like": like, "number": contains_pattern(number), "q": number}).all()
        addresses = address_matches(conn, words_pattern(q))
    results = [{"label": f"{n}{' — ' + h if h else ''}",
                "url": url_for("inspector.parcel_view", cadastral_number=n)}
               for n, h in parcels]
    return jsonify(results=results + addresses)


@bp.get("/inspector/violations")
@roles_required(*INSPECTOR_ROLES)
def violations() -> str:
    selection = Selection.from_args(request.args, rules())
    with engine().connect() as conn:
        rows = fetch(conn, selection, rules())
        figures = totals(conn, selection, codes=tuple(rules()))
        freshness = register_freshness(conn)
    return render_template(
        "inspector/violations.html", rows=rows[:REGISTER_LIMIT], total_rows=len(rows),
        figures=figures, rules=rules(), selection=selection, states=REGISTER_STATES,
        state_names=state_names(), language=current_language(), exports=EXPORTS,
        freshness=freshness)


def _safe_back(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inspector.violations")


@bp.post("/inspector/violations/<int:violation_id>/review")
@roles_required(*INSPECTOR_ROLES)
def review_violation(violation_id: int) -> Response:
    state = request.form.get("state") or ""
    comment = request.form.get("comment")
    actor = current_user.full_name or current_user.username
    try:
        with engine().begin() as conn:
            review(conn, violation_id, state, actor, comment)
    except InputError as exc:
        flash(localized(exc), "error")
        return redirect(_safe_back(request.form.get("next")))
    flash(_("Review saved."), "success")
    return redirect(_safe_back(request.form.get("next")))


@bp.post("/inspector/checks")
@roles_required(*INSPECTOR_ROLES)
def run_checks_view() -> Response:
    """Run the parcel rules now, as `geoapp check parcels` does: for an inspector the
    register's banner says is behind the layers, who has no shell."""
    with engine().begin() as conn:
        result = run_checks(conn, rules(), settings().city_bbox)
    flash(_("The parcels were checked: %(found)s violations found or seen again, "
            "%(resolved)s no longer found (marked resolved).",
            found=thousands(sum(result.found.values())),
            resolved=thousands(result.resolved)), "success")
    return redirect(_safe_back(request.form.get("next")))


@bp.get("/inspector/violations/export.<fmt>")
@roles_required(*INSPECTOR_ROLES)
def export(fmt: str) -> Response:
    """The register, or any selection of it (rule, state, ids), as CSV, GeoJSON or
    GeoPackage."""
    if fmt not in EXPORTS:
        abort(404)
    selection = Selection.from_args(request.args, rules())
    with engine().connect() as conn:
        rows = fetch(conn, selection, rules())
    name = "parcel-violations"
    if fmt == "csv":
        return _attachment(Response(to_csv(rows), content_type="text/csv; charset=utf-8"),
                           f"{name}.csv")
    if fmt == "geojson":
        return _attachment(Response(to_geojson(rows), mimetype="application/geo+json"),
                           f"{name}.geojson")
    with tempfile.TemporaryDirectory(prefix="geoapp-gpkg-") as tmp:
        path = Path(tmp) / f"{name}.gpkg"
        write_gpkg(rows, path)
        data = path.read_bytes()
    return _attachment(Response(data, mimetype="application/geopackage+sqlite3"),
                       f"{name}.gpkg")


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _checks_words_shown(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks' own comment in a review history in the page's language (stored in
    English, as written); an inspector's words as typed."""
    for violation in violations:
        for entry in violation["history"]:
            if entry["actor"] == CHECKS_ACTOR and entry["comment"] == NO_LONGER_FOUND:
                entry["comment"] = _(NO_LONGER_FOUND)
    return violations


def _map_kinds_named(collection: dict[str, Any], language: str) -> dict[str, Any]:
    """Each shape's kind also in the page's language, for its tooltip; the code stays
    for the script's colours by kind."""
    for feature in collection["features"]:
        props = feature["properties"]
        names = ZONE_KIND_NAMES if props["role"] == "zone" else LAND_USE_NAMES
        props["kind_name"] = code_name(names, props["kind"], language)
    return collection


@bp.get("/parcels/<cadastral_number>")
@roles_required(*INSPECTOR_ROLES)
def parcel_view(cadastral_number: str) -> str | Response:
    with engine().connect() as conn:
        info = parcel_card.parcel(conn, cadastral_number)
        if info is None:
            written = cadastral_form(cadastral_number.strip())  # "06-097-488-001" typed
            if written != cadastral_number and parcel_card.parcel(conn, written):
                return redirect(url_for("inspector.parcel_view", cadastral_number=written))
            abort(404)
        pid = info["id"]
        card = {
            "zones": parcel_card.zones_of(conn, pid),
            "overlapping": parcel_card.overlapping_parcels(conn, pid),
            "complaints": parcel_card.land_complaints_near(conn, pid),
            "violations": _checks_words_shown(parcel_card.violations_of(conn, pid)),
            "map": safe_json(_map_kinds_named(parcel_card.card_map(conn, pid),
                                              current_language())),
        }
    return render_template("inspector/parcel.html", p=info, card=card, rules=rules(),
                           complaint_links=current_role() in OFFICIAL_ROLES,
                           state_names=state_names(), language=current_language(),
                           basemap_url=settings().basemap_url,
                           within_m=int(parcel_card.COMPLAINTS_WITHIN_M))
