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
    sides = [s.strip(" ,.;-") for s in _AND.split(marked)]
    sides = [s for s in sides if s]
    return sides if len(sides) in (2, 3) else None

