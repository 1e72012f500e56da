"""Reads an address's tokens (address_lexer): the areas it names (marker and name),
then its house number; two streets without a house are their intersection."""

from __future__ import annotations

from geoapp.geocode.address_lexer import (
    AREA_MARKERS,
    NAME_PREFIX,
    NAME_STOPWORDS,
    Token,
    lex,
)
from geoapp.geocode.parsed_address import AreaKind, ParsedAddress


def crossing(sides: list[str]) -> ParsedAddress | None:
    """Two streets, neither with a house: the intersection of the first with the
    second, in the microdistrict named before them if one is. A street "at the
    corner of" a microdistrict is that street in it."""
    parts = [full_parse(side) for side in sides]
    if any(p.house is not None or not p.name or sum(ch.isalpha() for ch in p.name) < 2
           for p in parts):
        return None
    districts = [p for p in parts if p.kind == "microdistrict"]
    streets = [p for p in parts if p.kind != "microdistrict"]
    if len(parts) == 3 and parts[0].kind != "microdistrict":
        return None
    if len(streets) == 2:
        first, second = streets
        place = districts[0].name if districts else first.microdistrict or second.microdistrict
        return ParsedAddress("street", first.name, None, place, cross=second.name)
    if len(streets) == 1 and len(districts) == 1:
        return ParsedAddress("street", streets[0].name, None, districts[0].name)
    return None


def full_parse(text: str) -> ParsedAddress:
    return _Parser(lex(text)).parse()


def _is_int(token: Token) -> bool:
    return token[0] == "n" and token[1].isdigit()


def canonical_house(text: str) -> str:
    stripped = text.lstrip("0")
    return stripped if stripped[:1].isdigit() else "0" + stripped


