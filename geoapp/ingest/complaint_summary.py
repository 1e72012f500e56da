"""What a complaint import did: its counts, kept up batch by batch (account_batch)
as each batch commits, and given as the command line's lines, `--json` and the
import's page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from geoapp.errors import error_fields
from geoapp.ingest.complaint_batch import PreparedBatch
from geoapp.ingest.complaint_writer import WrittenBatch
from geoapp.ingest.rejects import RejectsWriter
from geoapp.ingest.row_reasons import DUPLICATE, KEY_TAKEN
from geoapp.read_back import clause


@dataclass
class ImportSummary:
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    relocated: int = 0  # of the updated: placed anew (complaint_sql.PLACE_COLUMNS)
    unchanged: int = 0
    rejected: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    geocoded_by_precision: Counter[str] = field(default_factory=Counter)
    total_rows: int = 0  # a report's "Итого" lines, left out (complaint_rows.is_total_row)
    classified: int = 0
    # Of the classified, those whose text holds no keyword of any category: `other`.
    classified_as_other: int = 0
    # Rows with letters lost to '?' (lost_letters): a copy saved without Kazakh letters.
    lost_letters: int = 0
    # Labels that neither mapping knows: their rows were classified from the text.
    unmapped_labels: Counter[str] = field(default_factory=Counter)
    batches_committed: int = 0
    interrupted: bool = False
    batch_id: int | None = None
    # Header cells that name no field: what an export holds that geoapp does not read.
    columns_not_read: list[str] = field(default_factory=list)
    error: str | None = None  # why an import that had started stopped

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "read": self.read, "inserted": self.inserted,
            "updated": self.updated, "relocated": self.relocated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason.most_common()),
            "geocoded_by_precision": dict(self.geocoded_by_precision.most_common()),
            "total_rows_left_out": self.total_rows,
            "classified_from_text": self.classified,
            "classified_as_other_for_want_of_a_keyword": self.classified_as_other,
            "rows_with_lost_letters": self.lost_letters,
            "unmapped_category_labels": dict(self.unmapped_labels.most_common(UNMAPPED_SHOWN)),
            "batches_committed": self.batches_committed, "interrupted": self.interrupted,
            "import_batch_id": self.batch_id, "columns_not_read": self.columns_not_read,
            **error_fields(self.error),
        }


UNMAPPED_SHOWN = 50


def account_batch(summary: ImportSummary, rejects: RejectsWriter, batch: PreparedBatch,
             written: WrittenBatch) -> None:
    """Count a committed batch; only now are its rejects written."""
    rejected = list(batch.rejected)
    reasons = Counter(batch.reasons)
    precisions = dict(batch.precisions)
    unmapped = dict(batch.unmapped)
    from_text, as_other = set(batch.from_text), set(batch.as_other)
    originals = {row.line: row.original for row in batch.raw_rows}
    left_out = [(line, clause(DUPLICATE, first=first), "duplicate_in_file")
                for line, first in written.duplicates]
    left_out += [(line, clause(KEY_TAKEN,
                               received=f"{received.astimezone(batch.tz):%d.%m.%Y %H:%M}"),
                  "key_taken")
                 for line, received in written.keys_taken]
    for line, reason, code in left_out:
        rejected.append((line, reason, originals[line]))
        reasons[code] += 1
        precisions.pop(line, None)
        unmapped.pop(line, None)
        from_text.discard(line)
        as_other.discard(line)
    landed = len(batch.staged) - len(left_out)
    summary.read += len(batch.raw_rows)
    summary.inserted += written.inserted
    summary.updated += written.updated
    summary.relocated += written.relocated
    summary.unchanged += landed - written.inserted - written.updated
    summary.rejected += len(rejected)
    summary.rejected_by_reason.update(reasons)
    summary.geocoded_by_precision.update(precisions.values())
    summary.classified += len(from_text)
    summary.classified_as_other += len(as_other)
    summary.lost_letters += batch.lost_letters
    summary.total_rows += batch.total_rows
    summary.unmapped_labels.update(unmapped.values())
    summary.batches_committed += 1
    rejects.write(sorted(rejected))
