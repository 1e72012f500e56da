"""`/healthz`: 200 with the server versions, 503 when the database is unreachable."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from geoapp.db import require_postgis
from geoapp.errors import DatabaseUnavailable
from geoapp.web import engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        info = require_postgis(engine())
    except DatabaseUnavailable as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    return jsonify(status="ok", postgresql=info.postgres_version,
                   postgis=info.postgis_version), 200
