"""Parse operator-typed Taraz addresses (Russian or Kazakh) into comparable parts.

The pipeline: clean the text (Unicode, Latin look-alikes, case, ё); scan it into
tokens, where the known markers (microdistrict, street, house) become marker
tokens, a city prefix or a flat number becomes a separator and house numbers take
one canonical shape; then read the areas and the house from the token stream.
Register addresses in their canonical shape skip the scanner (`_fast_parse`).
Names keep their Kazakh letters; `match_key` folds them (and Russian genitive
endings) so that "ул. Толе би" and "Төле би көшесі" meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import OSA

from geoapp.geocode.crossing import crossing_sides
from geoapp.geocode.latin import CYRILLIC, as_cyrillic
from geoapp.geocode.letters import (
    LETTERS,
    MICRODISTRICT_AFTER,
    MICRODISTRICT_BEFORE,
    NO_LETTER_AFTER,
    fold_kazakh,
)
from geoapp.geocode.ordinals import ordinal_words_to_digits
from geoapp.geocode.part_slips import entrance_word_read

AreaKind = Literal["microdistrict", "street"]

# Longer input is cut: no real address is this long, and the cut bounds the work
# done on garbage (a pasted complaint text, a 20 kB field).
MAX_ADDRESS_CHARS = 300

_L = LETTERS
_NA = NO_LETTER_AFTER

# Latin letters that look like (or are typed for) Cyrillic ones. Case matters:
# "H" is Н but "h" is Kazakh һ; "i" is Kazakh і; "b" stands for б.
_LOOKALIKES = str.maketrans({
    "A": "А", "a": "а", "B": "В", "b": "б", "C": "С", "c": "с", "E": "Е", "e": "е",
    "H": "Н", "h": "һ", "I": "І", "i": "і", "K": "К", "k": "к", "M": "М", "m": "м",
    "O": "О", "o": "о", "P": "Р", "p": "р", "T": "Т", "t": "т", "X": "Х", "x": "х",
    "Y": "У", "y": "у",
})
_LATIN = re.compile(r"[A-Za-z]")
_ALNUM_RUN = re.compile(r"[^\W_]+")
_ONLY_LOOKALIKES = re.compile(r"[AaBbCcEeHhIiKkMmOoPpTtXxYy]+")

def fix_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters inside Cyrillic words and, in a text that has
    Cyrillic, in numbers ("12a") and words made only of look-alikes ("mkp")."""
    if not _LATIN.search(text):
        return text
    if not CYRILLIC.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        if not _LATIN.search(word):
            return word
        if (CYRILLIC.search(word) or word[0].isdigit()
                or _ONLY_LOOKALIKES.fullmatch(word)):
            return word.translate(_LOOKALIKES)
        return word

    return _ALNUM_RUN.sub(fix, text)


def clean_text(raw: str) -> str:
    """NFC, Latin look-alikes fixed, lower case, ё → е."""
    text = unicodedata.normalize("NFC", raw)
    return fix_lookalikes(text).lower().replace("ё", "е")


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
_AREA_MARKERS: dict[str, tuple[AreaKind, bool]] = {
    # marker → (kind, whether the name usually comes before the marker)
    "MKR": ("microdistrict", False), "MKRS": ("microdistrict", True),
    "STR": ("street", False), "STRS": ("street", True), "LANE": ("street", False),
    "DEADEND": ("street", False),
}
# A lane's or dead end's name carries its kind: "пер толе би" is not "толе би".
LANE_PREFIX = "пер"
DEADEND_PREFIX = "туп"
_NAME_PREFIX = {"LANE": LANE_PREFIX, "DEADEND": DEADEND_PREFIX}
_NAME_STOPWORDS = frozenset({"им", "имени", "атындағы", "атындагы"})
# Where an operator wrote "opposite the house at …", "near …": the place, not the name.
_LOCATION_WORDS = re.compile(
    r"\b(?:напротив|около|возле|рядом\s+с|рядом|вблизи|в\s+районе|район|во\s+дворе"
    r"|за\s+домом|у\s+дома|жанында|қарсы)(?:\s+дома)?\b")
# A cadastral number ("06:097:012:345", also typed with spaces around the colons) is
# not a house number; it names a parcel (`cadastral_number`).
# Colons, as the contract writes it, or hyphens, as some registers print it.
_CADASTRAL_NUMBER = (r"(?<![\d:\-])(\d{2})\s*([:\-])\s*(\d{3})\s*\2\s*(\d{3})\s*\2\s*"
                     r"(\d{3,4})(?![\d:\-])")
