"""A source's own category labels ("ЖКХ / Отопление", "Жылу") mapped onto taxonomy
codes: the taxonomy's own names and the labels of geoapp/data/category_labels.toml
(a source's own file, --labels, is read by ingest.source_labels)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from geoapp.taxonomy import CATEGORIES, CATEGORY_BY_CODE, CATEGORY_GROUPS

_LABEL_SPACES = re.compile(r"\s+")
_LABEL_AROUND_SLASH = re.compile(r"\s*/\s*")
_LABEL_PARTS = re.compile(r"\s*(?:/|\\|—|–|:|;|>|\s-\s)\s*")


def label_key(label: str) -> str:
    """A label as the mapping compares it: case, ё/е, spacing and outer punctuation
    do not count."""
    key = _LABEL_SPACES.sub(" ", label.casefold().replace("ё", "е")).strip(" .:;")
    return _LABEL_AROUND_SLASH.sub("/", key)


@lru_cache(maxsize=1)
def source_labels() -> dict[str, str]:
    """Normalised label → code: the taxonomy's codes and names, then the labels of
    `geoapp/data/category_labels.toml`."""
    mapping: dict[str, str] = {}
    for c in CATEGORIES:
        for label in (c.code, c.name_ru, c.name_kk, c.name_en):
            mapping[label_key(label)] = c.code
    raw = resources.files("geoapp.data").joinpath("category_labels.toml").read_bytes()
    labels = tomllib.loads(raw.decode("utf-8")).get("labels", {})
    for label, code in labels.items():
        if code not in CATEGORY_BY_CODE and code not in CATEGORY_GROUPS:
            raise ValueError(f"category_labels.toml: {label!r} maps to unknown code {code!r}")
        mapping[label_key(label)] = code
    return mapping


def map_source_label(label: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """The taxonomy code for a source's category label, or None when unknown. A
    composite label ("ЖКХ / Отопление") falls back to its parts, most specific last.
    `mapping`: keyed by label_key, the built-in source_labels() by default."""
    if not label or not label.strip():
        return None
    if mapping is None:
        mapping = source_labels()
    key = label_key(label)
    if key in mapping:
        return mapping[key]
    for part in reversed(_LABEL_PARTS.split(key)):
        code = mapping.get(part.strip(" .:;"))
        if code:
            return code
    return None
