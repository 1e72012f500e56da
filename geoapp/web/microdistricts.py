"""One microdistrict's page (`/microdistricts/<id>`), where the officials' map links."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from geoapp.analysis import stats
from geoapp.errors import NotFound
from geoapp.maps.filters import ComplaintFilter
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.dashboard import (
    OFFICIAL_ROLES,
    category_namer,
    named_shares,
    register_filters,
    resolution_chart,
    status_namer,
    trend_chart,
)
from geoapp.web.i18n import current_language
from geoapp.web.officials import filter_choices

bp = Blueprint("microdistricts", __name__)
TOP_ADDRESSES = 10
register_filters(bp)


def local_name(info: stats.MicrodistrictInfo, language: str) -> str:
    return info.name_kk if language == "kk" and info.name_kk else info.name


@bp.get("/microdistricts/<int:microdistrict_id>")
@roles_required(*OFFICIAL_ROLES)
def show(microdistrict_id: int) -> str:
    language = current_language()
    # This page is one microdistrict already: its own filter would only repeat that.
    filters = replace(ComplaintFilter.from_args(request.args), microdistrict=None)
    with engine().connect() as conn:
        info = stats.microdistrict_info(conn, microdistrict_id)
        if info is None:
            raise NotFound(_("There is no microdistrict number %(id)d.", id=microdistrict_id))
        categories = stats.by_category(conn, filters, microdistrict_id)
        statuses = stats.by_status(conn, filters, microdistrict_id)
        resolution = stats.resolution_times(conn, filters, microdistrict_id)
        trend = stats.weekly_trend(conn, filters, microdistrict_id, tz=settings().timezone)
        addresses = stats.top_addresses(conn, filters, microdistrict_id, TOP_ADDRESSES)
    total = sum(s.count for s in statuses)
    per_1000 = total * 1000 / info.population if info.population else None
    outline = {"type": "Feature", "geometry": info.geojson,
               "properties": {"name": local_name(info, language)}}
    return render_template(
        "microdistrict.html", info=info, name=local_name(info, language),
        filters=filters, choices={**filter_choices(language), "microdistricts": []},
        total=total, per_1000=per_1000,
        categories=named_shares(categories, category_namer(language)),
        statuses=named_shares(statuses, status_namer(language)),
        resolution=resolution, trend_chart=trend_chart(trend),
        resolution_chart=resolution_chart(resolution), addresses=addresses,
        outline=outline, basemap_url=settings().basemap_url,
    )