_CADASTRAL_FOUND = re.compile(_CADASTRAL_NUMBER)
_CADASTRAL = re.compile(rf"{_CADASTRAL_NUMBER}\s*(?:учаскесі|участок)?")


# A cadastral number written as text with other separators, or none: its parts are
# unambiguous (2, 3, 3 and 3 or 4 digits).
_CADASTRAL_FORMS = (
    re.compile(r"(\d{2})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3,4})"),
    re.compile(r"(\d{2})(\d{3})(\d{3})(\d{3,4})"),
)
_NUMBER_PART_SEPARATOR = re.compile(r"\s*[:.\-/ ]\s*")


def cadastral_form(text: str) -> str:
    """`text` in the contract's form `06:097:012:345` when it is a cadastral number
    written otherwise (`06-097-012-345`, `06 : 097 : 012 : 345`, `06097012345`), or a
    part of one written with other separators (`06-097`); else `text` as it is."""
    for form in _CADASTRAL_FORMS:
        if parts := form.fullmatch(text):
            return ":".join(parts.groups())
    if re.fullmatch(r"\d+(?:\s*[:.\-/ ]\s*\d+)+", text):
        return _NUMBER_PART_SEPARATOR.sub(":", text)
    return text


def cadastral_number(text: str) -> str | None:
    """The first cadastral number in `text`, in the contract's form, or None."""
    m = _CADASTRAL_FOUND.search(text)
    return ":".join(m.group(1, 3, 4, 5)) if m else None
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


def normalize_address(raw: str) -> ParsedAddress:
    """Parse an address such as "г. Тараз, мкр. Жайлау, д. 12, кв. 5"."""
    if not isinstance(raw, str):
        raise TypeError(f"address must be str, not {type(raw).__name__}")
    return _normalize(raw[:MAX_ADDRESS_CHARS])


# The register's own shapes ("мкр. Жайлау, 12", "15 мкр, 7", "ул. Толе би, 45А") read
# by one regex; anything else (or a name holding a marker word) takes the full path.
_FAST = re.compile(
    rf"(?:(?P<pre>мкр|ул|пр)(?:\. ?| )"
    rf"(?P<name>[{_L}]{{2,}}(?: [{_L}]{{2,}})*|\d+)|(?P<num>\d+) мкр\.?)"
    rf"(?: ?, ?(?P<house>\d+(?:[{_L}]|/\d+)?))?"
)
_FAST_KIND: dict[str, AreaKind] = {"мкр": "microdistrict", "ул": "street", "пр": "street"}


def _fast_parse(text: str) -> ParsedAddress | None:
    m = _FAST.fullmatch(text)
    if m is None:
        return None
    house = _canonical_house(m["house"]) if m["house"] else None
    if m["num"]:
        return ParsedAddress("microdistrict", str(int(m["num"])), house)
    kind = _FAST_KIND[m["pre"]]
    name = m["name"]
    if name[0].isdigit():
        if kind != "microdistrict":
            return None
        return ParsedAddress(kind, str(int(name)), house)
    if not _is_plain_name(name):
        return None  # a marker word inside the name: let the full parser decide
    return ParsedAddress(kind, name, house)


@lru_cache(maxsize=65536)
def _is_plain_name(name: str) -> bool:
    """Whether the full parser would read `name` as just these words."""
    words = name.split()
    return [t for _, t in _lex(name)] == words and _NAME_STOPWORDS.isdisjoint(words)


@lru_cache(maxsize=16384)
def _normalize(raw: str) -> ParsedAddress:
    text = ordinal_words_to_digits(clean_text(as_cyrillic(raw)).strip())
    elsewhere = _elsewhere(text)
    text = _POSTCODE.sub(" ", _CADASTRAL.sub(" ", text))
    if _INSTITUTION_HINTS.search(text):
        text = _INSTITUTION.sub(",", text)
    text = _LOCATION_WORDS.sub(" ", _house_forms(entrance_word_read(text))).strip(" ,")
    parsed = _fast_parse(text) or _full_parse(text)
    if parsed.house is None and (sides := crossing_sides(text)):
        parsed = _crossing(sides) or parsed
    if elsewhere is None:
        elsewhere = _town_ahead(text, parsed)
    return replace(parsed, elsewhere=elsewhere) if elsewhere else parsed


