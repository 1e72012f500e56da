"""The synthetic Taraz dataset: reference layers, complaints and planted facts.

Everything is invented and deterministic for a seed: the same seed and size give
byte-identical files and identical database content. Two entry points:

- `load_demo(conn, ...)` writes into a database inside the caller's transaction
  (COPY, streamed in chunks); the caller commits.
- `write_demo(out_dir, ...)` writes the DATA_CONTRACT files and `manifest.json`.

Both return the manifest, which lists the planted facts and their figures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from geoapp.errors import InputError

Progress = Callable[[int, int], None]

# 1 October 2022 - 31 December 2024 (823 days) at about 15,000 complaints a year.
DEFAULT_COMPLAINTS: int = 33_800
MIN_COMPLAINTS = 500

__all__ = ["DEFAULT_COMPLAINTS", "load_demo", "write_demo"]


def _size(complaints: int | None) -> int:
    n = DEFAULT_COMPLAINTS if complaints is None else int(complaints)
    if n < MIN_COMPLAINTS:
        raise InputError(f"the demo needs at least {MIN_COMPLAINTS} complaints, got {n}")
    return n


def load_demo(conn: Connection, *, seed: int = 42, complaints: int | None = None,
              progress: Progress | None = None) -> dict[str, Any]:
    """Load the dataset through `conn` (psycopg 3) without committing; returns the
    manifest. The caller's transaction also briefly drops and recreates the foreign
    keys and secondary indexes of `complaints` and `complaint_events` (see
    `geoapp.demo.bulk`), so roll it back on any error."""
    from geoapp.demo.bulk import bulk_load
    from geoapp.demo.complaints import ComplaintStream
    from geoapp.demo.loader import (
        COMPLAINT_TABLES,
        analyze,
        driver_cursor,
        load_complaints,
        load_departments,
        load_reference,
    )
    from geoapp.demo.manifest import build_manifest
    from geoapp.demo.stats import ComplaintStats
    from geoapp.demo.world import build_world
    from geoapp.ingest.reassign import reassign_complaints

    total = _size(complaints)
    world = build_world(seed)
    stream = ComplaintStream(world, seed, total)
    stats = ComplaintStats(world, stream.plan)
    with driver_cursor(conn) as cur:
        departments = load_departments(cur)
        ref = load_reference(cur, world)
        with bulk_load(cur, COMPLAINT_TABLES):
            load_complaints(cur, stream, ref, departments, stats, progress)
            # The generator links a point to a parcel or building only when the
            # complaint is about it; an import links it by its rules. They must agree,
            # or the first layer import would report thousands of complaints moved.
            for layer in ("parcels", "buildings"):
                reassign_complaints(conn, layer)
        analyze(cur)
    return build_manifest(world, stats)


def write_demo(out_dir: Path, *, seed: int = 42, complaints: int | None = None,
               progress: Progress | None = None) -> dict[str, Any]:
    """Write the layers, `complaints.csv`, `complaints_truth.csv` and `manifest.json`
    into `out_dir` (created if needed); returns the manifest."""
    from geoapp.demo.complaints import ComplaintStream
    from geoapp.demo.files import ComplaintFiles, write_layers, write_manifest
    from geoapp.demo.manifest import build_manifest
    from geoapp.demo.stats import ComplaintStats
    from geoapp.demo.world import build_world

    total = _size(complaints)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = build_world(seed)
    write_layers(out_dir, world)
    stream = ComplaintStream(world, seed, total)
    stats = ComplaintStats(world, stream.plan)
    files = ComplaintFiles(out_dir, world)
    try:
        done = 0
        for chunk in stream:
            files.write(chunk)
            stats.add(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    finally:
        files.close()
    manifest = build_manifest(world, stats)
    manifest["files"] = {
        "microdistricts": "microdistricts.geojson", "buildings": "buildings.geojson",
        "parcels": "parcels.geojson", "zones": "zones.geojson",
        "complaints": "complaints.csv", "complaints_truth": "complaints_truth.csv",
    }
    write_manifest(out_dir / "manifest.json", manifest)
    return manifest
