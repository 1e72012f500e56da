"""Public request tracking (`/track`): ticket + last four digits of the applicant's
phone give the status history. A wrong pair gets exactly the page of an unknown
ticket; attempts are limited per client address."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l

from geoapp.maps.registry import PUBLIC, Page, register_page
from geoapp.taxonomy import status_name
from geoapp.tracking import track, valid_pair
from geoapp.web import engine
from geoapp.web.i18n import current_language
from geoapp.web.throttle import Throttle

bp = Blueprint("track", __name__)
THROTTLE = "geoapp.track_throttle"
ATTEMPTS, WINDOW_S = 10, 600.0

register_page(Page("track.track_view", lambda: str(_l("Track a request")),
                   lambda: str(_l("status of your request by its ticket")),
                   frozenset({PUBLIC}), is_map=False))


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[THROTTLE] = Throttle(ATTEMPTS, WINDOW_S)


def _page(status: int, **context: object) -> Response:
    response = Response(render_template("track.html", **context), status=status,
                        mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/track", methods=["GET", "POST"])
def track_view() -> Response:
    if request.method == "GET":
        return _page(200, ticket="", steps=None, asked=False)
    throttle: Throttle = current_app.extensions[THROTTLE]
    address = request.remote_addr or "?"
    if throttle.blocked(address):
        return _page(429, ticket="", steps=None, asked=False, limited=True)
    throttle.fail(address)
    ticket = (request.form.get("ticket") or "").strip()[:64]
    digits = (request.form.get("digits") or "").strip()[:8]
    language = current_language()
    steps = None
    if valid_pair(ticket, digits):
        with engine().connect() as conn:
            steps = track(conn, ticket, digits, language)
    rows = [(status_name(s.status, language), s.day.strftime("%d.%m.%Y"), s.department or "")
            for s in steps] if steps is not None else None
    # The ticket stays in its field (a typo is corrected, not typed again); the phone's
    # digits are not echoed back.
    return _page(200, ticket=ticket.upper() if steps is not None else "", steps=rows,
                 asked=True, typed=ticket)
