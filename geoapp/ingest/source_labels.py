"""A source's own labels as geoapp's codes: categories onto taxonomy codes and
statuses onto the status model. Built in: geoapp/data/category_labels.toml and the
Russian/Kazakh status words of values.STATUS_LABELS; over them, a mapping file given
at import (`--labels`), so that a new source's labels need no change to geoapp.

In a CSV mapping file each line is a label and a code; the code says which kind the
label is (category codes and status codes do not overlap)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geoapp.classify import label_key, map_source_label, source_labels
from geoapp.errors import InputError
from geoapp.ingest.readers import sniff_delimiter, sniff_encoding
from geoapp.ingest.values import STATUS_LABELS, normalise_key
from geoapp.taxonomy import CATEGORY_BY_CODE, STATUSES

_CACHE_LIMIT = 4096  # exports repeat a few labels; a runaway column must not grow this
_HEADER_CODES = ("code", "код", "category", "категория", "санат", "status", "статус")


@dataclass
class LabelFile:
    """The pairs of a mapping file, by kind: label → code."""

    categories: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)


class SourceLabels:
    def __init__(self, extra: LabelFile | None = None) -> None:
        extra = extra or LabelFile()
        self._categories = {**source_labels(),
                            **{label_key(k): v for k, v in extra.categories.items()}}
        self._statuses = {**STATUS_LABELS,
                          **{normalise_key(k): v for k, v in extra.statuses.items()}}
        self._category_codes: dict[str, str | None] = {}
        self._status_codes: dict[str, str] = {}

    @classmethod
    def from_file(cls, path: Path) -> SourceLabels:
        return cls(read_label_file(path))

    def category(self, label: str) -> str | None:
        """The label's taxonomy code, or None when no mapping knows it."""
        try:
            return self._category_codes[label]
        except KeyError:
            stripped = label.strip()
            code = (stripped if stripped in CATEGORY_BY_CODE
                    else map_source_label(label, self._categories))
            if len(self._category_codes) < _CACHE_LIMIT:
                self._category_codes[label] = code
            return code

    def status(self, label: str) -> str:
        """The label's status code; ValueError (the row's reject reason) when unknown."""
        try:
            return self._status_codes[label]
        except KeyError:
            code = self._statuses.get(normalise_key(label))
            if code is None:
                raise ValueError(f"unknown status {label!r} (map it with --labels)") from None
            if len(self._status_codes) < _CACHE_LIMIT:
                self._status_codes[label] = code
            return code


def read_label_file(path: Path) -> LabelFile:
    """The pairs of a TOML file ([labels] for categories, as the built-in file, and
    [statuses]) or of a CSV of two columns, label and code (a header row is allowed).
    Every code is checked before anything is imported."""
    if not path.is_file():
        raise InputError(f"--labels: no such file: {path}")
    toml = path.suffix.lower() == ".toml"
    pairs = _toml_pairs(path) if toml else _csv_pairs(path)
    found = LabelFile()
    for where, table, label, code in pairs:
        code = code.strip()
        if code in CATEGORY_BY_CODE and table in ("labels", None):
            found.categories[label] = code
        elif code in STATUSES and table in ("statuses", None):
            found.statuses[label] = code
        else:
            expected = {"labels": "a taxonomy code", "statuses": "a status",
                        None: "a taxonomy code or a status"}[table]
            raise InputError(f"{path.name} {where}: {label!r} maps to {code!r}, which is not "
                             f"{expected} (see README, Categories and Statuses)")
    return found


def _toml_pairs(path: Path) -> list[tuple[str, str | None, str, str]]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from None
    tables = {name: document.get(name) for name in ("labels", "statuses")}
    if not any(isinstance(t, dict) for t in tables.values()):
        raise InputError(f"{path.name} has neither a [labels] nor a [statuses] table")
    pairs = []
    for name, table in tables.items():
        if table is None:
            continue
        if not isinstance(table, dict):
            raise InputError(f"{path.name}: {name} is not a table")
        pairs += [(f"[{name}] {label!r}", name, label,
                   code if isinstance(code, str) else repr(code))
                  for label, code in table.items()]
    return pairs


def _csv_pairs(path: Path) -> list[tuple[str, str | None, str, str]]:
    raw = path.read_bytes()
    text = raw.decode(sniff_encoding(raw[:65536]), errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines:
        raise InputError(f"{path.name} is empty")
    try:
        delimiter = sniff_delimiter(lines[0])
    except InputError:
        raise InputError(f"{path.name}: expected two columns, a label and a code, "
                         "separated by ';', ',' or a tab") from None
    pairs = []
    for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), 1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0]:
            raise InputError(f"{path.name} line {number}: expected a label and a code")
        known = cells[1] in CATEGORY_BY_CODE or cells[1] in STATUSES
        if number == 1 and not known and cells[1].lower() in _HEADER_CODES:
            continue  # a header row
        pairs.append((f"line {number}", None, cells[0], cells[1]))
    return pairs

