"""Parse operator-typed Taraz addresses (Russian or Kazakh) into comparable parts.

The pipeline: clean the text (Unicode, Latin look-alikes, case, ё); set aside
what is not the address (another town: elsewhere; a cadastral number: cadastral;
a postcode, an institution's number, "opposite", a house letter written apart);
scan it into tokens, where the known markers (microdistrict, street, house) become
marker tokens, a city prefix or a flat number becomes a separator and house numbers
take one canonical shape (address_lexer); then read the areas and the house from
the token stream (address_parser). Register addresses in their canonical shape skip
the scanner (`_fast_parse`). Names keep their Kazakh letters; `match_key`
(parsed_address) folds them (and Russian genitive endings) so that "ул. Толе би"
and "Төле би көшесі" meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from geoapp.geocode.address_lexer import is_plain_name
from geoapp.geocode.address_parser import canonical_house, crossing, full_parse
from geoapp.geocode.cadastral import CADASTRAL_MENTION
from geoapp.geocode.crossing import crossing_sides
from geoapp.geocode.elsewhere import elsewhere_named, town_ahead
from geoapp.geocode.latin import CYRILLIC, as_cyrillic
from geoapp.geocode.letters import (
    LETTERS,
    NO_LETTER_AFTER,
)
from geoapp.geocode.ordinals import ordinal_words_to_digits
from geoapp.geocode.parsed_address import AreaKind, ParsedAddress
from geoapp.geocode.part_slips import entrance_word_read

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


# Where an operator wrote "opposite the house at …", "near …": the place, not the name.
_LOCATION_WORDS = re.compile(
    r"\b(?:напротив|около|возле|рядом\s+с|рядом|вблизи|в\s+районе|район|во\s+дворе"
    r"|за\s+домом|у\s+дома|жанында|қарсы)(?:\s+дома)?\b")


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
    house = canonical_house(m["house"]) if m["house"] else None
    if m["num"]:
        return ParsedAddress("microdistrict", str(int(m["num"])), house)
    kind = _FAST_KIND[m["pre"]]
    name = m["name"]
    if name[0].isdigit():
        if kind != "microdistrict":
            return None
        return ParsedAddress(kind, str(int(name)), house)
    if not is_plain_name(name):
        return None  # a marker word inside the name: let the full parser decide
    return ParsedAddress(kind, name, house)


@lru_cache(maxsize=16384)
def _normalize(raw: str) -> ParsedAddress:
    text = ordinal_words_to_digits(clean_text(as_cyrillic(raw)).strip())
    elsewhere = elsewhere_named(text)
    text = _POSTCODE.sub(" ", CADASTRAL_MENTION.sub(" ", text))
    if _INSTITUTION_HINTS.search(text):
        text = _INSTITUTION.sub(",", text)
    text = _LOCATION_WORDS.sub(" ", _house_forms(entrance_word_read(text))).strip(" ,")
    parsed = _fast_parse(text) or full_parse(text)
    if parsed.house is None and (sides := crossing_sides(text)):
        parsed = crossing(sides) or parsed
    if elsewhere is None:
        elsewhere = town_ahead(text, parsed)
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
