"""Whether the violations register is as new as the layers it was checked against:
a parcel or zone layer imported with changes after the last run of the checks (and
not checked by its own import) leaves it behind until the checks run again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

CHECKED_LAYERS = ("parcels", "zones")


@dataclass(frozen=True)
class RegisterFreshness:
    last_check: datetime | None
    changed_layers: tuple[str, ...]  # imported with changes since the last check

    @property
    def behind(self) -> bool:
        return bool(self.changed_layers)


def register_freshness(conn: Connection) -> RegisterFreshness:
    last_check = conn.execute(text("SELECT max(finished_at) FROM check_runs")).scalar_one()
    changed = conn.execute(text("""
        SELECT DISTINCT source FROM import_batches
        WHERE kind = 'layer' AND source = ANY(:layers)
          AND (CAST(:last AS timestamptz) IS NULL OR finished_at > CAST(:last AS timestamptz))
          -- an import that ran the checks on its own changes (from the browser) left
          -- the register as new as itself, though its batch closes after the run
          AND jsonb_typeof(summary -> 'parcel_checks') IS DISTINCT FROM 'object'
          AND coalesce((summary ->> 'inserted')::int, 0)
              + coalesce((summary ->> 'updated')::int, 0)
              + coalesce((summary ->> 'retired')::int, 0) > 0
        ORDER BY source
    """), {"layers": list(CHECKED_LAYERS), "last": last_check}).scalars().all()
    return RegisterFreshness(last_check, tuple(changed))
