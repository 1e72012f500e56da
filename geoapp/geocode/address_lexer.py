"""The scanner of a cleaned address: markers (microdistrict, street, house), house
numbers in one canonical shape, separators (a city prefix, a flat or entrance
number), words."""

from __future__ import annotations

import re
from functools import lru_cache

from geoapp.geocode.letters import (
    LETTERS,
    MICRODISTRICT_AFTER,
    MICRODISTRICT_BEFORE,
    NO_LETTER_AFTER,
)
from geoapp.geocode.parsed_address import AreaKind

_L = LETTERS
_NA = NO_LETTER_AFTER

# One scanner reads the cleaned text into tokens. Alternatives are tried in order
# at each token start: markers (microdistrict, street, house; a city prefix or a
# flat number becomes a separator), then house-number shapes ("12 корп. 2" → "12к2",
# "15-й" → "15", "12 / 1" → "12/1", "12 а" → "12а"), then plain numbers and words.
# A letter after a number is the house letter unless it opens a marker ("15 д. 12").
_HOUSE_LETTER = (rf"(?!д\.?\s*№?\s*\d|п\.?\s*\d|к\.?\s*\d|г\.?\s*тараз|ш\s*[./]\s*а{_NA}"
                 rf"|м\s*[-/]\s*[нр]{_NA})"
                 rf"[{_L}](?![{_L}\d])")
# Words that make "Тараз" the name of a street or microdistrict ("Тараз көшесі").
_AREA_WORDS = (r"к[өо]ш|к-с|да[ңн]|ш\s*[./]\s*а|шағын|шагын|ықшам|ыкшам|мкр|микр|м-н|м/р|ул"
               r"|пр|пер|туп")
# "под." only with its dot: "5 под окнами" is house 5 "under the windows".
_PART = (r"подъезд|подьезд|под\.|этаж|эт|кіреберіс|киреберис|қабат|кабат|офис|оф|кабинет|каб"
         r"|комната|комн|ком")
# A flat's words, and the ordinal endings a part's number may carry ("2-й подъезд").
_FLAT = r"квартира|кварт|кв|пәтер|патер|пәт|әптер|п"
_ORDINAL_END = r"(?:-\s*)?(?:ый|ий|ой|й|ші|шы|інші|ыншы)?"
# After "3 подъезд", numbers that each carry their own flat or part word after them
# ("45 кв", "5 этаж 45 кв"), as the 3 does: the 3 is the entrance's, not the house
# ("12 дом 3 подъезд 45 кв"). Not so in "д.111 эт.2 кв.4", where each word leads.
_NUMBER_THEN_WORD = (rf"[\s.]*№?\s*\d+(?!\d)\s*{_ORDINAL_END}\s*(?:{_FLAT}|{_PART})"
                     rf"{_NA}\.?")
_OWN_WORD_AHEAD = rf"(?:{_NUMBER_THEN_WORD})+(?![\s.]*№?\s*\d)"
_MARKER_ALTERNATIVES = [
    rf"(?P<city>(?:г|гор|город)\.?\s*тараз[аеу]?{_NA}"
    rf"|тараз\s*(?:қаласы|қала|қ|к|г){_NA}\.?"
    rf"|жамбыл\w*\s+обл\w*\.?"
    rf"|(?:республика\s+)?(?:казахстан|қазақстан|рк){_NA}"
    rf"|^тараз\s*(?=,)"
    # "Тараз Толе би 24": the city opening the address without a comma
    rf"|^тараз[аеу]?(?=\s+[{_L}])(?!\s+(?:{_AREA_WORDS})))",
    rf"(?P<flat>(?:квартира|кварт|кв|пәтер|патер|пәт|п){_NA}\.?\s*№?\s*\d+(?:[{_L}]{_NA})?"
    rf"|\d+\s*-?\s*(?:{_FLAT}){_NA}(?![\s.]*№?\s*\d)\.?)",
    # An entrance, floor, office or room number: "3 подъезд", "этаж 5", "2-й подъезд",
    # "2 қабат", "офис 3"; never the house ("12 дом, 3 подъезд" is house 12).
    rf"(?P<part>(?:{_PART}){_NA}\.?\s*№?\s*\d+{_NA}"
    rf"|\d+\s*{_ORDINAL_END}\s*(?:{_PART}){_NA}"
    rf"(?:(?![\s.]*№?\s*\d)|(?={_OWN_WORD_AHEAD}))\.?)",
    rf"(?P<MKRS>(?:{MICRODISTRICT_AFTER})\.?)",
    rf"(?P<MKR>{MICRODISTRICT_BEFORE}\.?)",
    rf"(?P<STRS>(?:к[өо]ше\w*|к[өо]ш|к-с[іи]|да[ңн]ғ?г?ылы|даңғ|даң){_NA}\.?)",
    # A lane ("переулок") or a dead end ("тупик") is a street of its own: "пер.
    # Ермекова" is not "ул. Ермекова".
    rf"(?P<LANE>(?:переул\w*|переулк\w*|пер){_NA}\.?)",
    rf"(?P<DEADEND>(?:тупик\w*|туп){_NA}\.?)",
    rf"(?P<STR>(?:улиц\w*|ул|проспект\w*|пр-кт|пр-т|просп|пр"
    rf"|бульвар\w*|б-р|проезд|шоссе){_NA}\.?)",
    # Kazakh "үй" follows its number ("45 үй"); Russian "дом"/"д." precedes it.
    # A plot's number stands for the house where a house has none ("участок 45",
    # "45 учаскесі").
    rf"(?P<HOUSEKK>(?:үй|уй|учаске\w*){_NA}\.?)",
    rf"(?P<HOUSE>(?:дом|участок|участка){_NA}\.?|(?:д|уч)\.?\s*(?=№?\s*\d))",
]
_NUMBER_ALTERNATIVES = [
    rf"(?P<korp>(?P<kh>\d+(?:{_HOUSE_LETTER})?)\s*,?\s*(?:корпус|корп|кор|к){_NA}\.?\s*"
    rf"(?P<kn>\d+))",
    # "15-й", "15-го", "15-ом", "15-м", "15-ші": the case ending of an ordinal number
    # ("15-шші", "15-шіі", "15-і": the Kazakh ending with a letter doubled or left out)
    rf"(?P<ord>(?P<on>\d+)\s*(?:-\s*)?(?:ыншы|інші|ншы|нші|шшы|шыы|шші|шіі|шы|ші|ого|его|ому"
    rf"|ый|ий|ой|ом|ем|ым|го|й){_NA}"
    rf"|(?P<on2>\d+)\s*-\s*(?:ая|я|м|і|ы){_NA})",
    rf"(?P<slash>(?P<sa>\d+(?:{_HOUSE_LETTER})?)\s*/\s*(?P<sb>\d+))",
    rf"(?P<letter>(?P<ln>\d+)\s*-?\s*(?P<ll>{_HOUSE_LETTER}))",
    r"(?P<n>\d+)",
]
# The lookahead guards spare the engine the alternatives that cannot start here.
_LEXER = re.compile("|".join([
    r"(?P<tag><[^<>]{0,200}>)",
    r"(?=[гжтркқпшымудүбэо\d])(?:" + "|".join(_MARKER_ALTERNATIVES) + ")",
    r"(?=\d)(?:" + "|".join(_NUMBER_ALTERNATIVES) + ")",
    r"(?P<w>[^\W\d_]+)",
    # "Самал-2": a number hyphened to a word; a microdistrict's own number or a house
    rf"(?<=[{_L}])-(?P<nj>\d+)(?![\d{_L}/])",
    r"(?P<s>[,;:()\[\]|])",
]))
_SEPARATING = frozenset({"city", "flat", "part", "s"})

