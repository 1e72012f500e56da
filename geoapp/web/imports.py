"""Importing from the browser (`/imports`): complaints exports and reference layers.

The same imports as `geoapp import complaints` and `geoapp import layer`, for staff
who receive the 109 service's export or a new cadastral register by mail and have no
shell. Officials import complaints, land inspectors layers, admins both. A file
refused whole says why on the form, in the page's language; a file that passes is
imported in a thread of its own (import_jobs), its page following it to its
summary and naming the account that ran it. A complaint import's refused rows hold
personal data: they download for officials only, never cached.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import suppress
from functools import partial
from pathlib import Path, PurePosixPath

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Connection
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from geoapp.analysis.freshness import CHECKED_LAYERS
from geoapp.errors import Busy, InputError
from geoapp.ingest.history import complaints_written_by, import_details, recent_imports
from geoapp.ingest.zipped import EXPORT_SUFFIXES
from geoapp.maps.registry import Page, register_page
from geoapp.taxonomy import SOURCES
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.complaints import PRECISION_NAMES
from geoapp.web.errors import localized
from geoapp.web.import_jobs import (
    ComplaintUpload,
    LayerUpload,
    request_stop,
    runs_here,
    start_complaint_import,
    start_layer_import,
)
from geoapp.web.read_back import shown_reason
from geoapp.web.rejects_csv import worded_rejects

bp = Blueprint("imports", __name__)
COMPLAINT_IMPORTERS = ("official", "admin")
LAYER_IMPORTERS = ("inspector", "admin")
STAFF = ("official", "inspector", "admin")
HISTORY_ROWS = 30
LAYERS = ("parcels", "zones", "buildings", "microdistricts")
# What the imports read (geoapp.ingest tells formats apart by their bytes; the name
# only has to be one of these). A shapefile is several files: it comes zipped.
COMPLAINT_SUFFIXES = (*EXPORT_SUFFIXES, ".zip")
LAYER_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
LABEL_SUFFIXES = (".csv", ".txt", ".toml")  # a source's own labels mapped to codes
MAX_NAME = 120
SHOWN_FEATURES = 200  # of a layer's rejected features and warnings, on its page
STATUS_NAMES = {"running": _l("running"), "done": _l("done"), "failed": _l("failed"),
                "interrupted": _l("interrupted"),
                "stopped": _l("stopped before the end")}  # geoapp.ingest.running
REFRESH_SECONDS = 2  # how often a running import's page reloads
LEFT_UPLOADS_SECONDS = 24 * 3600
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
                   lambda: str(_l("load a complaints export or a layer and see what each "
                                  "import did")),
                   frozenset(STAFF), is_map=False))


def _file_name(upload: FileStorage | None, suffixes: tuple[str, ...], refusal: str) -> str:
    """The uploaded file's own name, without any folder a browser sent with it."""
    if upload is None or not upload.filename:
        raise InputError(_("Choose the file to import."))
    name = PurePosixPath(upload.filename.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[-MAX_NAME:]
    if not name or name in (".", "..") or not name.lower().endswith(suffixes):
        raise InputError(refusal % {"name": name or _("The file")})
    return name


def _saved(upload: FileStorage | None, folder: Path, name: str) -> Path:
    """The upload written under its own name into a folder of its own (an export and
    its labels file may share a name; neither may be taken for the rejects file)."""
    assert upload is not None
    folder.mkdir(exist_ok=True)
    path = folder / name
    upload.save(path)
    return path


def _choice(raw: str | None, allowed: tuple[str, ...], refusal: str) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        raise InputError(refusal)
    return raw


def _crs(raw: str | None) -> int | None:
    text = (raw or "").strip().upper().removeprefix("EPSG:")
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InputError(_("A coordinate system is an EPSG code, such as 32642."))
    return int(text)


def rejects_in(data_dir: Path, batch_id: int) -> Path:
    """Where an import's refused rows are kept (a complaint import's thread is given
    the data folder: it has no request to ask)."""
    return data_dir / "imports" / f"{batch_id}-rejects.csv"


def rejects_file(batch_id: int) -> Path:
    return rejects_in(settings().data_dir, batch_id)


def _index(error: str | None = None, layer_error: str | None = None,
           status: int = 200) -> tuple[str, int]:
    with engine().connect() as conn:
        history = recent_imports(conn, HISTORY_ROWS)
    role = current_user.role
    return render_template(
        "imports/index.html", history=history, sources=SOURCES, layers=LAYERS,
        error=error, layer_error=layer_error, max_mb=settings().max_upload_mb,
        status_names=STATUS_NAMES, imports_complaints=role in COMPLAINT_IMPORTERS,
        imports_layers=role in LAYER_IMPORTERS), status


@bp.get("/imports")
@roles_required(*STAFF)
def index() -> tuple[str, int]:
    return _index()


@bp.post("/imports")
@roles_required(*COMPLAINT_IMPORTERS)
def upload() -> Response | tuple[str, int]:
    upload = request.files.get("file")
    work = _upload_folder()  # removed again when the upload is refused
    try:
        name = _file_name(upload, COMPLAINT_SUFFIXES, _(
            "%(name)s is not a complaints export: geoapp imports CSV, TSV, XLSX, XLS, "
            "Excel 2003 XML, an HTML table or GeoJSON."))
        source = _choice(request.form.get("source"), SOURCES, _("There is no such source."))
        sheet = (request.form.get("sheet") or "").strip() or None
        labels = request.files.get("labels")
        labels_path = None
        if labels is not None and labels.filename:
            labels_path = _saved(labels, work / "labels", _file_name(
                labels, LABEL_SUFFIXES, _("%(name)s is not a labels mapping: a CSV of "
                                          "label and code, or a TOML file.")))
        export = _saved(upload, work / "export", name)
        batch_id = start_complaint_import(engine(), settings(), ComplaintUpload(
            work, export, labels_path, source, sheet, current_user.username),
            partial(rejects_in, settings().data_dir))
    except (InputError, Busy) as exc:
        shutil.rmtree(work, ignore_errors=True)
        return _index(error=localized(exc), status=exc.http_status)
    return redirect(url_for("imports.show", batch_id=batch_id), 303)


def _upload_folder() -> Path:
    """A folder of its own for an upload, beside the kept rejects files (the import
    renames its rejects file there: one file system). Folders that an import whose
    process died left behind go on the next upload, once a day old."""
    uploads = settings().data_dir / "imports" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    for left in uploads.iterdir():
        with suppress(OSError):  # gone meanwhile, or not ours to remove
            if time.time() - left.stat().st_mtime > LEFT_UPLOADS_SECONDS:
                shutil.rmtree(left)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))


