"""Typed errors to HTTP responses: JSON for API callers, a page for browsers."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from geoapp.errors import DatabaseUnavailable, GeoappError

# What a user reads for an HTTP error the app does not word itself (an address that
# does not exist, a page of another role, a method a page does not take), in the
# page's language and inside the site's layout rather than the server's bare English.
HTTP_MESSAGES = {
    400: _l("The request could not be read; reload the page and try again."),
    401: _l("Log in to see this."),
    403: _l("Your account's role does not open this page."),
    404: _l("There is no such page; the link may be out of date."),
    405: _l("This address does not take this kind of request."),
}
OTHER_HTTP_MESSAGE = _l("The request could not be served (HTTP %(status)d).")
CSRF_MESSAGE = _l("The form has expired or did not come from this site; reload the page "
                  "and send it again.")
# Headers of an HTTP error that a client acts on, kept on the worded response.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def localized(exc: GeoappError) -> str:
    """The error's message in the page's language when it was written for translation
    (geoapp.errors.N_), else as it was raised."""
    return _(exc.template, **exc.params) if exc.template else str(exc)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    view = current_app.view_functions.get(request.endpoint or "")
    return (best == "application/json" or request.path.startswith("/api/")
            or getattr(view, "answers_json", False))


def _respond(status: int, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(GeoappError)
    def geoapp_error(exc: GeoappError) -> tuple[Response | str, int]:
        return _respond(exc.http_status, localized(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> HTTPException | tuple[Response | str, int]:
        if exc.code is None or exc.code < 400:
            return exc
        if isinstance(exc, CSRFError):
            message = str(CSRF_MESSAGE)
        elif exc.code in HTTP_MESSAGES:
            message = str(HTTP_MESSAGES[exc.code])
        else:
            message = str(OTHER_HTTP_MESSAGE) % {"status": exc.code}
        body, status = _respond(exc.code, message)
        response = app.make_response((body, status))
        for name, value in exc.get_headers():
            if name in _KEPT_HEADERS:
                response.headers[name] = value
        return response

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
