""""подъезд" mistyped by one letter ("поъезд", "пдоъезд", "подъеезд", "подъездд").

Unread, the slip turns "Жайлау 31 дом 2 поъезд 66 кв" (house 31, entrance 2) into
house 2: a wrong building, not a missing one, so the matcher's retry (which runs only
when an address finds less than a building) never sees it. The parser reads it here,
before anything else. The word is long and no other address word is one slip from
it ("поезд" is two), so the reading is safe.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from geoapp.geocode.letters import LETTERS

ENTRANCE = "подъезд"
_CANDIDATE = re.compile(rf"(?<![{LETTERS}])[{LETTERS}]{{5,9}}(?![{LETTERS}])")


def entrance_word_read(text: str) -> str:
    """`text` (cleaned, lower case) with a one-slip "подъезд" written as the word."""
    if "з" not in text:
        return text

    def read(match: re.Match[str]) -> str:
        word = match.group()
        if "з" in word and word != ENTRANCE and OSA.distance(word, ENTRANCE, score_cutoff=1) <= 1:
            return ENTRANCE
        return word

    return _CANDIDATE.sub(read, text)