@bp.post("/imports/layers")
@roles_required(*LAYER_IMPORTERS)
def upload_layer() -> Response | tuple[str, int]:
    upload = request.files.get("file")
    work = _upload_folder()  # removed again when the upload is refused
    try:
        kind = _choice(request.form.get("layer"), LAYERS, _("There is no such layer."))
        if kind is None:
            raise InputError(_("Choose the layer to import."))
        name = _file_name(upload, LAYER_SUFFIXES, _(
            "%(name)s is not a layer file: geoapp imports GeoJSON, GeoPackage or a "
            "shapefile zipped with its .dbf, .shx and .prj."))
        crs = _crs(request.form.get("crs"))
        source_layer = (request.form.get("source_layer") or "").strip() or None
        path = _saved(upload, work / "layer", name)
        checks = (partial(_parcel_checks, settings().city_bbox)
                  if kind in CHECKED_LAYERS else None)
        batch_id = start_layer_import(engine(), LayerUpload(
            work, path, kind, crs, source_layer, current_user.username,
            settings().city_bbox), checks)
    except (InputError, Busy) as exc:
        shutil.rmtree(work, ignore_errors=True)
        return _index(layer_error=localized(exc), status=exc.http_status)
    return redirect(url_for("imports.show", batch_id=batch_id), 303)


def _parcel_checks(city_bbox: tuple[float, float, float, float],
                   conn: Connection) -> dict[str, int]:
    """Run the parcel rules on the layers as imported, as the inspector who imported
    them would next (the command line leaves it to `geoapp check parcels`, so that
    several layers are loaded before one run); the import's page gives the figures."""
    from geoapp.analysis.rule_config import load_rules
    from geoapp.analysis.violations import run_checks

    result = run_checks(conn, load_rules(), city_bbox)
    return {"found": sum(result.found.values()), "resolved": result.resolved}


@bp.get("/imports/<int:batch_id>")
@roles_required(*STAFF)
def show(batch_id: int) -> str:
    with engine().connect() as conn:
        entry = import_details(conn, batch_id)
        if entry is None:
            abort(404)
        written = (complaints_written_by(conn, batch_id)
                   if entry["status"] == "stopped" and entry["kind"] == "complaints"
                   else None)
    summary = entry["summary"] or {}
    error = (_(summary["error_template"], **summary["error_params"])
             if summary.get("error_template") else summary.get("error"))
    return render_template(
        "imports/show.html", entry=entry, summary=summary, written=written, error=error,
        has_rejects=(current_user.role in COMPLAINT_IMPORTERS and summary.get("rejected")
                     and rejects_file(batch_id).is_file()),
        refresh_seconds=REFRESH_SECONDS,
        stoppable=(entry["status"] == "running" and current_user.role in COMPLAINT_IMPORTERS
                   and runs_here(batch_id)),
        status_names=STATUS_NAMES, reason_names=ROW_REJECTION_NAMES,
        precision_names=PRECISION_NAMES, shown=SHOWN_FEATURES,
        rejected_features=_worded(summary.get("rejected_features", [])[:SHOWN_FEATURES]),
        warnings=_worded(summary.get("warnings", [])[:SHOWN_FEATURES]))


def _worded(items: list[dict]) -> list[dict]:
    """A layer's rejected features or warnings, a reason inside one (a date that
    cannot be read) in the page's language too (the template is translated on the
    page)."""
    return [{**item, "params": {name: shown_reason(value) if name == "reason" else value
                                for name, value in item["params"].items()}}
            if item.get("params") else item for item in items]


@bp.post("/imports/<int:batch_id>/stop")
@roles_required(*COMPLAINT_IMPORTERS)
def stop(batch_id: int) -> Response | tuple[str, int]:
    """Stop a running complaint import (the wrong file, a file too large for the
    hour): the batches that landed stay, the one in flight is rolled back."""
    if not request_stop(batch_id):
        return _("This import is not running on this server: it ended, or it runs "
                 "from the command line (stop it there with Ctrl-C)."), 409
    return redirect(url_for("imports.show", batch_id=batch_id), 303)


@bp.get("/imports/<int:batch_id>/rejects.csv")
@roles_required(*COMPLAINT_IMPORTERS)
def rejects(batch_id: int) -> Response:
    path = rejects_file(batch_id)
    if not path.is_file():
        abort(404)
    response = Response(stream_with_context(worded_rejects(path)),
                        content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="import-{batch_id}-rejects.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
