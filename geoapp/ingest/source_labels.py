"""A source's own labels as geoapp's codes: categories onto taxonomy codes, statuses
onto the status model, channel names onto sources. Built in: geoapp/data/
category_labels.toml and the Russian/Kazakh words of values.STATUS_LABELS and
values.SOURCE_LABELS; over them, a mapping file given at import (`--labels`), so that
a new source's labels need no change to geoapp.

In a CSV mapping file each line is a label and a code; the code says which kind the
label is (category, status and source codes do not overlap)."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geoapp.category_labels import label_key, map_source_label, source_labels
from geoapp.errors import N_, InputError
from geoapp.ingest.csv_table import sniff_delimiter, sniff_encoding
from geoapp.ingest.lost_letters import original_value
from geoapp.ingest.row_reasons import UNKNOWN_SOURCE, UNKNOWN_STATUS
from geoapp.ingest.values import SOURCE_LABELS, STATUS_LABELS, normalise_key
from geoapp.read_back import clause
from geoapp.taxonomy import CATEGORY_BY_CODE, CATEGORY_GROUPS, SOURCES, STATUSES

_CACHE_LIMIT = 4096  # exports repeat a few labels; a runaway column must not grow this
_HEADER_CODES = ("code", "код", "category", "категория", "санат", "status", "статус",
                 "source", "источник")
# Each kind: its codes, and the TOML table that holds its labels.
_KINDS = {"categories": (frozenset(CATEGORY_BY_CODE) | frozenset(CATEGORY_GROUPS), "labels"),
          "statuses": (STATUSES, "statuses"),
          "sources": (SOURCES, "sources")}


@dataclass
class LabelFile:
    """The pairs of a mapping file, by kind: label → code."""

    categories: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


# A label as typists finish it: "В работе.", "Отказано (дубликат)".
_TRAILING = re.compile(r"\s*(?:\([^()]*\)|[.,;!])\s*$")


def _bare(key: str) -> str:
    """The label without a full stop or a remark in brackets at its end."""
    return _TRAILING.sub("", key)


class _Words:
    """Labels of one kind to codes, compared as values.normalise_key does; an unknown
    label is the row's reject reason."""

    def __init__(self, unknown: str, built_in: dict[str, str], extra: dict[str, str]) -> None:
        self.unknown = unknown  # the reason's template (row_reasons)
        self._codes = {**built_in, **{normalise_key(k): v for k, v in extra.items()}}
        self._seen: dict[str, str] = {}

    def code(self, label: str) -> str:
        try:
            return self._seen[label]
        except KeyError:
            key = normalise_key(label)
            code = (self._codes.get(key) or original_value(key, self._codes)
                    or self._codes.get(_bare(key)))
            if code is None:
                raise ValueError(clause(self.unknown, value=repr(label))
                                 ) from None
            if len(self._seen) < _CACHE_LIMIT:
                self._seen[label] = code
            return code


class SourceLabels:
    def __init__(self, extra: LabelFile | None = None) -> None:
        extra = extra or LabelFile()
        self._categories = {**source_labels(),
                            **{label_key(k): v for k, v in extra.categories.items()}}
        self._category_codes: dict[str, str | None] = {}
        self.status = _Words(UNKNOWN_STATUS, STATUS_LABELS, extra.statuses).code
        self.source = _Words(UNKNOWN_SOURCE, SOURCE_LABELS, extra.sources).code

    @classmethod
    def from_file(cls, path: Path) -> SourceLabels:
        return cls(read_label_file(path))

    def category(self, label: str) -> str | None:
        """The label's taxonomy code, or a group's ("land") when the label names a
        group only; None when no mapping knows it."""
        try:
            return self._category_codes[label]
        except KeyError:
            stripped = label.strip()
            code = (stripped if stripped in CATEGORY_BY_CODE
                    else map_source_label(label, self._categories)
                    or original_value(label_key(label), self._categories))
            if len(self._category_codes) < _CACHE_LIMIT:
                self._category_codes[label] = code
            return code


# A code that is none of what its table holds, by table (None: a CSV's line, where
# the code may be any of them). `where`: the CSV's line number, or the TOML key.
_NOT_A_CODE = {
    "labels": N_("%(file)s %(where)s: %(label)r maps to %(code)r, which is not a taxonomy "
                 "code (see README, Categories)"),
    "statuses": N_("%(file)s %(where)s: %(label)r maps to %(code)r, which is not a status "
                   "(see README, Statuses)"),
    "sources": N_("%(file)s %(where)s: %(label)r maps to %(code)r, which is not a source "
                  "(see README, Sources)"),
    None: N_("%(file)s line %(where)s: %(label)r maps to %(code)r, which is not a taxonomy "
             "code, a status or a source (see README, Categories, Statuses, Sources)"),
}


def read_label_file(path: Path) -> LabelFile:
    """The pairs of a TOML file ([labels] for categories, as the built-in file,
    [statuses] and [sources]) or of a CSV of two columns, label and code (a header
    row is allowed). Every code is checked before anything is imported."""
    if not path.is_file():
        raise InputError(f"--labels: no such file: {path}")
    toml = path.suffix.lower() == ".toml"
    pairs = _toml_pairs(path) if toml else _csv_pairs(path)
    found = LabelFile()
    for where, table, label, code in pairs:
        code = code.strip()
        kind = next((k for k, (codes, name) in _KINDS.items()
                     if code in codes and table in (name, None)), None)
        if kind is None:
            raise InputError(_NOT_A_CODE[table], file=path.name, where=where, label=label,
                             code=code)
        getattr(found, kind)[label] = code
    return found


def _toml_pairs(path: Path) -> list[tuple[str, str | None, str, str]]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(N_("%(file)s is not valid TOML: %(reason)s"), file=path.name,
                         reason=str(exc)) from None
    tables = {name: document.get(name) for _codes, name in _KINDS.values()}
    if not any(isinstance(t, dict) for t in tables.values()):
        raise InputError(N_("%(file)s has no [labels], [statuses] or [sources] table"),
                         file=path.name)
    pairs = []
    for name, table in tables.items():
        if table is None:
            continue
        if not isinstance(table, dict):
            raise InputError(N_("%(file)s: %(name)s is not a table"), file=path.name,
                             name=name)
        pairs += [(f"[{name}] {label!r}", name, label,
                   code if isinstance(code, str) else repr(code))
                  for label, code in table.items()]
    return pairs


def _csv_pairs(path: Path) -> list[tuple[str, str | None, str, str]]:
    raw = path.read_bytes()
    text = raw.decode(sniff_encoding(raw[:65536]), errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines:
        raise InputError(N_("%(file)s is empty"), file=path.name)
    try:
        delimiter = sniff_delimiter(lines[0])
    except InputError:
        raise InputError(N_("%(file)s: expected two columns, a label and a code, "
                            "separated by ';', ',' or a tab"), file=path.name) from None
    pairs = []
    for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), 1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0]:
            raise InputError(N_("%(file)s line %(line)d: expected a label and a code"),
                             file=path.name, line=number)
        known = any(cells[1] in codes for codes, _name in _KINDS.values())
        if number == 1 and not known and cells[1].lower() in _HEADER_CODES:
            continue  # a header row
        pairs.append((str(number), None, cells[0], cells[1]))
    return pairs

