"""Telling a running import from one whose process died.

An import records itself as `running` when it starts (a complaint import's batches
then land as it goes, a layer lands whole at the end); a process killed outright
(kill -9, a restarted server, a power cut) would leave that row `running` for ever.
So the import also holds a session-level advisory lock on its row while it runs:
PostgreSQL lets go of it when the session ends, however it ends. A `running` row
whose lock nobody holds has `stopped`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

# The first key of the two-key advisory locks that imports hold (an arbitrary
# constant, so that no other use of advisory locks in the database meets them).
LOCK_SPACE = 1_867_001


def hold(conn: Connection, batch_id: int) -> None:
    """Take the lock of import `batch_id` on `conn`'s session (until `release` or
    until the session ends; commits do not release it)."""
    conn.execute(text("SELECT pg_advisory_lock(:space, :id)"),
                 {"space": LOCK_SPACE, "id": batch_id})


def release(conn: Connection, batch_id: int) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:space, :id)"),
                 {"space": LOCK_SPACE, "id": batch_id})


def shown_status(table: str) -> str:
    """SQL: the status of `table`'s import row, `stopped` for a `running` one that no
    session is running any more."""
    return f"""CASE WHEN {table}.status = 'running' AND NOT EXISTS (
                   SELECT FROM pg_locks l
                   WHERE l.locktype = 'advisory' AND l.granted
                     AND l.database = (SELECT oid FROM pg_database
                                       WHERE datname = current_database())
                     AND l.classid = {LOCK_SPACE} AND l.objid = {table}.id
                     AND l.objsubid = 2)
               THEN 'stopped' ELSE {table}.status END"""


_RECORD_SO_FAR = text("""
    UPDATE import_batches SET summary = CAST(:summary AS jsonb)
    WHERE id = :id AND status = 'running'
""")


def record_so_far(conn: Connection, batch_id: int, so_far: dict[str, Any]) -> None:
    """What a running import has done so far (its rows landed, its stage), in its row
    and in a transaction of its own: the history and the import's page follow it by
    this until the finished summary replaces it."""
    with conn.begin():
        conn.execute(_RECORD_SO_FAR, {"id": batch_id,
                                      "summary": json.dumps(so_far, ensure_ascii=False)})
