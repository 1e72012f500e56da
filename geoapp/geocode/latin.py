"""Addresses (and complaint texts) typed in Latin letters, back to Cyrillic so that
they meet the register (and the classifier's rules).

A citizen on a phone with a Latin keyboard writes "mkr Sholpan, d. 132" or, in the
Kazakh Latin alphabet of 2021, "Qonaev köşesi 71". Both the usual Russian
transliteration and the Kazakh Latin letters are read. Only a text without a single
Cyrillic letter is read this way: in a Cyrillic text, Latin letters are look-alikes
typed by mistake (normalize.fix_lookalikes). The exception is a marker spelt wholly
in look-alikes ("MKP 15" for "МКР 15", "KB. 5"), which no transliteration would
make. The result need not be the exact spelling: the matcher folds Kazakh letters
and й/и and forgives a letter or two.
"""

from __future__ import annotations

import re
import unicodedata

_LATIN = re.compile(r"[a-zäçğıñöşüū]", re.IGNORECASE)
CYRILLIC = re.compile(r"[Ѐ-ӿ]")

# Tried longest first at each position.
_DIGRAPHS = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц",
    "yu": "ю", "ya": "я", "yo": "е", "ye": "е",
}
_LETTERS = {
    "a": "а", "ä": "ә", "b": "б", "c": "ц", "ç": "ч", "d": "д", "e": "е", "f": "ф",
    "g": "г", "ğ": "ғ", "h": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к", "l": "л",
    "m": "м", "n": "н", "ñ": "ң", "o": "о", "ö": "ө", "p": "п", "q": "қ", "r": "р",
    "s": "с", "ş": "ш", "t": "т", "u": "у", "ū": "ұ", "ü": "ү", "v": "в", "w": "у",
    "x": "кс", "z": "з",
}
_VOWELS = frozenset("aäeioöuüūı")
# Address markers typed with Latin look-alikes of their Cyrillic letters: as
# transliterations they would mean nothing ("мкп").
_LOOKALIKE_MARKERS = {"mkp": "мкр", "mkph": "мкрн", "kb": "кв"}
_WORD = re.compile(r"[^\W\d_]+")


def is_latin_only(text: str) -> bool:
    """Whether `text` has Latin letters and no Cyrillic one. (Cyrillic first: in the
    usual text its first letter ends the search.)"""
    return CYRILLIC.search(text) is None and _LATIN.search(text) is not None


def latin_to_cyrillic(text: str) -> str:
    """Lower-case Cyrillic for a Latin-typed text; digits and punctuation kept.
    "y" is й after a vowel ("Abay", "Zhaylau") and ы elsewhere ("Syzdykova")."""
    text = unicodedata.normalize("NFC", text).lower()
    return _WORD.sub(_transliterated_word, text)


def _transliterated_word(match: re.Match[str]) -> str:
    word = match.group()
    if (marker := _LOOKALIKE_MARKERS.get(word)) is not None:
        return marker
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        for size in (4, 3, 2):
            chunk = word[i:i + size]
            if chunk in _DIGRAPHS:
                out.append(_DIGRAPHS[chunk])
                i += size
                break
        else:
            char = word[i]
            if char == "y":
                out.append("й" if i > 0 and word[i - 1] in _VOWELS else "ы")
            else:
                out.append(_LETTERS.get(char, char))
            i += 1
    return "".join(out)


def as_cyrillic(text: str) -> str:
    """`text` itself, or, when it has no Cyrillic letter but Latin ones, its
    transliteration."""
    return latin_to_cyrillic(text) if is_latin_only(text) else text