# A house letter written apart: "14"а"", "14«А»", "14 литер А", "108/А", "97, а"; a
# backslash typed for the slash ("12\1"). Each rewrite runs only on a text holding
# one of its hints: they run on every address an import reads.
_QUOTES = "\"'«»“”„"
_HOUSE_FORMS: list[tuple[re.Pattern[str], re.Pattern[str], str]] = [
    (re.compile("лит"),
     re.compile(rf"(\d)\s*,?\s*(?:литер[аы]?|лит)\.?\s*([{_L}])(?![{_L}\d])"), r"\1\2"),
    (re.compile(f"[{_QUOTES}]"),
     re.compile(rf"(\d)\s*[{_QUOTES}]\s*([{_L}])\s*[{_QUOTES}]?(?![{_L}\d])"), r"\1\2"),
    (re.compile("/"), re.compile(rf"(\d)\s*/\s*([{_L}])(?![{_L}\d/.])"), r"\1\2"),
    (re.compile(","), re.compile(rf"(\d)\s*,\s*([{_L}])\s*(?=$|[,;])"), r"\1\2"),
    (re.compile(r"\\"), re.compile(r"(\d)\s*\\\s*(\d)"), r"\1/\2"),
]


def _house_forms(text: str) -> str:
    for hint, pattern, repl in _HOUSE_FORMS:
        if hint.search(text):
            text = pattern.sub(repl, text)
    return text


# A postcode ("080012") is not a house number.
_POSTCODE = re.compile(r"(?<![\d:/-])\d{6}(?![\d:/-])")
# An institution's number ("СОШ №24", "детсад №5", "№12 мектеп") is not a house number.
_INSTITUTION_RU = (r"школа-гимназия|школа-лицей|школ[аы]|шк|сош|сш|мсш|гимнази[яи]|лице[йя]"
                   r"|детсад[а]?|детский\s+сад|д/с|ясли-сад|ясли|сад|больниц[аы]|поликлиник[аи]"
                   r"|роддом|колледж|магазин|аптека")
_INSTITUTION_KK = r"мектеп\w*|балабақша\w*|емхана\w*|аурухана\w*|гимназия\w*|колледж\w*"
_INSTITUTION_HINTS = re.compile(
    "шк|сош|сш|гимн|лице|сад|д/с|ясли|больн|поликл|роддом|колледж|магазин|аптек|мектеп"
    "|балабақ|емхан|аурухан")
_INSTITUTION = re.compile(
    rf"(?<![{_L}])(?:{_INSTITUTION_RU}){_NA}\.?\s*(?:№|#|n)?\s*\d+(?:[{_L}]{_NA})?"
    rf"|№?\s*(?<![\d/])\d+\s*-?\s*(?:{_INSTITUTION_KK})")

# Another town, village or rural district of the region (or any other place): the
# address is not in Taraz. Taraz's own names are not "elsewhere".
_TARAZ_NAMES = re.compile(r"тараз\w*|джамбул\w*|жамбыл\w*|[аә]улие-?ата\w*")
_TARAZ_SPELLINGS = ("тараз", "тараза", "жамбыл", "жамбыла", "джамбул", "джамбула",
                    "аулиеата", "аулие-ата")
_PLACE = rf"[{_L}]+(?:-[{_L}]+)?"
_ELSEWHERE = re.compile(
    rf"(?<![{_L}])(?P<m1>г|с|п|пос|ст)\.\s*(?P<n1>{_PLACE})"
    rf"|(?<![{_L}])(?P<m2>город|село|ауыл|аул|поселок|кент|станция)\s+(?P<n2>{_PLACE})"
    rf"|(?<![{_L}])(?P<n3>{_PLACE})\s+(?P<m3>қаласы|қ\.|ауылы|кенті|селосы){_NA}"
    rf"|(?<![{_L}])(?P<d1>[{_L}]+(?:ский|цкий|ского|цкого))\s+(?:район\w*|р-н|р-на)(?![{_L}])"
    rf"|(?<![{_L}])(?P<d2>[{_L}]+)\s+(?:ауданы|ауд\.)")
# A street or microdistrict marker (or Taraz) just before "г."/"с."/"п.", or one just
# after the name that follows: the letter is an initial of the name, or Taraz's "г.".
_AREA_BEFORE = re.compile(
    rf"(?<![{_L}])(?:ул|улица|пр|пр-т|просп|проспект|пер|переулок|туп|тупик|мкр|мкрн"
    rf"|микрорайон|м-н|б-р|бульвар|тараз[аеу]?)\.?\s*$")
