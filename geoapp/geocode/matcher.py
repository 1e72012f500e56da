"""Match free-text addresses against the buildings register, offline.

Exact path: one dict lookup on (kind, folded name). Otherwise the name is met by its
surname alone ("Бауыржана Момышулы" for "Момышулы", "Кабанбая" for "Кабанбай батыра")
when one register name has it, else matched fuzzily (rapidfuzz, typo distance) among
the names of the same kind (a lane only among lanes) that carry the same digits; a
best candidate that another one equals is no match. Results are cached per name.
Then the house (register_area): exact, else the same number with its letter but
without its flat or korpus ("2а/7" → "2а"), else the bare number, else the
numerically nearest house of the area; no house typed on a street: its
middle-numbered house. How names are grouped and folded: register_names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from math import cos, radians
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from geoapp.geocode import marker_typos
from geoapp.geocode.normalize import normalize_address
from geoapp.geocode.notes import (
    CROSSING_APART,
    CROSSING_CORNER,
    CROSSING_UNKNOWN,
    ELSEWHERE,
    MARKER_READ,
    MIDDLE_HOUSE,
    MIDDLE_WITHIN,
    NEAREST_TO_DISTRICT,
    NO_HOUSE,
    SEPARATOR,
    STREET_MISSES,
    joined_notes,
    read_pairs,
)
from geoapp.geocode.parsed_address import AreaKind, ParsedAddress, match_key
from geoapp.geocode.register_area import (
    NO_MATCH,
    NO_STREET_NOTE,
    AddressMatch,
    RegisterArea,
)
from geoapp.geocode.register_names import loose_key, name_group, surname
from geoapp.read_back import clause

EXACT_SCORE = 100.0  # the address matched the register as written
DEFAULT_CUTOFF = 80.0
# Score taken off when a mistyped marker word had to be read ("шағын аудны").
MARKER_TYPO_PENALTY = 5.0
# How much of the place an answer knows: a retry with marker words read must know more.
_PRECISION_RANK: dict[str, int] = {"none": 0, "microdistrict": 1, "street": 2, "building": 3}
# The name score of a name met by its surname alone.
SURNAME_SCORE = 90.0
# A short word ending a name no register name has ("Каратау кр"): dropped, and the
# name score lowered.
MAX_STRAY_LETTERS = 3
STRAY_WORD_PENALTY = 10.0
# Fuzzy matching of shorter names is mostly noise ("аса" vs "ас").
MIN_FUZZY_LETTERS = 3
# A name this short, one slip from a register name, is too near to others for the fuzzy
# match ("Миа" is 67 from "Мира"): taken only when the typed house singles one out, and
# scoring at most this much below the cutoff.
SHORT_NAME_LETTERS = 4
SHORT_NAME_SLACK = 20.0
# Parsed addresses repeat a lot (the same house, different flats); results (and
# fuzzy name lookups) are kept up to this many entries, then the cache starts afresh.
MATCH_CACHE_SIZE = 200_000

_KINDS_BY_GUESS: dict[bool, tuple[AreaKind, ...]] = {
    True: ("microdistrict", "street"),  # a bare number is a microdistrict first
    False: ("street", "microdistrict"),
}
# Two streets whose nearest houses are farther apart than this do not meet.
CORNER_MAX_METRES = 150.0


class AddressIndex:
    """The address register indexed for matching. Build with `from_rows`."""

    def __init__(self, *, cutoff: float = DEFAULT_CUTOFF) -> None:
        """`cutoff`: the least name similarity (0..100) a fuzzy match needs. The
        similarity is one minus the typing slips (a letter wrong, dropped, doubled, two
        swapped) per letter of the longer name: one slip in six letters scores 83."""
        self.cutoff = cutoff
        self._areas: dict[tuple[AreaKind, str], RegisterArea] = {}
        # (kind, street type, digits of the name) → {folded name: its form without the
        # street type}: the fuzzy choices, names containing letters only; the name as
        # `match_key` folds it and as `loose_key` does
        self._choices: dict[tuple[AreaKind, str, str], dict[str, str]] = {}
        self._loose: dict[tuple[AreaKind, str, str], dict[str, str]] = {}
        # the same groups: surname → folded names having it
        self._surnames: dict[tuple[AreaKind, str, str], dict[str, set[str]]] = {}
        self._fuzzy_cache: dict[tuple[AreaKind, str], tuple[str, float] | None] = {}
        self._match_cache: dict[ParsedAddress, AddressMatch] = {}
        self.rows = 0
        # rows not indexed as a building: no name, or no house (the area is still known)
        self.skipped: list[tuple[int, str]] = []
        self.duplicates: list[tuple[int, str]] = []  # rows whose address was already taken
        # building_id → (lon, lat): where intersections are found
        self.points: dict[int, tuple[float, float]] = {}
        # building_id → the microdistrict (layer id) it stands in, and a microdistrict's
        # folded name → its id: where a street runs through a microdistrict
        self.district_ids: dict[int, int] = {}
        self.district_by_key: dict[str, int] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str]], *,
                  cutoff: float = DEFAULT_CUTOFF) -> AddressIndex:
        """Index register rows (building_id, address). Rows without a marker count as
        a microdistrict when the name is a number, else as a street."""
        index = cls(cutoff=cutoff)
        for building_id, address in rows:
            index.add(building_id, address)
        return index

    def add(self, building_id: int, address: str) -> None:
        self.rows += 1
        parsed = normalize_address(address)
        area = self._area_of(parsed)
        if area is None or parsed.house is None:
            self.skipped.append((building_id, address))
        elif not area.add(parsed.house, building_id):
            self.duplicates.append((building_id, address))
        self._match_cache.clear()

    def add_area(self, name: str) -> bool:
        """Make a street or microdistrict known without houses ("мкр. Аса", from the
        microdistricts layer): an address there is placed in the area. False when
        `name` names no area."""
        return self._area_of(normalize_address(name)) is not None

    def _area_of(self, parsed: ParsedAddress) -> RegisterArea | None:
        folded = parsed.match_name
        if not parsed.name or not folded:
            return None
        kind = parsed.kind or _KINDS_BY_GUESS[parsed.name.isdigit()][0]
        area = self._areas.get((kind, folded))
        if area is None:
            area = self._areas[kind, folded] = RegisterArea(kind, parsed.name)
            if any(ch.isalpha() for ch in folded):
                group = name_group(kind, parsed.name, folded)
                kind_of_street = group[1]
                self._choices.setdefault(group, {})[folded] = folded[len(kind_of_street):]
                self._loose.setdefault(group, {})[folded] = loose_key(
                    parsed.name[len(kind_of_street):])
                last = surname(parsed.name[len(kind_of_street):])
                if last:
                    self._surnames.setdefault(group, {}).setdefault(last, set()).add(folded)
            self._fuzzy_cache.clear()
            self._match_cache.clear()
        return area

    def __len__(self) -> int:
        return sum(len(a.houses) for a in self._areas.values())

    def match(self, raw: str) -> AddressMatch:
        """Match one address typed by an operator. One that finds nothing, or no
        building, is tried again with its mistyped marker words read as the markers
        ("шағын аудны"; "мкр. Жайлау, улл. Толе би, 45", read as Жайлау's house 45
        otherwise); a retry counts only when it knows more of the place."""
        result = self.match_parsed(normalize_address(raw))
        if result.precision == "building" or (result.precision == "none" and result.note):
            return result
        for text, fixes in marker_typos.corrections(raw):
            parsed = normalize_address(text)
            named = f"{parsed.name or ''} {parsed.microdistrict or ''}".split()
            if any(marker in named for _, marker in fixes):
                continue  # the word is a name after all ("Шагин 5")
            again = self.match_parsed(parsed)
            if _PRECISION_RANK[again.precision] <= _PRECISION_RANK[result.precision]:
                continue
            return replace(again, score=round(max(again.score - MARKER_TYPO_PENALTY, 0.0), 1),
                           read=read_pairs(MARKER_READ, fixes))
        return result

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
        if parsed.elsewhere:
            return AddressMatch(None, "none", 0.0, name_score=0.0,
                                note=clause(ELSEWHERE, place=parsed.elsewhere))
        folded = parsed.match_name
        if not parsed.name or not folded:
            return NO_MATCH
        if parsed.cross:
            return self._match_crossing(parsed)
        kinds = (parsed.kind,) if parsed.kind else _KINDS_BY_GUESS[parsed.name.isdigit()]
        found = self._find_area(kinds, parsed.name, folded)
        words = parsed.name.split()
        if found is None and len(words) > 1 and len(words[-1]) <= MAX_STRAY_LETTERS \
                and words[-1].isalpha():
            # "Каратау кр, 170", "Тауке хана дмо 76А": a mistyped marker left behind
            shorter = " ".join(words[:-1])
            found = self._find_area(kinds, shorter, match_key(shorter))
            if found is not None:
                found = found[0], found[1] - STRAY_WORD_PENALTY
        if found is None and parsed.house:
            found = self._one_slip_with_house(kinds, parsed.name, folded, parsed.house)
        if found is None and parsed.microdistrict:
            # "мкр. Жайлау, ул. Абая, 12" with no such street: the microdistrict
            district = self._find_area(("microdistrict",), parsed.microdistrict,
                                       match_key(parsed.microdistrict))
            if district is not None:
                area, score = district
                return AddressMatch(None, "microdistrict", round(score, 1), area.kind,
                                    area.name, round(score, 1), NO_STREET_NOTE)
        if found is None:
            return NO_MATCH
        area, score = found
        if parsed.house is None and parsed.microdistrict and area.kind == "street":
            return self._street_in_microdistrict(area, score, parsed.microdistrict)
        return area.resolve(parsed.house, score)

    def _street_in_microdistrict(self, street: RegisterArea, score: float,
                                 district_name: str) -> AddressMatch:
        """A street named in a microdistrict, with no house ("мкр. Самал, ул. Абая"):
        the middle-numbered of the street's houses standing in the microdistrict; else
        (where the register's houses are not known by microdistrict) the street's house
        nearest to the microdistrict's own houses (precision `street`); a street that
        passes none of them: the microdistrict."""
        district = self._find_area(("microdistrict",), district_name, match_key(district_name))
        if district is None:
            return street.resolve(None, score)
        area, district_score = district
        label = microdistrict_label(area.name)
        middle = self._middle_within(street, area)
        if middle is not None:
            return AddressMatch(middle, "street", round(score, 1), street.kind, street.name,
                                round(score, 1),
                                joined_notes(NO_HOUSE, clause(MIDDLE_WITHIN, microdistrict=label)))
        corner = self._corner(street, area)
        if corner is None:
            return AddressMatch(None, "microdistrict", round(district_score, 1), area.kind,
                                area.name, round(district_score, 1),
                                joined_notes(NO_HOUSE, clause(STREET_MISSES, microdistrict=label)))
        nearest = clause(NEAREST_TO_DISTRICT, microdistrict=label)
        return AddressMatch(corner, "street", round(score, 1), street.kind, street.name,
                            round(score, 1), joined_notes(NO_HOUSE, nearest))

    def _match_crossing(self, parsed: ParsedAddress) -> AddressMatch:
        """An intersection: the house of the first street nearest to the second
        (precision `street`). One street unknown: the other's middle house; streets
        that do not meet: the first's middle house."""
        names = (parsed.name or "", parsed.cross or "")
        found = [self._find_area(("street",), name, match_key(name)) for name in names]
        known = [f for f in found if f is not None]
        if not known:
            return self._match_uncached(replace(parsed, cross=None))
        if len(known) == 1:
            area, score = known[0]
            other = _capitalized(names[1] if found[0] is not None else names[0])
            return area.resolve(None, score, SEPARATOR.join((
                clause(CROSSING_UNKNOWN, street=other), MIDDLE_HOUSE)))
        (first, first_score), (second, second_score) = known
        if first is second:
            return first.resolve(None, first_score)
        score = min(first_score, second_score)
        crossing = _capitalized(second.name)
        corner = self._corner(first, second)
        if corner is None:
            return first.resolve(None, score, SEPARATOR.join((
                clause(CROSSING_APART, street=crossing), MIDDLE_HOUSE)))
        return AddressMatch(corner, "street", round(score, 1), first.kind, first.name,
                            round(score, 1),
                            clause(CROSSING_CORNER, street=crossing))

    def _middle_within(self, street: RegisterArea, district: RegisterArea) -> int | None:
        """The building of the median house number among `street`'s houses that stand
        in `district`, or None when none does (or the houses' districts are unknown)."""
        district_id = self.district_by_key.get(match_key(district.name))
        if district_id is None:
            return None
        inside = [(number, building_id) for number, _, building_id in street.numbered
                  if self.district_ids.get(building_id) == district_id]
        if not inside:
            return None
        numbers = sorted({number for number, _ in inside})
        median = numbers[(len(numbers) - 1) // 2]
        return next(building_id for number, building_id in inside if number == median)

    def _corner(self, first: RegisterArea, second: RegisterArea) -> int | None:
        """The building of `first` nearest to a building of `second`, when within
        `CORNER_MAX_METRES`."""
        points = self.points
        theirs = [points[b] for b in set(second.houses.values()) if b in points]
        ours = [(b, points[b]) for b in set(first.houses.values()) if b in points]
        if not theirs or not ours:
            return None
        kx = 111_320.0 * cos(radians(theirs[0][1]))
        ky = 110_540.0
        best, best_d2 = None, CORNER_MAX_METRES ** 2
        for building_id, (x, y) in sorted(ours):
            for u, v in theirs:
                d2 = ((x - u) * kx) ** 2 + ((y - v) * ky) ** 2
                if d2 < best_d2:
                    best, best_d2 = building_id, d2
        return best

    def _find_area(self, kinds: tuple[AreaKind, ...], name: str,
                   folded: str) -> tuple[RegisterArea, float] | None:
        for kind in kinds:
            area = self._areas.get((kind, folded))
            if area is not None:
                return area, 100.0
        for kind in kinds:
            group = name_group(kind, name, folded)
            last = surname(name[len(group[1]):])
            same = self._distinct(kind, sorted(self._surnames.get(group, {}).get(last or "", ())))
            if len(same) == 1:
                return self._areas[kind, same[0]], SURNAME_SCORE
        best: tuple[RegisterArea, float] | None = None
        for kind in kinds:
            hit = self._fuzzy(name_group(kind, name, folded), name, folded)
            if hit is not None and (best is None or hit[1] > best[1]):
                best = self._areas[kind, hit[0]], hit[1]
        return best

    def _one_slip_with_house(self, kinds: tuple[AreaKind, ...], name: str, folded: str,
                             house: str) -> tuple[RegisterArea, float] | None:
        """A short name one slip (OSA distance 1) from a register name ("Миа, 49" for
        ул. Мира, "Өезн көшесі" for Өзен), when exactly one such name has the house."""
        found: list[tuple[RegisterArea, float]] = []
        for kind in kinds:
            group = name_group(kind, name, folded)
            query = folded[len(group[1]):]
            if not MIN_FUZZY_LETTERS <= len(query) <= SHORT_NAME_LETTERS:
                continue
            choices = self._choices.get(group, {})
            hits = process.extract(query, choices, scorer=OSA.distance, score_cutoff=1,
                                   limit=None)
            for near in self._distinct(kind, sorted(key for *_, key in hits)):
                score = OSA.normalized_similarity(query, choices[near]) * 100
                if (house in self._areas[kind, near].houses
                        and score >= self.cutoff - SHORT_NAME_SLACK):
                    found.append((self._areas[kind, near], round(score, 1)))
        return found[0] if len(found) == 1 else None

    def _fuzzy(self, group: tuple[AreaKind, str, str], name: str,
               folded: str) -> tuple[str, float] | None:
        key = (group[0], name)
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        if len(self._fuzzy_cache) >= MATCH_CACHE_SIZE:
            self._fuzzy_cache.clear()
        result: tuple[str, float] | None = None
        query = folded[len(group[1]):]
        if sum(ch.isalpha() for ch in query) >= MIN_FUZZY_LETTERS:
            # Only names of the same street type with the same digits compete: "карасу
            # 2" is not "карасу 1", "пер. Толе би" is not "ул. Толе би".
            # Each name compared folded and loose ("жайла" is "жаил" folded): the better.
            scores: dict[str, float] = {}
            loose = loose_key(name[len(group[1]):])
            for typed, choices in ((query, self._choices.get(group, {})),
                                   (loose, self._loose.get(group, {}))):
                # (rapidfuzz's own cutoff is a shade strict: 0.8 misses one slip in five)
                hits: Any = process.extract(typed, choices, scorer=OSA.normalized_similarity,
                                            score_cutoff=self.cutoff / 100 - 0.01, limit=4)
                for _, similarity, folded_name in hits:
                    if similarity * 100 >= self.cutoff - 1e-6:
                        scores[folded_name] = max(scores.get(folded_name, 0.0),
                                                  similarity * 100)
            ranked = sorted(scores, key=lambda name: (-scores[name], name))
            ranked = self._distinct(group[0], ranked)
            # Two places as near as each other: the typed one is neither for sure.
            if ranked and (len(ranked) == 1 or scores[ranked[1]] < scores[ranked[0]]):
                result = ranked[0], scores[ranked[0]]
        self._fuzzy_cache[key] = result
        return result

    def _distinct(self, kind: AreaKind, names: list[str]) -> list[str]:
        """`names` less those whose area has the same buildings as an earlier one's:
        a street's Russian and Kazakh names ("Джамбула Джабаева", "Жамбыл Жабаев")
        are one place."""
        kept: list[tuple[str, set[int]]] = []
        for name in names:
            buildings = set(self._areas[kind, name].houses.values())
            if not buildings or all(buildings != other for _, other in kept):
                kept.append((name, buildings))
        return [name for name, _ in kept]


def microdistrict_label(name: str) -> str:
    """"15" → "15 мкр", "самал" → "мкр. Самал"."""
    return f"{name} мкр" if name.isdigit() else f"мкр. {_capitalized(name)}"


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]
