"""CPU seconds spent by a benchmark's client processes and by the database server.

Wall time says how long a run took; on a host whose cores are all busy, the CPU
each side used says where the time went. The client side is this process's waited-for
children (and theirs): the `geoapp` command or psql. The server side is the
PostgreSQL postmaster and all its processes, read from /proc: available when the
server runs on this machine (the local cluster, or a DATABASE_URL on 127.0.0.1),
None otherwise. A backend that exits between two reads of /proc can be missed or
counted twice: milliseconds, against the seconds measured here.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, text

_TICK = os.sysconf("SC_CLK_TCK")


class CpuReading(NamedTuple):
    client: float
    server: float | None


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may hold spaces)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _server_seconds(postmaster: int) -> float | None:
    """The postmaster's own and reaped children's CPU, plus its live children's."""
    own = _stat_fields(postmaster)
    if own is None:
        return None
    # utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 after the name
    ticks = sum(int(v) for v in own[11:15])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


class CpuMeter:
    """Reads client and server CPU seconds; `since` gives the difference."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        self.postmaster = _parent(backend)

    def read(self) -> CpuReading:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = _server_seconds(self.postmaster) if self.postmaster else None
        return CpuReading(usage.ru_utime + usage.ru_stime, server)

    def since(self, before: CpuReading) -> CpuReading:
        now = self.read()
        server = (None if now.server is None or before.server is None
                  else now.server - before.server)
        return CpuReading(now.client - before.client, server)
