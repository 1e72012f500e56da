"""Marker words mistyped by one letter: "шағын аудны", "ашғын ауданы", "Крылов өкшесі",
"Самал мкрр", "ддом 147"; so too the other words the parser knows by their spelling
(nearness: "райо"; a microdistrict's ordinal number: "мкр. Пятнадцатй"). Such an
address finds nothing; the matcher then retries it with the word read as the marker.

A word of four letters or more is read as a marker of five or more one slip away (a
letter wrong, dropped, added or two swapped: `rapidfuzz`'s OSA distance 1). A shorter
marker ("мкр", "дом", "көше", "ул") is too close to ordinary words for that, and only
its doubled letter is read ("мкрр", "ддом", "улл", "дд 12"), besides a few slips that
are no word of either language ("мр", "кмр", "дм"; "ш.аа.", "кк-сі"). The matcher
keeps a retry only when the parser read each replaced word as a marker, not as part of
a name ("Шагин 5" stays a name).
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from geoapp.geocode.latin import as_cyrillic
from geoapp.geocode.letters import fold_kazakh
from geoapp.geocode.normalize import clean_text
from geoapp.geocode.ordinals import ordinal_words

MIN_ORDINAL_LETTERS = 7
# The whole words the parser reads as markers, each in the forms typed most.
_LONG_MARKERS = (
    "шағын", "аудан", "ауданы", "ауданында", "ықшам", "көшесі", "көшесінде", "даңғылы",
    "учаскесі", "қаласы", "микрорайон", "микрорайона", "микрорайоне", "улица", "улице",
    "улицы", "проспект", "переулок", "бульвар", "квартира", "подъезд", "участок", "пәтер",
    "тупик",
    # the words of nearness the parser drops ("райо микрорайон 15" is "район …")
    "район", "около", "возле", "напротив", "рядом",
    # a microdistrict's number as a word ("мкр. Пятнадцатй"); long ones only, as
    # a short one is too near to names ("Пятой", "Второй")
    *ordinal_words(MIN_ORDINAL_LETTERS),
)
_SHORT_MARKERS = ("мкр", "мкрн", "дом", "д", "көше", "ул")
# Every marker word the parser knows by its spelling, a house's "үй" besides.
MARKER_WORDS = (*_LONG_MARKERS, *_SHORT_MARKERS, "үй")
# One slip from a short marker, and no word: a letter dropped ("мр", "дм", "ом"), two
# swapped ("кмр", "одм"). Other slips of these markers are words or names ("мир",
# "ум"), so they are listed, not searched. "до" is a word, but no address's: "Мамыр,
# до 87" (and it is read so only in a retry, when the address as typed finds less).
_SHORT_SLIPS = {
    "мр": "мкр", "мк": "мкр", "кр": "мкр", "кмр": "мкр", "мрк": "мкр",
    "дм": "дом", "ом": "дом", "до": "дом", "одм": "дом", "дмо": "дом",
}
# Slips inside the dotted or hyphened abbreviations, which the word scan splits:
# "ш.аа.", "шш.а.", ".а." (шағын аудан); "кк-сі", "к-ссі" (көшесі).
_ABBREVIATION_SLIPS = (
    (re.compile(r"(?<![^\W\d_])(?:шш\s*[./]\s*а|ш\s*[./]\s*аа)(?![^\W\d_])"), "ш.а"),
    (re.compile(r"(?<![^\W\d_.])\.\s*а(?=\s*\.)"), "ш.а"),
    (re.compile(r"(?<![^\W\d_])(?:кк-с[іи]|к-сс[іи]|к-с[іи][іи])(?![^\W\d_])"), "к-сі"),
)
MIN_FUZZY_LETTERS = 4
_WORD = re.compile(r"[^\W\d_]+")
# Compared with Kazakh letters folded: "шагн" is "шағын" typed on a Russian keyboard.
_LONG_FOLDED = {fold_kazakh(m): m for m in _LONG_MARKERS}
_LONG_CHOICES = tuple(_LONG_FOLDED)
_SHORT_FOLDED = {fold_kazakh(m): m for m in _SHORT_MARKERS}


def _doubled(word: str, marker: str) -> bool:
    """`word` is `marker` with one of its letters typed twice."""
    return len(word) == len(marker) + 1 and any(
        word[i] == word[i + 1] and word[:i] + word[i + 1:] == marker
        for i in range(len(word) - 1))


def _marker_for(word: str) -> str | None:
    folded = fold_kazakh(word)
    if folded in _LONG_FOLDED or folded in _SHORT_FOLDED:
        return None
    if len(folded) >= MIN_FUZZY_LETTERS:
        hit = process.extractOne(folded, _LONG_CHOICES, scorer=OSA.distance, score_cutoff=1)
        if hit is not None:
            return _LONG_FOLDED[hit[0]]
    if (slip := _SHORT_SLIPS.get(folded)) is not None:
        return slip
    return next((m for f, m in _SHORT_FOLDED.items() if _doubled(folded, f)), None)


def corrections(raw: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Readings of the address with mistyped marker words replaced, each with its
    (typed, read) pairs: each such word alone, in order, then all of them together
    when there are several (a name one slip from a marker, "Шалғын", must not spoil
    the reading of the real typo beside it). Empty when no word is one."""
    text = clean_text(as_cyrillic(raw))
    found = [(m.start(), m.end(), m.group(), marker) for m in _WORD.finditer(text)
             if (marker := _marker_for(m.group())) is not None]
    found += [(m.start(), m.end(), m.group(), marker) for pattern, marker in _ABBREVIATION_SLIPS
              for m in pattern.finditer(text)]
    found.sort()
    readings = [(_replaced(text, [fix]), [(fix[2], fix[3])]) for fix in found]
    if len(found) > 1:
        readings.append((_replaced(text, found), [(typed, marker) for *_, typed, marker in found]))
    return readings


def _replaced(text: str, fixes: list[tuple[int, int, str, str]]) -> str:
    for start, end, _, marker in reversed(fixes):
        text = text[:start] + marker + text[end:]
    return text