class _Parser:
    """Reads the token stream: areas (marker + name), then the house number."""

    def __init__(self, tokens: list[Token]) -> None:
        self.toks = tokens
        self.used = [False] * len(tokens)

    def parse(self) -> ParsedAddress:
        areas = self._areas()
        house_at = self._house_index(areas)
        house = canonical_house(self.toks[house_at][1]) if house_at is not None else None
        named = [a for a in areas if a[1]]
        if named:
            kind, name, _ = self._pick_area(named, house_at)
            district = next((a[1] for a in named if a[0] == "microdistrict"), None)
            return ParsedAddress(kind, name, house,
                                 district if kind == "street" else None)
        if areas:  # a marker without a name ("ул., 12")
            return ParsedAddress(areas[0][0], None, house)
        return ParsedAddress(None, self._bare_name(house_at), house)

    # -- areas -----------------------------------------------------------------

    def _areas(self) -> list[tuple[AreaKind, str | None, int]]:
        """(kind, name, end index of the name) for each area marker."""
        found: list[tuple[AreaKind, str | None, int]] = []
        for p, (typ, text) in enumerate(self.toks):
            if typ != "m" or text not in AREA_MARKERS:
                continue
            kind, suffix_first = AREA_MARKERS[text]
            before = self._span_before(p, kind)
            after, after_words = self._span_after(p, kind)
            if suffix_first:
                span = before or after
            else:
                span = after if after and after_words else (before or after)
            if span is None:
                found.append((kind, None, p + 1))
                continue
            start, end = span
            for i in range(start, end):
                self.used[i] = True
            name = self._name(start, end)
            if text in NAME_PREFIX and name:
                name = f"{NAME_PREFIX[text]} {name}"
            found.append((kind, name, max(end, p + 1)))
        return found

    def _free(self, i: int, typ: str) -> bool:
        return 0 <= i < len(self.toks) and self.toks[i][0] == typ and not self.used[i]

    def _span_before(self, p: int, kind: AreaKind) -> tuple[int, int] | None:
        s = p
        while self._free(s - 1, "w"):
            s -= 1
        if s < p:
            # "8 Марта көшесі": a number opening the segment belongs to the name.
            if (kind == "street" and s >= 1 and _is_int(self.toks[s - 1])
                    and not self.used[s - 1] and (s == 1 or self.toks[s - 2][0] == "s")):
                s -= 1
            return s, p
        if (kind == "microdistrict" and p >= 1 and _is_int(self.toks[p - 1])
                and not self.used[p - 1] and not self._house_number_at(p - 1)):
            return p - 1, p
        return None

    def _house_number_at(self, i: int) -> bool:
        """Whether the number at `i` is the one a house marker before it announces:
        "д. 15 мкр" (15 is the house), but not "12 дом 15 мкр", where the marker
        follows its own number, as in "12 үй"."""
        if i < 1 or self.toks[i - 1][1] not in ("HOUSE", "HOUSEKK"):
            return False
        return not (i >= 2 and _is_int(self.toks[i - 2]) and not self.used[i - 2])

    def _span_after(self, p: int, kind: AreaKind) -> tuple[tuple[int, int] | None, bool]:
        q = p + 1
        e = q
        while self._free(e, "w"):
            e += 1
        if e > q:
            return (q, e), True
        if q < len(self.toks) and _is_int(self.toks[q]) and not self.used[q]:
            if kind == "microdistrict":
                return (q, q + 1), False
            e = q + 1
            while self._free(e, "w"):
                e += 1
            if e > q + 1:  # "ул. 8 Марта"
                return (q, e), True
        return None, False

    def _name(self, start: int, end: int) -> str | None:
        words = [
            str(int(t)) if t.isdigit() else t
            for typ, t in self.toks[start:end]
            if typ in "nw" and t not in NAME_STOPWORDS
        ]
        if len(words) > 1:  # drop initials: "ул. Т. Рыскулова"
            words = [w for w in words if len(w) > 1 or w.isdigit()] or words
        return " ".join(words) or None

    @staticmethod
    def _pick_area(
        named: list[tuple[AreaKind, str | None, int]], house_at: int | None
    ) -> tuple[AreaKind, str | None, int]:
        """The area named nearest before the house number; with no house, a street
        named besides a microdistrict ("мкр. Самал, ул. Абая"); else the first one."""
        if house_at is not None:
            before = [a for a in named if a[2] <= house_at]
            if before:
                return before[-1]
        elif any(a[0] == "microdistrict" for a in named):
            streets = [a for a in named if a[0] == "street"]
            if streets:
                return streets[0]
        return named[0]

    # -- house -----------------------------------------------------------------

    def _house_index(self, areas: list[tuple[AreaKind, str | None, int]]) -> int | None:
        toks = self.toks
        for i, (typ, text) in enumerate(toks):
            if typ == "m" and text in ("HOUSE", "HOUSEKK"):
                if text == "HOUSEKK" and self._free(i - 1, "n"):  # Kazakh order: "45 үй"
                    return i - 1
                if self._free(i + 1, "n"):
                    return i + 1
                if self._free(i - 1, "n") and i + 1 < len(toks) and toks[i + 1][0] == "s":
                    return i - 1  # "57 дом, 3 подъезд"
                j = i + 1
                while j < len(toks) and (toks[j][0] == "s" or toks[j][1] in ("HOUSE",
                                                                            "HOUSEKK")):
                    j += 1
                if self._free(j, "n"):
                    return j
                if self._free(i - 1, "n"):
                    return i - 1
        first_area_end = min((a[2] for a in areas), default=0)
        free = [i for i, t in enumerate(toks) if t[0] == "n" and not self.used[i]]
        after = [i for i in free if i >= first_area_end]
        return (after or free or [None])[0]

    # -- no marker ---------------------------------------------------------------

    def _bare_name(self, house_at: int | None) -> str | None:
        """With no marker, the words just before the house number ("Толе би 45"),
        else the first run of words."""
        runs: list[tuple[int, int]] = []
        i, n = 0, len(self.toks)
        while i < n:
            if self._free(i, "w"):
                j = i
                while self._free(j, "w"):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        if not runs:
            return None
        if house_at is not None:
            for start, end in reversed(runs):
                if end == house_at:
                    return self._name(start, end)
        return self._name(*runs[0])
