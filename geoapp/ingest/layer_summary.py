"""What a layer import did, feature by feature where it refused or doubted one: the
command line prints it, `--json` gives it whole, the import's page shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geoapp.errors import error_fields, worded_fields
from geoapp.ingest.layer_lost_letters import LostLetters
from geoapp.ingest.reassign import Reassigned


@dataclass
class LayerSummary:
    layer: str
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    source_crs: str | None = None
    text_encoding: str | None = None  # a shapefile's code page, when GDAL could not know
    complaints_reassigned: Reassigned = field(default_factory=Reassigned)
    # Geocoded again from their address and moved, by their new precision (relocate).
    complaints_relocated: dict[str, int] = field(default_factory=dict)
    # Left where they were, by a better match of their address (relocate).
    complaints_rematched: int = 0
    # Those the changed register still places short of a building or a parcel, or not
    # at all, by the file that imported them (reassign.placed_roughly).
    complaints_placed_roughly: dict[str, int] = field(default_factory=dict)
    attributes_not_read: list[str] = field(default_factory=list)  # they name no field
    retired: int = 0  # parcels missing from the file, set to `cancelled` (--retire-missing)
    lost_letters: LostLetters = field(default_factory=LostLetters)  # '?' for letters
    # Kept, but worth a look: (feature number, what is odd about it).
    warnings: list[tuple[int, str]] = field(default_factory=list)
    batch_id: int | None = None  # its row in import_batches
    error: str | None = None  # why an import that had started stopped
    parcel_checks: dict[str, int] | None = None  # run after it (import_layer's `checks`)
    # The fields the file has a column for: a re-import leaves the others as stored
    # (an extract without valuations does not erase them).
    fields_read: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "file": self.file, "read": self.read,
                "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "repaired_geometries": self.repaired,
                "rejected": len(self.rejected),
                "rejected_features": [{"feature": n, "reason": r, **worded_fields(r)}
                                      for n, r in self.rejected],
                "source_crs": self.source_crs, "text_encoding": self.text_encoding,
                "complaints_reassigned": self.complaints_reassigned.total,
                "complaints_reassigned_from_none": self.complaints_reassigned.placed,
                "complaints_relocated": sum(self.complaints_relocated.values()),
                "complaints_relocated_by_precision": self.complaints_relocated,
                "complaints_rematched": self.complaints_rematched,
                "complaints_placed_roughly": sum(self.complaints_placed_roughly.values()),
                "complaints_placed_roughly_by_file": self.complaints_placed_roughly,
                "retired": self.retired,
                "features_with_lost_letters": self.lost_letters.features,
                "lost_letters_read_as_stored": self.lost_letters.kept,
                "lost_letters_restored": self.lost_letters.restored,
                "attributes_not_read": self.attributes_not_read,
                "warnings": [{"feature": n, "warning": w, **worded_fields(w)}
                             for n, w in self.warnings],
                **error_fields(self.error),
                **({"parcel_checks": self.parcel_checks} if self.parcel_checks else {})}

