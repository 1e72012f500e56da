"""A source's own category labels as taxonomy codes: the built-in mapping
(geoapp/data/category_labels.toml) and, over it, a mapping file given at import
(`--labels`), so that a new source's labels need no change to geoapp itself."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping
from pathlib import Path

from geoapp.classify import label_key, map_source_label, source_labels
from geoapp.errors import InputError
from geoapp.ingest.readers import sniff_delimiter, sniff_encoding
from geoapp.taxonomy import CATEGORY_BY_CODE

_CACHE_LIMIT = 4096  # exports repeat a few labels; a runaway column must not grow this


class CategoryLabels:
    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        self._mapping = {**source_labels(), **{label_key(k): v for k, v in (extra or {}).items()}}
        self._codes: dict[str, str | None] = {}

    @classmethod
    def from_file(cls, path: Path) -> CategoryLabels:
        return cls(read_label_file(path))

    def code(self, label: str) -> str | None:
        """The label's code, or None when neither mapping knows it."""
        try:
            return self._codes[label]
        except KeyError:
            stripped = label.strip()
            code = (stripped if stripped in CATEGORY_BY_CODE
                    else map_source_label(label, self._mapping))
            if len(self._codes) < _CACHE_LIMIT:
                self._codes[label] = code
            return code


def read_label_file(path: Path) -> dict[str, str]:
    """label → code from a TOML file (a [labels] table, as the built-in one) or a CSV
    of two columns, label and code (a header row is allowed). Every code is checked."""
    if not path.is_file():
        raise InputError(f"--labels: no such file: {path}")
    pairs = _toml_pairs(path) if path.suffix.lower() == ".toml" else _csv_pairs(path)
    labels: dict[str, str] = {}
    for where, label, code in pairs:
        code = code.strip()
        if code not in CATEGORY_BY_CODE:
            raise InputError(f"{path.name} {where}: {label!r} maps to {code!r}, which is not "
                             "a taxonomy code (see README, Categories)")
        labels[label] = code
    return labels


def _toml_pairs(path: Path) -> list[tuple[str, str, str]]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("labels")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise InputError(f"{path.name} has no [labels] table")
    return [(f"label {label!r}", label, code if isinstance(code, str) else repr(code))
            for label, code in table.items()]


def _csv_pairs(path: Path) -> list[tuple[str, str, str]]:
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
        if number == 1 and cells[1] not in CATEGORY_BY_CODE and cells[1].lower() in (
                "code", "код", "category", "категория", "санат"):
            continue  # a header row
        pairs.append((f"line {number}", cells[0], cells[1]))
    return pairs
