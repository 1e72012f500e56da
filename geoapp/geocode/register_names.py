"""How the register's street and microdistrict names are compared: the groups a
name competes in (kind, lane or dead end, digits), its loose key for fuzzy matching,
and its surname ("Бауыржана Момышулы" is met by "Момышулы")."""

from __future__ import annotations

import re

from geoapp.geocode.address_lexer import DEADEND_PREFIX, LANE_PREFIX
from geoapp.geocode.letters import fold_kazakh
from geoapp.geocode.parsed_address import AreaKind, match_key

_DIGITS = re.compile(r"\d+")
_STREET_TYPES = (LANE_PREFIX, DEADEND_PREFIX)
# Honorifics that follow a name and are often left out: "Кабанбай батыра", "Тауке хана".
_TITLES = frozenset({"батыр", "батыра", "би", "хан", "хана", "сал", "сала", "акын", "акына"})
_WORD_PARTS = re.compile(r"[\s-]+")


def loose_key(name: str) -> str:
    """The name folded like `match_key` but with its endings kept: a typo that drops
    a name's last letter ("Жайла") is not read as a genitive ("жаил")."""
    return (fold_kazakh(name).replace("дж", "ж").replace("й", "и")
            .translate({ord(c): None for c in " -ьъ"}))


def street_type(name: str) -> str:
    """"пер"/"туп" for a lane's or dead end's name, else ""."""
    head = name.split(" ", 1)[0]
    return head if head in _STREET_TYPES and " " in name else ""


def surname(name: str) -> str | None:
    """The folded last word of a name, honorifics aside: "бауыржана момышулы" →
    "момышов", "кабанбай батыра" → "кабанбаи", "аль-фараби" → "фараби"."""
    words = [w for w in _WORD_PARTS.split(name)
             if w.isalpha() and fold_kazakh(w) not in _TITLES]
    return match_key(words[-1]) if words else None


def name_group(kind: AreaKind, name: str, folded: str) -> tuple[AreaKind, str, str]:
    """The names a name competes with: same kind, street type and digits."""
    return kind, street_type(name), "".join(_DIGITS.findall(folded))
