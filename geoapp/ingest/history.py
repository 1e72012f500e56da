"""What the imports did, from `import_batches`: for an operator running them unattended
(a nightly export of the 109 service), whether the last one ran and what it changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

# A layer import records itself when it commits; a complaint import at its start, so
# that one killed outright (not interrupted) stays `running` with its batches landed.
_RECENT = text("""
    SELECT id, kind, coalesce(source_file, '') AS file,
           coalesce(source, '') AS layer_or_source,
           status, started_at, finished_at,
           round(extract(epoch FROM finished_at - started_at)::numeric, 1)::float8
               AS seconds,
           (summary->>'read')::bigint AS read,
           (summary->>'inserted')::bigint AS inserted,
           (summary->>'updated')::bigint AS updated,
           (summary->>'unchanged')::bigint AS unchanged,
           (summary->>'rejected')::bigint AS rejected
    FROM import_batches
    WHERE kind <> 'demo'
    ORDER BY id DESC
    LIMIT :limit
""")


def recent_imports(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The last `limit` imports, newest first."""
    return [dict(row) for row in conn.execute(_RECENT, {"limit": limit}).mappings()]

