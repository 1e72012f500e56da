"""A parsed address and the keys it is compared by: `match_key` folds Kazakh letters
and Russian genitive endings so that "ул. Толе би" and "Төле би көшесі" meet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from geoapp.geocode.letters import (
    fold_kazakh,
)

AreaKind = Literal["microdistrict", "street"]


_KEY_PREFIX = {"microdistrict": "mkr", "street": "street", None: "addr"}
_VOWELS = frozenset("аеиоуыэюяәөұүі")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """`kind` None: no marker was found and `name` is the bare words before the house
    ("Толе би 45"). `name` is lower case with Kazakh letters kept; `house` is "12",
    "12а", "12/1" or "12к2". `microdistrict`: a microdistrict named besides the street
    ("мкр. Жайлау, ул. Абая, 12"). `elsewhere`: another town, village or rural district
    the address names ("с. Сарыкемер"): the address is not in Taraz. `cross`: the
    other street of an intersection ("угол ул. Абая и ул. Толе би": `name` "абая",
    `cross` "толе би")."""

    kind: AreaKind | None
    name: str | None
    house: str | None
    microdistrict: str | None = None
    elsewhere: str | None = None
    cross: str | None = None

    @property
    def key(self) -> str:
        """E.g. "street:толе би:45а", "mkr:15:12", "mkr:жайлау"."""
        return _format_key(self.kind, self.name, self.house)

    @property
    def match_name(self) -> str | None:
        return match_key(self.name) if self.name else None

    @property
    def match_key(self) -> str:
        """Like `key` but on the folded name: "street:толеби:45а"."""
        return _format_key(self.kind, self.match_name, self.house)


def _format_key(kind: AreaKind | None, name: str | None, house: str | None) -> str:
    parts = [_KEY_PREFIX[kind], name or ""]
    if house:
        parts.append(house)
    return ":".join(parts)


def _fold_word(word: str) -> str:
    # The old Russian spelling of Kazakh names: "Джамбула" is "Жамбыла".
    word = word.replace("дж", "ж")
    # A Kazakh patronymic surname against its Russian form: "Байтұрсынұлы" is
    # "Байтурсынов".
    if len(word) >= 7 and word.endswith("улы"):
        return word[:-3] + "ов"
    # Russian genitive street names ("Абая", "Жамбыла", "Рыскулова") against the
    # Kazakh nominative ("Абай", "Жамбыл", "Рысқұлов").
    if len(word) >= 4 and word[-1] in "ая" and word[-2] not in _VOWELS:
        return word[:-1]
    if len(word) >= 4 and word.endswith(("ая", "яя")):
        return word[:-1] + "й"
    return word


@lru_cache(maxsize=65536)
def match_key(name: str) -> str:
    """The matching form of a name: Kazakh letters folded, genitive endings dropped,
    й → и, ь/ъ and spaces removed ("Төле би" and "Толеби" → "толеби")."""
    words = fold_kazakh(name).split()
    return "".join(_fold_word(w) for w in words).replace("й", "и").translate(
        {ord("ь"): None, ord("ъ"): None, ord("-"): None}
    )