Token = tuple[str, str]  # (type, text): "m" marker, "s" separator, "n" number, "w" word
AREA_MARKERS: dict[str, tuple[AreaKind, bool]] = {
    # marker → (kind, whether the name usually comes before the marker)
    "MKR": ("microdistrict", False), "MKRS": ("microdistrict", True),
    "STR": ("street", False), "STRS": ("street", True), "LANE": ("street", False),
    "DEADEND": ("street", False),
}
# A lane's or dead end's name carries its kind: "пер толе би" is not "толе би".
LANE_PREFIX = "пер"
DEADEND_PREFIX = "туп"
NAME_PREFIX = {"LANE": LANE_PREFIX, "DEADEND": DEADEND_PREFIX}
NAME_STOPWORDS = frozenset({"им", "имени", "атындағы", "атындагы"})


def lex(text: str) -> list[Token]:
    tokens: list[Token] = []
    joined = False
    for m in _LEXER.finditer(text):
        kind = m.lastgroup or "w"
        if kind == "w" or kind == "n":
            tokens.append((kind, m.group()))
        elif kind in AREA_MARKERS or kind in ("HOUSE", "HOUSEKK"):
            tokens.append(("m", kind))
        elif kind in _SEPARATING:
            tokens.append(("s", ","))
        elif kind == "korp":
            tokens.append(("n", f"{m['kh']}к{m['kn']}"))
        elif kind == "ord":
            tokens.append(("n", m["on"] or m["on2"]))
        elif kind == "slash":
            tokens.append(("n", f"{m['sa']}/{m['sb']}"))
        elif kind == "letter":
            tokens.append(("n", m["ln"] + m["ll"]))
        elif kind == "nj":
            tokens.append(("nj", m["nj"]))
            joined = True
    return _attach_hyphened(tokens) if joined else tokens


def _attach_hyphened(tokens: list[Token]) -> list[Token]:
    """"мкр. Самал-2, 12": a number hyphened to a microdistrict's name and followed
    by a house number is part of the name ("самал-2"); anywhere else ("мкр. Самал-2",
    "ул. Абая-12") it is a number like any other."""
    out: list[Token] = []
    for i, (typ, text) in enumerate(tokens):
        if typ != "nj":
            out.append((typ, text))
            continue
        start = len(out)
        while start > 0 and out[start - 1][0] == "w":
            start -= 1
        named_mkr = start < len(out) and (
            (start > 0 and out[start - 1] == ("m", "MKR"))
            or (i + 1 < len(tokens) and tokens[i + 1] == ("m", "MKRS")))
        house_follows = any(t[0] in ("n", "nj") for t in tokens[i + 1:])
        if named_mkr and house_follows:
            out[-1] = ("w", f"{out[-1][1]}-{text}")
        else:
            out.append(("n", text))
    return out


@lru_cache(maxsize=65536)
def is_plain_name(name: str) -> bool:
    """Whether the full parser would read `name` as just these words."""
    words = name.split()
    return [t for _, t in lex(name)] == words and NAME_STOPWORDS.isdisjoint(words)

