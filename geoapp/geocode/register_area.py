"""One street or microdistrict of the address register and its houses, and what
a match against it finds: the house as typed, the same number with less of its
suffix, the numerically nearest house, or the street's middle house."""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from dataclasses import dataclass
from typing import Literal

from geoapp.geocode.notes import (
    INSIDE_MICRODISTRICT,
    MIDDLE_HOUSE,
    NO_HOUSE,
    SEPARATOR,
    STREET_UNKNOWN,
)
from geoapp.geocode.parsed_address import AreaKind

Precision = Literal["building", "street", "microdistrict", "none"]

# Score taken off the name score when the house is only approximated.
SUFFIX_DROPPED_PENALTY = 10.0
NEAREST_HOUSE_PENALTY = 20.0

_DIGITS = re.compile(r"\d+")
_LETTERED = re.compile(r"\d+[^\W\d_]")


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """`score` (0..100) is the similarity of the street/microdistrict name, lowered by
    `SUFFIX_DROPPED_PENALTY` or `NEAREST_HOUSE_PENALTY` when the house is approximated.
    `precision` "street" with a `building_id`: the named house is not in the register
    and the building is the numerically nearest house of the same street (or
    microdistrict, see `area_kind`), or no house was typed and it is the street's
    middle-numbered house. `name_score`: the name's similarity alone. `note`: what the
    precision does not say (no house typed, the street unknown in a known
    microdistrict, another locality). `read`: the mistyped marker words read as
    markers to find it ("read «аданы» as «ауданы»")."""

    building_id: int | None
    precision: Precision
    score: float
    area_kind: AreaKind | None = None
    area_name: str | None = None
    name_score: float = 100.0
    note: str | None = None
    read: str | None = None


NO_MATCH = AddressMatch(None, "none", 0.0, name_score=0.0)
NO_HOUSE_NOTE = SEPARATOR.join((NO_HOUSE, MIDDLE_HOUSE))
NO_STREET_NOTE = SEPARATOR.join((STREET_UNKNOWN, INSIDE_MICRODISTRICT))
NO_HOUSE_IN_DISTRICT_NOTE = SEPARATOR.join((NO_HOUSE, INSIDE_MICRODISTRICT))


def house_number(house: str) -> int | None:
    """The leading integer of a house number: "12а/1" → 12."""
    m = _DIGITS.match(house)
    return int(m.group()) if m else None


class RegisterArea:
    """One street or microdistrict of the register and its houses."""

    __slots__ = ("houses", "kind", "name", "numbered")

    def __init__(self, kind: AreaKind, name: str) -> None:
        self.kind = kind
        self.name = name
        self.houses: dict[str, int] = {}
        self.numbered: list[tuple[int, str, int]] = []  # (number, house, building_id)

    def add(self, house: str, building_id: int) -> bool:
        if house in self.houses:
            return False
        self.houses[house] = building_id
        number = house_number(house)
        if number is not None:
            insort(self.numbered, (number, house, building_id))
        return True

    def resolve(self, house: str | None, score: float,
                no_house_note: str = NO_HOUSE_NOTE) -> AddressMatch:
        if house in self.houses:
            return self._result(self.houses[house], "building", score, score)
        number = house_number(house) if house else None
        if house and number is not None:
            # "2а/7", "97ак3": the lettered house, then the bare number
            lettered = _LETTERED.match(house)
            for shorter in (lettered.group() if lettered else None, str(number)):
                if shorter and shorter != house and shorter in self.houses:
                    return self._result(self.houses[shorter], "building",
                                        score - SUFFIX_DROPPED_PENALTY, score)
            nearest = self._nearest(number)
            if nearest is not None:
                return self._result(nearest, "street", score - NEAREST_HOUSE_PENALTY, score)
        if house is None and self.kind == "street" and self.numbered:
            return self._result(self._middle(), "street", score, score, no_house_note)
        # No house named (or none numbered in the register): the area itself.
        if self.kind == "microdistrict":
            return self._result(None, "microdistrict", score, score,
                                NO_HOUSE_IN_DISTRICT_NOTE if house is None else None)
        return self._result(None, "street", score, score)

    def _middle(self) -> int:
        """The building of the street's median house number (the plain house)."""
        numbers = sorted({number for number, _, _ in self.numbered})
        return self.numbered[bisect_left(self.numbered, (numbers[(len(numbers) - 1) // 2],))][2]

    def _nearest(self, number: int) -> int | None:
        """The building with the numerically nearest house number (ties: the lower
        number; among equal numbers the plain house, "45" before "45а")."""
        numbered = self.numbered
        if not numbered:
            return None
        i = bisect_left(numbered, (number,))
        if i == len(numbered):
            target = numbered[-1][0]
        elif i == 0:
            target = numbered[0][0]
        else:
            below, above = numbered[i - 1][0], numbered[i][0]
            target = above if above - number < number - below else below
        return numbered[bisect_left(numbered, (target,))][2]

    def _result(self, building_id: int | None, precision: Precision, score: float,
                name_score: float, note: str | None = None) -> AddressMatch:
        return AddressMatch(building_id, precision, round(max(score, 0.0), 1), self.kind,
                            self.name, round(name_score, 1), note)

