"""The free-text search box shared by the maps: validation and a literal LIKE pattern."""

from __future__ import annotations

import re

from geoapp.errors import N_, InputError

MIN_CHARS, MAX_CHARS = 2, 200


def escape_like(value: str) -> str:
    """`value` matched literally inside a LIKE pattern whose escape character is `\\`."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_text(raw: str | None) -> str | None:
    """The query to search for, None when too short to be worth a lookup."""
    q = (raw or "").strip()
    if len(q) > MAX_CHARS:
        raise InputError(N_("the search text is too long"))
    return q if len(q) >= MIN_CHARS else None


def contains_pattern(q: str) -> str:
    return f"%{escape_like(q)}%"


_BETWEEN_WORDS = re.compile(r"[\s,.;:№#]+")


def words_pattern(q: str) -> str:
    """The query's words in order with anything between them, for an address: "Самал
    135" finds "мкр. Самал, 135" as "Самал, 135" does."""
    words = [escape_like(w) for w in _BETWEEN_WORDS.split(q) if w]
    return "%" + "%".join(words) + "%" if words else contains_pattern(q)
