"""Imports from the browser run in a thread of their own.

A year's export of a city contact centre is a million rows or more, a region's
cadastre moves as many complaints: minutes of import, longer than a browser or a
proxy in front of the app waits for one response. The upload's request returns once
the import has read what it checks first and recorded itself (or refused the file
whole, which the form then says); the import's page follows it from there
(`running`, what has landed so far) to its summary. The thread needs no request:
it is given the engine and what it needs of the settings.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from geoapp.config import Settings
from geoapp.errors import N_, Busy, InputError

log = logging.getLogger(__name__)

# A complaint import holds four database connections for its length (complaint_writer);
# more imports at once would leave the pages waiting for one.
MAX_IMPORTS_AT_ONCE = 2
# How long an upload's request waits for its layer file to be read (a refusal then
# goes on the form) before the import's page takes over: a proxy in front of the app
# gives up on a response after a minute.
LAYER_READ_WAIT_SECONDS = 10.0
_slots = threading.BoundedSemaphore(MAX_IMPORTS_AT_ONCE)

# The imports this process runs, by id: each one's stop request.
_running: dict[int, threading.Event] = {}
_running_lock = threading.Lock()


def runs_here(batch_id: int) -> bool:
    """Whether this process runs import `batch_id` (and so can stop it)."""
    with _running_lock:
        return batch_id in _running


def request_stop(batch_id: int) -> bool:
    """Ask import `batch_id` to stop (it does within a fraction of a second, as
    Ctrl-C stops it); False when this process does not run it."""
    with _running_lock:
        stop = _running.get(batch_id)
    if stop is None:
        return False
    stop.set()
    return True


@dataclass(frozen=True)
class ComplaintUpload:
    """An export saved from an upload, in a folder of its own (on the file system of
    the kept rejects files) that the import's thread removes when it is done."""

    work: Path
    export: Path
    labels: Path | None
    source: str | None
    sheet: str | None
    imported_by: str


@dataclass(frozen=True)
class LayerUpload:
    """A layer file saved from an upload, in a folder of its own."""

    work: Path
    path: Path
    kind: str
    crs: int | None
    source_layer: str | None
    imported_by: str
    city: tuple[float, float, float, float] | None = None  # its extent (import_layer)


@dataclass
class _Start:
    """What the request waits for: the import's id, or why it never started. A layer
    import records itself before reading its file (layers.EarlyEntry): the request
    waits for the reading up to LAYER_READ_WAIT_SECONDS, then hands the import over
    to its page, which a refusal then reaches rather than the form."""

    ready: threading.Event = field(default_factory=threading.Event)
    batch_id: int | None = None
    error: BaseException | None = None
    recorded_id: int | None = None
    entry: threading.Event = field(default_factory=threading.Event)  # recorded
    handed_over: bool = False
    refusing: bool = False  # a refusal the request will be told of
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.ready.set()

    def recorded(self, batch_id: int) -> None:
        self.recorded_id = batch_id
        self.entry.set()

    def keeps_refusal(self) -> bool:
        with self.lock:
            self.refusing = not self.handed_over
            return self.handed_over

    def hand_over(self, timeout: float) -> int | None:
        """The import's id once it has started, or once `timeout` has passed while it
        reads its file; None when it ended first (its error is then `error`)."""
        if self.ready.wait(timeout):
            return self.batch_id
        while not (self.entry.is_set() or self.ready.is_set()):
            self.ready.wait(0.05)  # the entry is recorded before the file is read
        with self.lock:
            if not self.refusing and not self.ready.is_set():
                self.handed_over = True
                return self.recorded_id
        self.ready.wait()
        return self.batch_id


Job = Callable[[_Start], None]  # runs the import, telling `_Start.started` its id


def _in_thread(job: Job, work: Path, wait: float | None = None) -> int:
    """Run `job` in a thread of its own; its import id once it has started (an error
    before that is raised here, to the request), or, with `wait`, once it has run so
    long while reading its file. `work` goes when the job is over. Busy when
    MAX_IMPORTS_AT_ONCE imports run already."""
    if not _slots.acquire(blocking=False):
        raise Busy(N_("%(n)d imports are running on this server already: start this one "
                      "when one of them has ended."), n=MAX_IMPORTS_AT_ONCE)
    start = _Start()

    def run() -> None:
        try:
            job(start)
        except BaseException as exc:  # told to the request, or logged
            if start.ready.is_set() or start.handed_over:
                # Recorded as failed, with the reason when it is the file's (InputError).
                if isinstance(exc, InputError):
                    log.info("import %s refused: %s", start.recorded_id, exc)
                else:
                    log.exception("import %s stopped", start.batch_id or start.recorded_id)
            else:
                start.error = exc
                start.ready.set()
        finally:
            with _running_lock:
                _running.pop(start.batch_id or 0, None)
            shutil.rmtree(work, ignore_errors=True)
            _slots.release()

    threading.Thread(target=run, name="geoapp-import", daemon=True).start()
    if wait is None:
        start.ready.wait()
        batch_id = start.batch_id
    else:
        batch_id = start.hand_over(wait)
    if start.error is not None:
        raise start.error
    assert batch_id is not None
    return batch_id


def start_complaint_import(engine: Engine, settings: Settings, upload: ComplaintUpload,
                           kept_rejects: Callable[[int], Path]) -> int:
    """Start importing `upload` in a thread; its import id once it has started. A
    file refused whole raises here, as the import raised it. The refused rows are
    kept where `kept_rejects` says for the import's id."""
    from geoapp.ingest.complaints import import_complaints

    stop = threading.Event()
    rejects = upload.work / "rejects.csv"

    def job(start: _Start) -> None:
        def started(batch_id: int) -> None:
            # The rejects file is open and empty yet; renamed, it is written on where
            # the import's page finds it, so that what is refused can be read while it
            # runs.
            kept = kept_rejects(batch_id)
            kept.parent.mkdir(parents=True, exist_ok=True)
            rejects.replace(kept)
            with _running_lock:
                _running[batch_id] = stop
            start.started(batch_id)

        summary = import_complaints(
            engine, upload.export, settings=settings, default_source=upload.source,
            rejects_path=rejects, sheet=upload.sheet, labels_path=upload.labels,
            imported_by=upload.imported_by, started=started, stop_requested=stop.is_set)
        if not summary.rejected and summary.batch_id is not None:
            kept_rejects(summary.batch_id).unlink(missing_ok=True)

    return _in_thread(job, upload.work)


def start_layer_import(engine: Engine, upload: LayerUpload,
                       checks: Callable[[Connection], dict[str, int]] | None = None) -> int:
    """Start importing the layer `upload` in a thread; its import id once its file is
    read, or once it has read it for LAYER_READ_WAIT_SECONDS (a file refused whole
    before that raises here; after, its page says so). `checks`: as import_layer
    runs them."""
    from geoapp.ingest.layers import import_layer

    def job(start: _Start) -> None:
        import_layer(engine, upload.kind, upload.path, crs=upload.crs,
                     source_layer=upload.source_layer, imported_by=upload.imported_by,
                     started=start.started, checks=checks, early=start, city=upload.city)

    return _in_thread(job, upload.work, LAYER_READ_WAIT_SECONDS)
