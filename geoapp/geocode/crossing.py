"""An intersection written as an address: "угол ул. Абая и ул. Толе би", "ул. Абая /
ул. Толе би", "на пересечении улиц Абая и Толе би", "Абай және Төле би көшелерінің
қиылысы". Road, lighting and traffic complaints are often placed this way.

This module only splits the cleaned text into the two streets' texts; the address
parser reads each side.
"""

from __future__ import annotations

import re

# The words that make an address an intersection, replaced by a split mark.
_CROSSING_WORDS = re.compile(
    r"(?:\bна\s+)?(?:\bуглу|\bугол|\bуг\.|\bпересечени[еия]|\bперекр[её]ст(?:ок|ке|ка)"
    r"|\bқиылыс\w*|\bкиылыс\w*)")
_HINT = re.compile(r"уг|пересеч|перекр|[қк]иылыс|/")
# Plural street words ("улиц Абая и Толе би", "көшелерінің") name both sides.
_PLURAL_STREETS = re.compile(r"\bулиц\b|\bулиц(?:ами|ах)\b|\bк[өо]шелер\w*")
_AND = re.compile(r"\s(?:и|және|жане|мен|с|[-–—])\s|&")
# A slash between two written streets ("ул. Абая / ул. Толе би"), not a house's
# "12/1" nor an abbreviation's ("ш/а", "ж/м"): two letters on both sides.
_SLASH = re.compile(r"(?<=[^\W\d_]{2})\.?\s*/\s*(?=[^\W\d_]{2})")
_MARK = "&"


def crossing_sides(text: str) -> list[str] | None:
    """The texts of an intersection's sides in cleaned (lower-case) text, or None:
    the two streets, or three parts when the place is named first ("мкр Самал, угол
    ул. Абая и ул. Толе би").

    "и" splits only where an intersection word is present, so "ул. Кирилла и
    Мефодия, 5" stays one street."""
    if not _HINT.search(text):
        return None
    marked, words = _CROSSING_WORDS.subn(_MARK, text)
    if not words:
        marked, slashes = _SLASH.subn(_MARK, text)
        if slashes != 1:
            return None
    plural = _PLURAL_STREETS.search(marked)
    marked = _PLURAL_STREETS.sub(" ", marked)
    sides = [s.strip(" ,.;-") for s in _AND.split(marked)]
    sides = [s for s in sides if s]
    if len(sides) not in (2, 3):
        return None
    if plural:
        # the plural word marks the streets as streets
        sides[-2:] = [f"ул. {s}" if not _has_street_word(s) else s for s in sides[-2:]]
    return sides


_STREET_WORD = re.compile(r"\b(?:ул|улица|пр|пр-т|проспект|к[өо]шес\w*|к-с[іи]|даңғылы)\b")


def _has_street_word(side: str) -> bool:
    return bool(_STREET_WORD.search(side))