_AREA_AFTER = re.compile(r"\s*(?:к[өо]ш|к-с|да[ңн]|ш\s*[./]\s*а|шағын|шагын|ықшам|ыкшам)")
_ELSEWHERE_HINTS = re.compile(
    r"[гсп]\.|город|ст\.|село|аул|ауыл|посел|кент|станц|қаласы|қ\.|кенті|район|р-н|ауд")
# The region's rural districts in Kazakh ("Байзақ ауданы"); "X ауданы" alone may be a
# microdistrict typed without "шағын", so only these count.
_DISTRICTS_KK = frozenset(map(fold_kazakh, (
    "байзақ", "жамбыл", "жуалы", "қордай", "меркі", "мерке", "мойынқұм", "сарысу", "талас",
    "шу", "рысқұлов")))
# Towns and district centres of the region written bare at the head of an address
# ("Мерке, ул. Пушкина 11"); none is the name of a street or microdistrict of Taraz.
_TOWNS = frozenset(map(fold_kazakh, (
    "мерке", "меркі", "шу", "қордай", "жаңатас", "сарыкемер", "мойынқұм", "құлан")))
_TOWN_AHEAD = re.compile(rf"(?P<n>[{_L}]+)\s*,")


def _is_taraz(name: str) -> bool:
    """Taraz under one of its names, or mistyped by one letter ("Тарраз", "Траз")."""
    if _TARAZ_NAMES.fullmatch(name):
        return True
    folded = fold_kazakh(name)
    return any(OSA.distance(folded, spelling, score_cutoff=1) <= 1
               for spelling in _TARAZ_SPELLINGS)


def _elsewhere(text: str) -> str | None:
    """The other locality the address names with a marker ("с. Сарыкемер", "г. Шу",
    "Байзакский район", "Шу қаласы"), or None."""
    if not _ELSEWHERE_HINTS.search(text):
        return None
    for m in _ELSEWHERE.finditer(text):
        if m["d1"]:
            return f"{m['d1'].capitalize()} район"
        if m["d2"]:
            if fold_kazakh(m["d2"]) in _DISTRICTS_KK:
                return f"{m['d2'].capitalize()} ауданы"
            continue
        name = m["n1"] or m["n2"] or m["n3"]
        if _is_taraz(name) or len(name) < 2 or not _is_plain_name(name):
            continue
        if m["m1"] and (_AREA_BEFORE.search(text, 0, m.start())
                        or _AREA_AFTER.match(text, m.end())):
            continue  # an initial: "ул. Г. Муратбаева", "С. Сейфуллин көшесі"; "Тараз г."
        if m["n3"]:
            return f"{name.capitalize()} {m['m3']}"
        return f"{m['m1']}. {name.capitalize()}" if m["m1"] else f"{m['m2']} {name.capitalize()}"
    return None


def _town_ahead(text: str, parsed: ParsedAddress) -> str | None:
    """A town of the region written bare before a comma at the head of an address
    that names its own street or microdistrict ("Мерке, ул. Пушкина 11")."""
    m = _TOWN_AHEAD.match(text)
    if (m is None or parsed.kind is None or not parsed.name
            or fold_kazakh(m["n"]) not in _TOWNS):
        return None
    return m["n"].capitalize()


def _crossing(sides: list[str]) -> ParsedAddress | None:
    """Two streets, neither with a house: the intersection of the first with the
    second, in the microdistrict named before them if one is. A street "at the
    corner of" a microdistrict is that street in it."""
    parts = [_full_parse(side) for side in sides]
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


def _full_parse(text: str) -> ParsedAddress:
    return _Parser(_lex(text)).parse()


def _lex(text: str) -> list[Token]:
    tokens: list[Token] = []
    joined = False
    for m in _LEXER.finditer(text):
        kind = m.lastgroup or "w"
        if kind == "w" or kind == "n":
            tokens.append((kind, m.group()))
        elif kind in _AREA_MARKERS or kind in ("HOUSE", "HOUSEKK"):
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


def _is_int(token: Token) -> bool:
    return token[0] == "n" and token[1].isdigit()


def _canonical_house(text: str) -> str:
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
        house = _canonical_house(self.toks[house_at][1]) if house_at is not None else None
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
            if typ != "m" or text not in _AREA_MARKERS:
                continue
            kind, suffix_first = _AREA_MARKERS[text]
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
            if text in _NAME_PREFIX and name:
                name = f"{_NAME_PREFIX[text]} {name}"
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
            if typ in "nw" and t not in _NAME_STOPWORDS
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
