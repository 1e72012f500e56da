"""`geoapp import layer`: reference layers (microdistricts, buildings, parcels, zones)
from GeoJSON, GeoPackage or Shapefile into PostGIS, in one transaction per file.

Geometries are repaired, coerced and compared in PostGIS; an upsert on the natural
key changes only what differs, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text

from geoapp.errors import InputError, Worded, worded
from geoapp.ingest import running
from geoapp.ingest.headers import LAYER_FIELDS
from geoapp.ingest.layer_load import load_rows, staged_rows
from geoapp.ingest.layer_read import choose_source_layer, read_layer
from geoapp.ingest.layer_stages import (
    CHECKING,
    LOADING,
    PARCEL_CHECKS,
    PLACING,
    READING,
    Stage,
    record_stage,
)
from geoapp.ingest.layer_summary import LayerSummary
from geoapp.ingest.reassign import (
    FOLLOWING_LAYERS,
    placed_roughly,
    reassign_complaints,
)
from geoapp.ingest.relocate import relocate_by_address

LAYER_KINDS = tuple(LAYER_FIELDS)
MAX_RETIRED_SHARE = 0.5  # of the parcels not yet cancelled


def retire_missing_parcels(conn: Connection, written: set[str]) -> int:
    """Parcels of the register that the new file no longer lists (merged, split or
    cancelled in the cadastre) become `cancelled` rather than being deleted: their
    violations, reviews and complaints keep their history, and rule R2 stops pairing
    them with the parcels that replaced them."""
    retired, active = conn.execute(text("""
        WITH retired AS (
            UPDATE parcels SET status = 'cancelled'
            WHERE status <> 'cancelled' AND NOT (cadastral_number = ANY(:written))
            RETURNING 1)
        SELECT (SELECT count(*) FROM retired),
               (SELECT count(*) FROM parcels WHERE status <> 'cancelled')
    """), {"written": sorted(written)}).one()
    if retired > MAX_RETIRED_SHARE * active:
        # The caller's transaction rolls back: most likely a partial export.
        raise InputError(f"--retire-missing would cancel {retired:,} of {active:,} parcels: "
                         "is this the whole register? Nothing was imported")
    return int(retired)


def import_layer(engine: Engine, kind: str, path: Path, crs: int | None = None,
                 source_layer: str | None = None, encoding: str | None = None,
                 retire_missing: bool = False, imported_by: str | None = None,
                 started: Callable[[int], None] | None = None,
                 checks: Callable[[Connection], dict[str, int]] | None = None,
                 early: EarlyEntry | None = None, stage: Stage | None = None,
                 city: tuple[float, float, float, float] | None = None) -> LayerSummary:
    """Read and check the layer file, then upsert it in one transaction and place the
    complaints that follow this layer anew. The import records itself once the file
    is read (a refused file leaves no entry; `started` then hears its id) and holds
    its entry's lock until it is over, as a complaint import does (running.py); it
    is `done` when its transaction commits, `failed` or `interrupted` with nothing
    of it landed otherwise. `imported_by`: the account that asked. `checks` runs in
    the import's transaction when the layer changed anything (the parcel rules, from
    the browser); its figures are the summary's `parcel_checks`. `early`: record the
    entry before the file is read instead (a region's register takes a minute to
    read). `stage` hears what it is doing (layer_stages); the entry keeps it too.
    `city`: its extent; a feature far from it is kept with a warning."""
    if kind not in LAYER_KINDS:
        raise InputError(f"unknown layer {kind!r}; one of: {', '.join(LAYER_KINDS)}")
    if retire_missing and kind != "parcels":
        raise InputError("--retire-missing is for parcels only (a parcel left out of a new "
                         "register is cancelled; other layers keep what they had)")
    if not path.exists():
        raise InputError(f"no such file: {path}")
    began = datetime.now(UTC)
    summary = LayerSummary(layer=kind, file=path.name)
    recorded: list[tuple[Connection, int]] = []  # the entry, once there is one

    def tell(template: str, **params: str | int | float) -> None:
        said = Worded.of(template, **params)
        for entry, batch_id in recorded:
            record_stage(entry, batch_id, said)
        if stage:
            stage(said)

    def read_file() -> tuple[list[dict[str, Any]], set[str]]:
        tell(READING)
        layer = choose_source_layer(path, kind, source_layer)
        read = read_layer(path, crs, layer, encoding)
        summary.source_crs, summary.text_encoding = read.source_crs, read.text_note
        tell(CHECKING, n=len(read.frame))
        rows, written_keys = staged_rows(kind, read.frame, summary, read.unreadable, city)
        if retire_missing and not rows:
            raise InputError(f"{path.name}: no parcel could be read, so none is retired")
        return rows, written_keys

    if early is None:
        rows, written_keys = read_file()
    with engine.connect() as entry:
        with entry.begin():
            summary.batch_id = batch_id = entry.execute(_START_LAYER, {
                "file": path.name, "layer": kind, "started": began,
                "imported_by": imported_by}).scalar_one()
            running.hold(entry, batch_id)
        recorded.append((entry, batch_id))
        status = "failed"
        reading = early is not None
        try:
            if early is not None:
                early.recorded(batch_id)
                rows, written_keys = read_file()
                reading = False
            if started:
                started(batch_id)
            with engine.begin() as conn:
                tell(LOADING, n=len(rows))
                load_rows(conn, kind, rows, summary)
                if retire_missing:
                    summary.retired = retire_missing_parcels(conn, written_keys)
                if kind in FOLLOWING_LAYERS and summary.inserted + summary.updated:
                    tell(PLACING)
                    relocated = relocate_by_address(conn)
                    summary.complaints_relocated = dict(relocated.moved.most_common())
                    summary.complaints_rematched = relocated.rematched
                    summary.complaints_reassigned = reassign_complaints(conn, kind)
                    summary.complaints_placed_roughly = placed_roughly(conn)
                if checks and summary.inserted + summary.updated + summary.retired:
                    tell(PARCEL_CHECKS)
                    summary.parcel_checks = checks(conn)
                summary.rejected.sort()
                conn.execute(_FINISH_LAYER, {"id": batch_id, "status": "done", "summary":
                                             json.dumps(summary.as_dict(), ensure_ascii=False)})
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except InputError as exc:
            summary.error = worded(exc)
            if reading and early is not None and not early.keeps_refusal():
                status = "refused"  # said where it was asked for, as if never recorded
            raise
        finally:
            with entry.begin():
                if status == "refused":
                    entry.execute(_FORGET_LAYER, {"id": batch_id})
                elif status != "done":  # the transaction rolled back: nothing landed
                    entry.execute(_FINISH_LAYER, {"id": batch_id, "status": status, "summary":
                                                  json.dumps(summary.as_dict(),
                                                             ensure_ascii=False)})
                running.release(entry, batch_id)
    return summary


class EarlyEntry(Protocol):
    """What an import that records itself before reading its file tells, and asks."""

    def recorded(self, batch_id: int) -> None:
        """The entry exists; the file is being read."""

    def keeps_refusal(self) -> bool:
        """Whether a file refused while read stays in the history, `failed` with its
        reason (nobody waits any more to be told it), rather than being forgotten."""


_START_LAYER = text("""
    INSERT INTO import_batches (kind, source_file, source, status, started_at, imported_by)
    VALUES ('layer', :file, :layer, 'running', :started, :imported_by)
    RETURNING id
""")
_FORGET_LAYER = text("DELETE FROM import_batches WHERE id = :id")
_FINISH_LAYER = text("""
    UPDATE import_batches SET status = :status, finished_at = clock_timestamp(),
           summary = CAST(:summary AS jsonb)
    WHERE id = :id
""")
