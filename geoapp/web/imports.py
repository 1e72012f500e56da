"""Importing a complaints export from the browser (`/imports`).

The same import as `geoapp import complaints`, for the officials who receive the 109
service's export by mail and have no shell: the upload lands or is refused as a
whole with the reason, and each import has a page with its summary, the account that
ran it and its refused rows (personal data: staff only, never cached).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from geoapp.errors import InputError
from geoapp.ingest.history import import_details, recent_imports
from geoapp.maps.registry import Page, register_page
from geoapp.taxonomy import SOURCES
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.complaints import PRECISION_NAMES

bp = Blueprint("imports", __name__)
IMPORTERS = ("official", "admin")
HISTORY_ROWS = 30
# What `geoapp import complaints` reads (geoapp.ingest.file_kind tells them apart by
# their bytes; the name only has to be one of these).
UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".xml", ".geojson", ".json",
                   ".htm", ".html")
MAX_NAME = 120
STATUS_NAMES = {"running": _l("running"), "done": _l("done"), "failed": _l("failed"),
                "interrupted": _l("interrupted")}
# The reasons a row is refused (geoapp.ingest), as the summary page names them.
ROW_REJECTION_NAMES = {
    "bad_date": _l("a date that cannot be read or is out of order"),
    "future_date": _l("a date in the future"),
    "bad_external_id": _l("a complaint number that cannot be used"),
    "missing_external_id": _l("no complaint number"),
    "missing_received_at": _l("no date"), "missing_text": _l("no text"),
    "missing_source": _l("no source"), "bad_source": _l("an unknown source"),
    "bad_status": _l("an unknown status"), "text_too_long": _l("a text that is too long"),
    "duplicate_in_file": _l("the same complaint number twice in the file"),
    "key_taken": _l("a complaint number that names another complaint"),
    "bad_encoding": _l("text that cannot be stored"),
    "extra_cells": _l("more cells than the header"),
    "unclosed_quote": _l("an unclosed quote"),
    "formula_without_value": _l("a formula saved without its value"),
}

register_page(Page("imports.index", lambda: str(_l("Imports")),
                   lambda: str(_l("load a complaints export and see what each import did")),
                   frozenset(IMPORTERS), is_map=False))


def _file_name(raw: str) -> str:
    """The uploaded file's own name, without any folder a browser sent with it."""
    name = PurePosixPath(raw.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[-MAX_NAME:]
    if not name or name in (".", "..") or not name.lower().endswith(UPLOAD_SUFFIXES):
        raise InputError(_("%(name)s is not a complaints export: geoapp imports CSV, TSV, "
                           "XLSX, XLS, Excel 2003 XML, an HTML table or GeoJSON.",
                           name=name or _("The file")))
    return name


def _source(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in SOURCES:
        raise InputError(_("There is no such source."))
    return raw


def rejects_file(batch_id: int) -> Path:
    return settings().data_dir / "imports" / f"{batch_id}-rejects.csv"


def _index(error: str | None = None, status: int = 200) -> tuple[str, int]:
    with engine().connect() as conn:
        history = recent_imports(conn, HISTORY_ROWS)
    return render_template("imports/index.html", history=history, sources=SOURCES,
                           error=error, max_mb=settings().max_upload_mb,
                           status_names=STATUS_NAMES), status


@bp.get("/imports")
@roles_required(*IMPORTERS)
def index() -> tuple[str, int]:
    return _index()


@bp.post("/imports")
@roles_required(*IMPORTERS)
def upload() -> Response | tuple[str, int]:
    from geoapp.ingest.complaints import import_complaints

    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InputError(_("Choose the file to import."))
        name, source = _file_name(upload.filename), _source(request.form.get("source"))
        with tempfile.TemporaryDirectory(prefix="geoapp-upload-") as work:
            path, rejects = Path(work) / name, Path(work) / "rejects.csv"
            upload.save(path)
            summary = import_complaints(engine(), path, settings=settings(),
                                        default_source=source, rejects_path=rejects)
            assert summary.batch_id is not None
            if summary.rejected:
                kept = rejects_file(summary.batch_id)
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(rejects, kept)
    except InputError as exc:
        return _index(str(exc), 400)
    with engine().begin() as conn:
        conn.exec_driver_sql("UPDATE import_batches SET imported_by = %(user)s "
                             "WHERE id = %(id)s",
                             {"user": current_user.username, "id": summary.batch_id})
    return redirect(url_for("imports.show", batch_id=summary.batch_id), 303)


@bp.get("/imports/<int:batch_id>")
@roles_required(*IMPORTERS)
def show(batch_id: int) -> str:
    with engine().connect() as conn:
        entry = import_details(conn, batch_id)
    if entry is None:
        abort(404)
    return render_template("imports/show.html", entry=entry, summary=entry["summary"] or {},
                           has_rejects=rejects_file(batch_id).is_file(),
                           status_names=STATUS_NAMES, reason_names=ROW_REJECTION_NAMES,
                           precision_names=PRECISION_NAMES)


@bp.get("/imports/<int:batch_id>/rejects.csv")
@roles_required(*IMPORTERS)
def rejects(batch_id: int) -> Response:
    path = rejects_file(batch_id)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="text/csv", as_attachment=True,
                         download_name=f"import-{batch_id}-rejects.csv", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
