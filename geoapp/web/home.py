"""The home page: the public open map (geoapp.web.open_map) with what the service is,
the maps open to this visitor, and the data's extent."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from geoapp.maps.registry import pages_for
from geoapp.web import engine
from geoapp.web.auth import current_role
from geoapp.web.open_map import render_open_map

bp = Blueprint("home", __name__)

OVERVIEW_SQL = text("""
    SELECT (SELECT count(*) FROM microdistricts) AS microdistricts,
           (SELECT count(*) FROM buildings) AS buildings,
           (SELECT count(*) FROM parcels) AS parcels,
           (SELECT count(*) FROM complaints) AS complaints,
           (SELECT min(received_at) FROM complaints) AS first_received,
           (SELECT max(received_at) FROM complaints) AS last_received
""")


@bp.get("/")
def index() -> Response:
    try:
        with engine().connect() as conn:
            overview = conn.execute(OVERVIEW_SQL).mappings().one()
    except OperationalError:
        overview = None
    maps = [
        {"title": page.title(), "description": page.description(),
         "url": url_for(page.endpoint)}
        for page in pages_for(current_role())
    ]
    return render_open_map(overview, maps)
