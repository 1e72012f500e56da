"""Officials' complaint list, exports, detail page and workflow forms (`/complaints`).

The SQL lives in geoapp.complaints_query, the rules of changes in geoapp.workflow and
the file formats in geoapp.exports; this module wires them to requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import RowMapping

from geoapp import workflow
from geoapp.complaints_query import (
    PAGE_SIZE,
    SORTS,
    ListQuery,
    complaint_detail,
    complaint_history,
    count_complaints,
    department_choices,
    export_rows,
    list_page,
)
from geoapp.errors import NotFound
from geoapp.exports import COLUMNS, csv_chunks, export_values, xlsx_bytes
from geoapp.maps.registry import Page, register_page
from geoapp.taxonomy import (
    OPEN_STATUSES,
    REJECT_REASONS,
    SOURCE_NAMES,
    STATUSES,
    can_transition,
    category_name,
    status_name,
)
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.i18n import current_language
from geoapp.web.officials import OFFICIAL_ROLES, filter_choices
from geoapp.web.read_back import shown_actor, shown_comment, shown_note

bp = Blueprint("complaints", __name__)
MAX_TICKET = 64
BASEMAP_ATTRIBUTION = "© OpenStreetMap contributors"

register_page(Page("complaints.list_view", lambda: str(_l("Complaints")),
                   lambda: str(_l("search, export and process complaints")),
                   frozenset(OFFICIAL_ROLES), is_map=False))

REJECT_REASON_NAMES = {
    "duplicate": _l("Duplicate"),
    "not_our_responsibility": _l("Not our responsibility"),
    "unfounded": _l("Unfounded"),
}
PRECISION_NAMES = {
    "coordinates": _l("exact coordinates"),
    "building": _l("building"),
    "parcel": _l("land parcel named by its cadastral number"),
    "street": _l("street"),
    "microdistrict": _l("microdistrict"),
    "none": _l("not located"),
}


LANGUAGE_NAMES = {"ru": _l("Russian"), "kk": _l("Kazakh")}


def _named(names: Mapping[str, object], code: object) -> object:
    return str(names[code]) if isinstance(code, str) and code in names else code


def _export_cells(row: RowMapping, language: str) -> list[object]:
    """An export row with its codes by name in the reader's language, as the page
    shows them (source, rejection reason, location precision, language)."""
    shown = {**row, "source": SOURCE_NAMES.get(row["source"], {}).get(language, row["source"]),
             "reject_reason": _named(REJECT_REASON_NAMES, row["reject_reason"]),
             "geocode_precision": _named(PRECISION_NAMES, row["geocode_precision"]),
             "language": _named(LANGUAGE_NAMES, row["language"])}
    return export_values(shown, language)


def _labelled(row: RowMapping, language: str) -> dict[str, object]:
    """A row with the display names of its category and status."""
    return {**row, "category_name": category_name(row["category"], language),
            "status_name": status_name(row["status"], language)}


@bp.get("/complaints")
@roles_required(*OFFICIAL_ROLES)
def list_view() -> str:
    query = ListQuery.from_args(request.args)
    language = current_language()
    with engine().connect() as conn:
        total = count_complaints(conn, query)
        rows = list_page(conn, query, tz=settings().timezone, language=language)
    pages = max(1, -(-total // PAGE_SIZE))

    def link(**changes: object) -> str:
        return url_for("complaints.list_view", **query.args(**changes))

    flip = {"asc": "desc", "desc": "asc"}
    links = {
        "sort": {key: link(sort=key, page=1,
                           dir=flip[query.direction] if key == query.sort else "asc")
                 for key in SORTS},
        "prev": link(page=query.page - 1) if query.page > 1 else None,
        "next": link(page=query.page + 1) if query.page < pages else None,
        "csv": url_for("complaints.export_csv", **query.args(page=1)),
        "xlsx": url_for("complaints.export_xlsx", **query.args(page=1)),
    }
    return render_template(
        "complaints/list.html", query=query, filters=query.filters,
        choices=filter_choices(language), rows=[_labelled(r, language) for r in rows],
        total=total, pages=pages, links=links)


def _export_header() -> list[str]:
    return [_(msgid) for _key, msgid in COLUMNS]


def _attachment(response: Response, extension: str) -> Response:
    name = f"complaints-{date.today():%Y%m%d}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/complaints/export.csv")
@roles_required(*OFFICIAL_ROLES)
def export_csv() -> Response:
    query = ListQuery.from_args(request.args)
    language, tz, db = current_language(), settings().timezone, engine()
    header = _export_header()

    def rows() -> Iterator[list[object]]:
        with db.connect() as conn:
            for row in export_rows(conn, query, tz=tz, language=language):
                yield _export_cells(row, language)

    body = stream_with_context(csv_chunks(header, rows()))
    return _attachment(Response(body, content_type="text/csv; charset=utf-8"), "csv")


@bp.get("/complaints/export.xlsx")
@roles_required(*OFFICIAL_ROLES)
def export_xlsx() -> Response:
    query = ListQuery.from_args(request.args)
    language = current_language()
    with engine().connect() as conn:
        rows = (_export_cells(row, language) for row in
                export_rows(conn, query, tz=settings().timezone, language=language))
        data = xlsx_bytes(_export_header(), rows, _("Complaints"))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(Response(data, mimetype=mimetype), "xlsx")


def _render_detail(ticket: str, status: int = 200) -> tuple[str, int]:
    if len(ticket) > MAX_TICKET or "\x00" in ticket:
        raise NotFound(_("No complaint %(ticket)s.", ticket=ticket[:MAX_TICKET]))
    language, tz = current_language(), settings().timezone
    with engine().connect() as conn:
        row = complaint_detail(conn, ticket, tz=tz, language=language)
        if row is None:
            raise NotFound(_("No complaint %(ticket)s.", ticket=ticket))
        history = complaint_history(conn, row["id"], tz=tz, language=language)
        departments = department_choices(conn, language)
    complaint = _labelled(row, language)
    complaint.update(
        source_name=SOURCE_NAMES.get(row["source"], {}).get(language, row["source"]),
        precision_name=PRECISION_NAMES.get(row["geocode_precision"],
                                           row["geocode_precision"]),
        geocode_note=shown_note(row["geocode_note"]),
        reject_reason_name=REJECT_REASON_NAMES.get(row["reject_reason"] or "",
                                                   row["reject_reason"]),
        language_name=_named(LANGUAGE_NAMES, row["language"]),
        # The source's word, when the work done here has moved past it (see the
        # re-import rule in complaint_sql): a re-import will not undo it.
        exported_status_name=status_name(row["exported_status"], language)
        if row["exported_status"] not in (None, row["status"]) else None)
    events = [{**e, "from_name": status_name(e["from_status"], language)
               if e["from_status"] else "",
               "to_name": status_name(e["to_status"], language),
               "comment": shown_comment(e, REJECT_REASON_NAMES),
               "actor": e["actor_full_name"] or shown_actor(e["actor"])} for e in history]
    next_statuses = [(s, status_name(s, language)) for s in STATUSES
                     if can_transition(row["status"], s)]
    page = render_template(
        "complaints/detail.html", c=complaint, events=events, next_statuses=next_statuses,
        reasons=[(r, REJECT_REASON_NAMES[r]) for r in REJECT_REASONS],
        departments=departments, can_assign=row["status"] in OPEN_STATUSES,
        entered=request.form if request.method == "POST" else {},
        basemap_url=settings().basemap_url, basemap_attribution=BASEMAP_ATTRIBUTION)
    return page, status


@bp.get("/complaints/<ticket>")
@roles_required(*OFFICIAL_ROLES)
def detail(ticket: str) -> tuple[str, int]:
    return _render_detail(ticket)


def _refused(ticket: str, refusal: workflow.Refusal) -> tuple[str, int]:
    """The detail page again, with the reason the change was refused."""
    language = current_language()
    params = {k: status_name(str(v), language) if k.endswith("_status") else v
              for k, v in refusal.params.items()}
    flash(_(refusal.msgid, **params), "error")
    return _render_detail(ticket, getattr(refusal, "http_status", 400))


@bp.post("/complaints/<ticket>/status")
@roles_required(*OFFICIAL_ROLES)
def change_status(ticket: str) -> Response | tuple[str, int]:
    form = request.form
    try:
        with engine().begin() as conn:
            new_status = workflow.change_status(
                conn, ticket, version=workflow.parse_version(form.get("version")),
                new_status=form.get("status", ""), actor=current_user.username,
                comment=form.get("comment"), reason=form.get("reason") or None)
    except workflow.Refusal as refusal:
        return _refused(ticket, refusal)
    flash(_("Status changed to “%(status)s”.",
            status=status_name(new_status, current_language())), "success")
    return redirect(url_for("complaints.detail", ticket=ticket))


@bp.post("/complaints/<ticket>/assign")
@roles_required(*OFFICIAL_ROLES)
def assign(ticket: str) -> Response | tuple[str, int]:
    form = request.form
    try:
        with engine().begin() as conn:
            name, _status = workflow.assign(
                conn, ticket, version=workflow.parse_version(form.get("version")),
                department_id=workflow.parse_department(form.get("department")),
                actor=current_user.username, comment=form.get("comment"))
    except workflow.Refusal as refusal:
        return _refused(ticket, refusal)
    flash(_("Assigned to %(department)s.", department=name), "success")
    return redirect(url_for("complaints.detail", ticket=ticket))
