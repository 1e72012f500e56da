"""What a layer import is doing, for a register that takes minutes: the command line
prints each stage on a terminal, the import's page shows the current one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import Connection

from geoapp.errors import N_, Worded
from geoapp.ingest import running
from geoapp.progress_bar import duration

READING = N_("reading the file")
CHECKING = N_("checking the features against the data contract: %(n)s")
LOADING = N_("loading into PostGIS (repairing, comparing, upserting): %(n)s features")
PLACING = N_("placing the complaints again on the changed layer")
PARCEL_CHECKS = N_("running the parcel checks")

Stage = Callable[[Worded], None]

def record_stage(entry: Connection, batch_id: int, stage: Worded) -> None:
    """Keep the stage in the running import's entry (the layer's own transaction is
    not visible until it commits)."""
    running.record_so_far(entry, batch_id, {"stage": stage, "stage_template": stage.template,
                                             "stage_params": stage.params})


class StageLines:
    """Prints each stage on `stream` with the time since the import began."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.began = time.monotonic()

    def __call__(self, stage: Worded) -> None:
        self.stream.write(f"[{duration(time.monotonic() - self.began)}] {stage}…\n")
        self.stream.flush()
