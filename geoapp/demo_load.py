"""Loading the synthetic dataset into a database as one transaction: refuses a
non-empty database unless forced, and records the load as a `demo` import batch
(which is how pages know to say the data is synthetic)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from geoapp.errors import InputError

DATA_TABLES = (
    "complaint_events", "complaints", "buildings", "parcels", "zones", "microdistricts",
    "departments", "import_batches",
)
_HAS_DATA_SQL = text("""
    SELECT EXISTS (SELECT 1 FROM microdistricts) OR EXISTS (SELECT 1 FROM buildings)
        OR EXISTS (SELECT 1 FROM parcels) OR EXISTS (SELECT 1 FROM zones)
        OR EXISTS (SELECT 1 FROM complaints)
""")


def database_has_data(conn: Connection) -> bool:
    return bool(conn.execute(_HAS_DATA_SQL).scalar_one())


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\rcomplaints [{bar:<30}] {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def load_demo_dataset(engine: Engine, *, seed: int, complaints: int | None, force: bool,
                      if_empty: bool = False) -> dict[str, Any] | None:
    """Load the dataset; None when `if_empty` and the database already has data."""
    from geoapp.demo import load_demo

    with engine.begin() as conn:
        if database_has_data(conn):
            if if_empty:
                return None
            if not force:
                raise InputError("the database already has data: use --force to replace it "
                                 "with the synthetic dataset")
            conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER SEQUENCE complaint_ticket_seq RESTART"))
        try:
            manifest = load_demo(conn, seed=seed, complaints=complaints,
                                 progress=_progress_printer())
        except KeyboardInterrupt:
            # Ctrl-C can land while psycopg waits inside a COPY, when the connection
            # cannot even take a ROLLBACK: close it instead; the server drops the
            # uncommitted transaction with it.
            conn.invalidate()
            raise
        conn.execute(
            text("INSERT INTO import_batches (kind, source, status, finished_at, summary) "
                 "VALUES ('demo', 'synthetic', 'done', now(), CAST(:summary AS jsonb))"),
            {"summary": json.dumps(manifest, ensure_ascii=False, default=str)},
        )
    return manifest


def write_demo_files(out: Path, *, seed: int, complaints: int | None) -> dict[str, Any]:
    from geoapp.demo import write_demo

    out.mkdir(parents=True, exist_ok=True)
    return write_demo(out, seed=seed, complaints=complaints, progress=_progress_printer())


def load_manifest(engine: Engine) -> dict[str, Any] | None:
    """The manifest of the loaded demo dataset, if any."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT summary FROM import_batches WHERE kind = 'demo' ORDER BY id DESC LIMIT 1"
        )).scalar_one_or_none()
