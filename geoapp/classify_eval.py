"""How well the text classifier recovers known categories, per category, over a
labelled sample such as the demo's ground truth (`geoapp analyze classifier`).

Every text is classified, whether or not its row carried a category: that is the
classifier's accuracy. The rows that carried no usable category are also counted
apart, because only there does an import rely on the classifier."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoapp.classify import classify_text
from geoapp.errors import InputError
from geoapp.ingest.complaint_batch import CLASSIFY_CHARS
from geoapp.ingest.readers import open_table
from geoapp.ingest.source_labels import SourceLabels


@dataclass(frozen=True)
class LabelledText:
    text: str
    true_category: str
    has_label: bool  # the export row named a category of its own


@dataclass(frozen=True)
class CategoryAccuracy:
    category: str
    samples: int
    correct: int
    unlabelled: int
    unlabelled_correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.samples if self.samples else 0.0

    @property
    def unlabelled_accuracy(self) -> float | None:
        return self.unlabelled_correct / self.unlabelled if self.unlabelled else None


@dataclass(frozen=True)
class ClassifierReport:
    categories: list[CategoryAccuracy]  # most samples first
    overall: CategoryAccuracy
    confusions: list[tuple[str, str, int]]  # (true, guessed, count), most frequent first

    def below(self, target: float, min_samples: int) -> list[CategoryAccuracy]:
        return [c for c in self.categories
                if c.samples >= min_samples and c.accuracy < target]

    def as_dict(self) -> dict[str, Any]:
        def row(c: CategoryAccuracy) -> dict[str, Any]:
            return {"samples": c.samples, "correct": c.correct,
                    "accuracy": round(c.accuracy, 4),
                    "without_label": c.unlabelled,
                    "accuracy_without_label": (None if c.unlabelled_accuracy is None
                                               else round(c.unlabelled_accuracy, 4))}
        return {"overall": row(self.overall),
                "categories": {c.category: row(c) for c in self.categories},
                "confusions": [{"true": t, "guessed": g, "count": n}
                               for t, g, n in self.confusions]}


def evaluate(sample: Iterable[LabelledText]) -> ClassifierReport:
    samples: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    unlabelled: Counter[str] = Counter()
    unlabelled_correct: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for item in sample:
        guessed, _ = classify_text(item.text[:CLASSIFY_CHARS])
        hit = guessed == item.true_category
        samples[item.true_category] += 1
        correct[item.true_category] += hit
        if not item.has_label:
            unlabelled[item.true_category] += 1
            unlabelled_correct[item.true_category] += hit
        if not hit:
            confusions[item.true_category, guessed] += 1
    categories = [CategoryAccuracy(code, n, correct[code], unlabelled[code],
                                   unlabelled_correct[code])
                  for code, n in samples.most_common()]
    overall = CategoryAccuracy("all", samples.total(), correct.total(), unlabelled.total(),
                               unlabelled_correct.total())
    return ClassifierReport(categories, overall,
                            [(t, g, n) for (t, g), n in confusions.most_common(10)])


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    """(source, external_id) -> true category, from a ground-truth CSV with the
    columns source, external_id and true_category (the demo writes one)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=";")
            missing = {"source", "external_id", "true_category"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
            return {(r["source"], r["external_id"]): r["true_category"] for r in reader}
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def labelled_texts(complaints: Path, truth: dict[tuple[str, str], str]
                   ) -> Iterator[LabelledText]:
    """The texts of a complaints export that the truth knows, with their labels."""
    labels = SourceLabels()
    for row in open_table(complaints).rows:
        values = row.values
        text, external_id = values.get("text"), values.get("external_id")
        try:
            source = labels.source(values.get("source") or "")
        except ValueError:
            continue
        true_category = truth.get((source, external_id or ""))
        if text and true_category:
            label = values.get("category")
            yield LabelledText(text, true_category, bool(label and labels.category(label)))
