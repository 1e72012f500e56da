"""What a layer import is doing, for a register that takes minutes: the command line
prints each stage on a terminal, the import's page shows the current one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import Connection, text

from geoapp.errors import N_, Worded

READING = N_("reading the file")
CHECKING = N_("checking the features against the data contract: %(n)s")
LOADING = N_("loading into PostGIS (repairing, comparing, upserting): %(n)s features")
PLACING = N_("placing the complaints again on the changed layer")
PARCEL_CHECKS = N_("running the parcel checks")

Stage = Callable[[Worded], None]

_RECORD_STAGE = text("""
    UPDATE import_batches SET summary = CAST(:summary AS jsonb)
    WHERE id = :id AND status = 'running'
""")


def record_stage(entry: Connection, batch_id: int, stage: Worded) -> None:
    """Keep the stage in the running import's entry (its summary until it is over),
    in a transaction of its own: the layer's own transaction is not visible yet."""
    with entry.begin():
        entry.execute(_RECORD_STAGE, {"id": batch_id, "summary": json.dumps(
            {"stage": stage, "stage_template": stage.template, "stage_params": stage.params},
            ensure_ascii=False)})


class StageLines:
    """Prints each stage on `stream` with the time since the import began."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.began = time.monotonic()

    def __call__(self, stage: Worded) -> None:
        seconds = int(time.monotonic() - self.began)
        self.stream.write(f"[{seconds // 60}:{seconds % 60:02d}] {stage}…\n")
        self.stream.flush()
