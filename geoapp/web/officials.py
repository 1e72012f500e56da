"""The officials' complaint map (`/map`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from geoapp.maps.builder import build_map
from geoapp.maps.catalog import layers_for
from geoapp.maps.filters import ComplaintFilter
from geoapp.maps.registry import Page, register_page
from geoapp.maps.seasons import season_weeks
from geoapp.maps.vocabularies import names_of
from geoapp.taxonomy import (
    CATEGORIES,
    CATEGORY_GROUPS,
    GROUP_NAMES,
    SOURCE_NAMES,
    SOURCES,
    STATUSES,
    category_name,
    status_name,
)
from geoapp.web import engine, settings
from geoapp.web.api import catalog
from geoapp.web.auth import current_role, roles_required
from geoapp.web.i18n import current_language

bp = Blueprint("officials", __name__)
OFFICIAL_ROLES = ("official", "admin")

register_page(Page("officials.complaint_map", lambda: str(_l("Complaint map")),
                   lambda: str(_l("heat, clusters and microdistricts, with filters")),
                   frozenset(OFFICIAL_ROLES)))


def microdistrict_choices(language: str) -> list[tuple[int, str]]:
    with engine().connect() as conn:
        rows = conn.execute(text("SELECT id, name, name_kk FROM microdistricts ORDER BY name"))
        return [(i, (kk or name) if language == "kk" else name) for i, name, kk in rows]


def filter_choices(language: str) -> dict[str, object]:
    return {
        "microdistricts": microdistrict_choices(language),
        "groups": [(g, GROUP_NAMES[g].get(language, g)) for g in CATEGORY_GROUPS],
        "categories": [(c.code, category_name(c.code, language)) for c in CATEGORIES],
        "statuses": [(s, status_name(s, language)) for s in STATUSES],
        "sources": [(s, SOURCE_NAMES[s].get(language, s)) for s in SOURCES],
    }


def map_i18n(language: str) -> dict[str, object]:
    return {
        "categories": names_of("category", language),
        "statuses": names_of("complaint_status", language),
        "open": str(_l("Open the complaint")), "week": str(_l("Week")),
        "rate": str(_l("per 1,000 residents")),
        "play": str(_l("Play")), "search": str(_l("Address or ticket")),
        "nothing": str(_l("Nothing found")),
        "notDrawn": str(_l("Not drawn: {n} known only to their microdistrict (counted by "
                           "microdistrict)")),
    }


def heating_weeks() -> list[list[str]]:
    with engine().connect() as conn:
        first, last = conn.execute(text("""
            SELECT (min(received_at) AT TIME ZONE 'Asia/Almaty')::date,
                   (max(received_at) AT TIME ZONE 'Asia/Almaty')::date FROM complaints
        """)).one()
    if first is None:
        return []
    return [[monday.isoformat(), season] for monday, season in season_weeks(first, last)]


@bp.get("/map")
@roles_required(*OFFICIAL_ROLES)
def complaint_map() -> str:
    language = current_language()
    filters = ComplaintFilter.from_args(request.args)
    layers = layers_for(catalog(), "officials", current_role())
    parts = build_map(
        layers, static=lambda name: url_for("static", filename=name), language=language,
        basemap_url=settings().basemap_url,
        basemap_attribution="© OpenStreetMap contributors",
        data_url=lambda layer_id: url_for("api.layer_data", layer_id=layer_id),
        config={"filters": filters.as_args(), "i18n": map_i18n(language),
                "weeks": heating_weeks() if any(s.time_step for s in layers) else [],
                "complaintUrl": "/complaints/", "microdistrictUrl": "/microdistricts/",
                "searchUrl": url_for("api.search")},
        role=current_role(),
    )
    return render_template("map.html", parts=parts, filters=filters,
                           choices=filter_choices(language))
