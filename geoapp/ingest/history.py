"""What the imports did, from `import_batches`: for an operator running them unattended
(a nightly export of the 109 service), whether the last one ran and what it changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from geoapp.ingest.running import shown_status

# An import records itself at its start (a layer's, from the command line, once its
# file is read), so that one killed outright (not interrupted) shows as `stopped`
# (running.py). `stage`: what a running layer import is doing (layer_stages).
_RECENT = text(f"""
    SELECT id, kind, coalesce(source_file, '') AS file,
           coalesce(source, '') AS layer_or_source,
           {shown_status("import_batches")} AS status, started_at, finished_at, imported_by,
           round(extract(epoch FROM finished_at - started_at)::numeric, 1)::float8
               AS seconds,
           (summary->>'read')::bigint AS read,
           (summary->>'inserted')::bigint AS inserted,
           (summary->>'updated')::bigint AS updated,
           (summary->>'unchanged')::bigint AS unchanged,
           (summary->>'rejected')::bigint AS rejected,
           summary->>'stage' AS stage, summary->>'stage_template' AS stage_template,
           summary->'stage_params' AS stage_params
    FROM import_batches
    WHERE kind <> 'demo'
    ORDER BY id DESC
    LIMIT :limit
""")


def recent_imports(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The last `limit` imports, newest first."""
    return [dict(row) for row in conn.execute(_RECENT, {"limit": limit}).mappings()]


_ONE = text(f"""
    SELECT id, kind, coalesce(source_file, '') AS file, source,
           {shown_status("import_batches")} AS status, started_at,
           finished_at, imported_by, summary,
           round(extract(epoch FROM finished_at - started_at)::numeric, 1)::float8
               AS seconds
    FROM import_batches WHERE id = :id AND kind <> 'demo'
""")


def import_details(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    """One import with its whole summary, or None when there is none such."""
    row = conn.execute(_ONE, {"id": batch_id}).mappings().first()
    return None if row is None else dict(row)


def complaints_written_by(conn: Connection, batch_id: int) -> int:
    """The complaints an import inserted or last changed: what landed of a complaint
    import that stopped between a batch's commit and its count."""
    return int(conn.execute(text(
        "SELECT count(*) FROM complaints WHERE import_batch_id = :id"), {"id": batch_id}
    ).scalar_one())
