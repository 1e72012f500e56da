"""Letters an encoding could not hold, written as '?'.

Excel on a Russian Windows saves "CSV" in CP1251, which has no ә ғ қ ң ө ұ ү һ: each
becomes '?', so "Қаралуда" arrives as "?аралуда" and "Өзен көшесі" as "?зен к?шесі".
Such a copy is matched with each '?' standing for one letter CP1251 lacks: a header,
a status or a category label still reads; a department is the one it names; a
complaint exported again is the stored one, whose address and place stay
(complaint_sql); an address's words are read back from the words the register and
the parser know (`WordRepair`) before it is geocoded.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from typing import TypeVar

from geoapp.geocode.letters import single_letters
from geoapp.geocode.normalize import clean_text

Value = TypeVar("Value", bound=Hashable)

# A '?' right before a letter: a lost letter, not a question's end.
_LOST = re.compile(r"\?(?=[^\W\d_])")


def has_lost_letters(value: str) -> bool:
    return _LOST.search(value) is not None


@lru_cache(maxsize=1024)
def _lost_in_cp1251(character: str) -> bool:
    try:
        character.encode("cp1251")
    except UnicodeEncodeError:
        return True
    return False


def is_copy_of(copy: str, original: str) -> bool:
    """`copy` is `original` with letters CP1251 lacks written as '?' ("Т?ле" is "Төле",
    not "Толе")."""
    return len(copy) == len(original) and all(
        c == o or (c == "?" and _lost_in_cp1251(o)) for c, o in zip(copy, original, strict=True))


def original_value(key: str, mapping: Mapping[str, Value]) -> Value | None:
    """The value of the keys `key` may be a copy of, when they all agree on one; None
    when `key` has no '?' or matches no key, or keys of different values. Any '?' may
    be a lost letter here ("жо?" is "жоқ"): a key is a word of a closed list."""
    if "?" not in key:
        return None
    values = {v for k, v in mapping.items() if is_copy_of(key, k)}
    return values.pop() if len(values) == 1 else None


_WORD_OR_COPY = re.compile(r"(?:[^\W\d_]|\?)+")
_LETTERS = re.compile(r"[^\W\d_]+")


class WordRepair:
    """Words with letters lost to '?' read back as the one known word they can be a
    copy of ("к?шесі" as "көшесі", "?онаев" as "қонаев"); a word that could be several,
    or none, is left as it is."""

    def __init__(self, texts: Iterable[str]) -> None:
        by_length: dict[int, set[str]] = {}
        for text in texts:
            for word in _LETTERS.findall(clean_text(text)):
                by_length.setdefault(len(word), set()).add(word)
        self._by_length = {n: tuple(sorted(words)) for n, words in by_length.items()}
        self._by_single_length: dict[int, list[tuple[str, str]]] = {}
        for word in sorted(set().union(*by_length.values())):
            single = single_letters(word)
            self._by_single_length.setdefault(len(single), []).append((single, word))
        self.word = lru_cache(maxsize=4096)(self._word)

    def _word(self, copy: str) -> str | None:
        """The one known word `copy` is a copy of; else the one it is once a key held
        too long is read as one letter ("к?шесіі", "шша?ын")."""
        found = [w for w in self._by_length.get(len(copy), ()) if is_copy_of(copy, w)]
        if not found:
            single = single_letters(copy)
            found = list({word for known, word in self._by_single_length.get(len(single), ())
                          if is_copy_of(single, known)})
        return found[0] if len(found) == 1 else None

    def repair(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """`text`, cleaned as the geocoder cleans it ("шa?ын" with a Latin "a" is
        "ша?ын"), with its lossy words read back; and the (copy, word) pairs read."""
        text = clean_text(text)
        read: list[tuple[str, str]] = []

        def back(match: re.Match[str]) -> str:
            copy = match.group()
            if "?" not in copy or copy.count("?") == len(copy):
                return copy
            word = self.word(copy)
            if word is None:
                return copy
            read.append((copy, word))
            return word

        return _WORD_OR_COPY.sub(back, text), read


# The Cyrillic letters CP1251 lacks: Kazakh's ә ғ қ ң ө ұ ү һ, and those of the
# region's other languages.
LOST_CYRILLIC = "".join(c for c in map(chr, range(0x400, 0x530)) if _lost_in_cp1251(c))


def lossy_sql(original: str) -> str:
    """SQL: `original` with its Cyrillic letters that CP1251 lacks written as '?'."""
    return f"translate({original}, '{LOST_CYRILLIC}', '{'?' * len(LOST_CYRILLIC)}')"


def lossy_copy_sql(copy: str, original: str) -> str:
    """SQL: `copy` is `original` with its Cyrillic letters that CP1251 lacks written
    as '?' (NULL when either is NULL)."""
    return (f"(strpos({copy}, '?') > 0 AND length({copy}) = length({original}) "
            f"AND {copy} = {lossy_sql(original)})")
