"""Typed errors to HTTP responses: JSON for API callers, a page for browsers."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from geoapp.errors import DatabaseUnavailable, GeoappError


def localized(exc: GeoappError) -> str:
    """The error's message in the page's language when it was written for translation
    (geoapp.errors.N_), else as it was raised."""
    return _(exc.template, **exc.params) if exc.template else str(exc)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.path.startswith("/api/")


def _respond(status: int, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(GeoappError)
    def geoapp_error(exc: GeoappError) -> tuple[Response | str, int]:
        return _respond(exc.http_status, localized(exc))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> tuple[Response | str, int]:
        limit = app.config["GEOAPP_SETTINGS"].max_upload_mb
        return _respond(413, _("The file is larger than %(mb)d MB, the most the browser "
                               "may send here; import it with `geoapp import complaints`.",
                               mb=limit))

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError) -> tuple[Response | str, int]:
        app.logger.warning("database unavailable: %s", exc.orig)
        return _respond(503, str(DatabaseUnavailable("the database is unavailable")))
