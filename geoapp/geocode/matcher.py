"""Match free-text addresses against the buildings register, offline.

Exact path: one dict lookup on (kind, folded name). Otherwise the name is matched
fuzzily (rapidfuzz) among the names of the same kind that carry the same digits,
and the result is cached per name. Then the house: exact, else the same number
without its letter/korpus suffix, else the numerically nearest house of the area.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz, process

from geoapp.geocode.normalize import AreaKind, ParsedAddress, normalize_address

Precision = Literal["building", "street", "microdistrict", "none"]
Scorer = Callable[..., float]

DEFAULT_CUTOFF = 80.0
# Score taken off the name score when the house is only approximated.
SUFFIX_DROPPED_PENALTY = 10.0
NEAREST_HOUSE_PENALTY = 20.0
# Fuzzy matching of shorter names is mostly noise ("аса" vs "ас").
MIN_FUZZY_LETTERS = 3
# Parsed addresses repeat a lot (the same house, different flats); results (and
# fuzzy name lookups) are kept up to this many entries, then the cache starts afresh.
MATCH_CACHE_SIZE = 200_000

_DIGITS = re.compile(r"\d+")
_KINDS_BY_GUESS: dict[bool, tuple[AreaKind, ...]] = {
    True: ("microdistrict", "street"),  # a bare number is a microdistrict first
    False: ("street", "microdistrict"),
}


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """`score` (0..100) is the similarity of the street/microdistrict name, lowered by
    `SUFFIX_DROPPED_PENALTY` or `NEAREST_HOUSE_PENALTY` when the house is approximated.
    `precision` "street" with a `building_id`: the named house is not in the register
    and the building is the numerically nearest house of the same street (or
    microdistrict, see `area_kind`)."""

    building_id: int | None
    precision: Precision
    score: float
    area_kind: AreaKind | None = None
    area_name: str | None = None


NO_MATCH = AddressMatch(None, "none", 0.0)


def house_number(house: str) -> int | None:
    """The leading integer of a house number: "12а/1" → 12."""
    m = _DIGITS.match(house)
    return int(m.group()) if m else None


class _Area:
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

    def resolve(self, house: str | None, score: float) -> AddressMatch:
        if house in self.houses:
            return self._result(self.houses[house], "building", score)
        number = house_number(house) if house else None
        if number is not None:
            bare = self.houses.get(str(number))
            if bare is not None:
                return self._result(bare, "building", score - SUFFIX_DROPPED_PENALTY)
            nearest = self._nearest(number)
            if nearest is not None:
                return self._result(nearest, "street", score - NEAREST_HOUSE_PENALTY)
        # No house named (or none numbered in the register): the area itself.
        precision: Precision = "microdistrict" if self.kind == "microdistrict" else "street"
        return self._result(None, precision, score)

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

    def _result(self, building_id: int | None, precision: Precision,
                score: float) -> AddressMatch:
        return AddressMatch(building_id, precision, round(max(score, 0.0), 1), self.kind,
                            self.name)


class AddressIndex:
    """The address register indexed for matching. Build with `from_rows`."""

    def __init__(self, *, cutoff: float = DEFAULT_CUTOFF, scorer: Scorer = fuzz.ratio) -> None:
        self.cutoff = cutoff
        self.scorer = scorer
        self._areas: dict[tuple[AreaKind, str], _Area] = {}
        # (kind, digits of the name) → folded names containing letters: the fuzzy choices
        self._choices: dict[tuple[AreaKind, str], list[str]] = {}
        self._fuzzy_cache: dict[tuple[AreaKind, str], tuple[str, float] | None] = {}
        self._match_cache: dict[ParsedAddress, AddressMatch] = {}
        self.rows = 0
        # rows not indexed as a building: no name, or no house (the area is still known)
        self.skipped: list[tuple[int, str]] = []
        self.duplicates: list[tuple[int, str]] = []  # rows whose address was already taken

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str]], *, cutoff: float = DEFAULT_CUTOFF,
                  scorer: Scorer = fuzz.ratio) -> AddressIndex:
        """Index register rows (building_id, address). Rows without a marker count as
        a microdistrict when the name is a number, else as a street."""
        index = cls(cutoff=cutoff, scorer=scorer)
        for building_id, address in rows:
            index.add(building_id, address)
        return index

    def add(self, building_id: int, address: str) -> None:
        self.rows += 1
        parsed = normalize_address(address)
        folded = parsed.match_name
        if not parsed.name or not folded:
            self.skipped.append((building_id, address))
            return
        kind = parsed.kind or _KINDS_BY_GUESS[parsed.name.isdigit()][0]
        area = self._areas.get((kind, folded))
        if area is None:
            area = self._areas[kind, folded] = _Area(kind, parsed.name)
            if any(ch.isalpha() for ch in folded):
                digits = "".join(_DIGITS.findall(folded))
                self._choices.setdefault((kind, digits), []).append(folded)
        if parsed.house is None:
            self.skipped.append((building_id, address))
        elif not area.add(parsed.house, building_id):
            self.duplicates.append((building_id, address))
        self._fuzzy_cache.clear()
        self._match_cache.clear()

    def __len__(self) -> int:
        return sum(len(a.houses) for a in self._areas.values())

    def match(self, raw: str) -> AddressMatch:
        """Match one address typed by an operator."""
        return self.match_parsed(normalize_address(raw))

    def match_many(self, raws: Iterable[str]) -> list[AddressMatch]:
        """Match many addresses; repeated strings are matched once."""
        done: dict[str, AddressMatch] = {}
        out: list[AddressMatch] = []
        for raw in raws:
            result = done.get(raw)
            if result is None:
                result = done[raw] = self.match(raw)
            out.append(result)
        return out

    def match_parsed(self, parsed: ParsedAddress) -> AddressMatch:
        result = self._match_cache.get(parsed)
        if result is None:
            if len(self._match_cache) >= MATCH_CACHE_SIZE:
                self._match_cache.clear()
            result = self._match_cache[parsed] = self._match_uncached(parsed)
        return result

    def _match_uncached(self, parsed: ParsedAddress) -> AddressMatch:
        folded = parsed.match_name
        if not parsed.name or not folded:
            return NO_MATCH
        kinds = (parsed.kind,) if parsed.kind else _KINDS_BY_GUESS[parsed.name.isdigit()]
        found = self._find_area(kinds, folded)
        if found is None:
            return NO_MATCH
        area, score = found
        return area.resolve(parsed.house, score)

    def _find_area(self, kinds: tuple[AreaKind, ...], folded: str) -> tuple[_Area, float] | None:
        for kind in kinds:
            area = self._areas.get((kind, folded))
            if area is not None:
                return area, 100.0
        best: tuple[_Area, float] | None = None
        for kind in kinds:
            hit = self._fuzzy(kind, folded)
            if hit is not None and (best is None or hit[1] > best[1]):
                best = self._areas[kind, hit[0]], hit[1]
        return best

    def _fuzzy(self, kind: AreaKind, folded: str) -> tuple[str, float] | None:
        key = (kind, folded)
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        if len(self._fuzzy_cache) >= MATCH_CACHE_SIZE:
            self._fuzzy_cache.clear()
        result: tuple[str, float] | None = None
        if sum(ch.isalpha() for ch in folded) >= MIN_FUZZY_LETTERS:
            # Only names with the same digits compete: "карасу 2" is not "карасу 1".
            choices = self._choices.get((kind, "".join(_DIGITS.findall(folded))), [])
            hit: Any = process.extractOne(folded, choices, scorer=self.scorer,
                                          score_cutoff=self.cutoff)
            if hit is not None:
                result = (hit[0], float(hit[1]))
        self._fuzzy_cache[key] = result
        return result
