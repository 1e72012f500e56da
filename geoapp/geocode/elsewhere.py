"""Another town, village or rural district an address names: such an address is not
in Taraz, whatever street it names."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from geoapp.geocode.address_lexer import is_plain_name
from geoapp.geocode.letters import (
    LETTERS,
    NO_LETTER_AFTER,
    fold_kazakh,
)
from geoapp.geocode.parsed_address import ParsedAddress

_L = LETTERS
_NA = NO_LETTER_AFTER

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


def elsewhere_named(text: str) -> str | None:
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
        if _is_taraz(name) or len(name) < 2 or not is_plain_name(name):
            continue
        if m["m1"] and (_AREA_BEFORE.search(text, 0, m.start())
                        or _AREA_AFTER.match(text, m.end())):
            continue  # an initial: "ул. Г. Муратбаева", "С. Сейфуллин көшесі"; "Тараз г."
        if m["n3"]:
            return f"{name.capitalize()} {m['m3']}"
        return f"{m['m1']}. {name.capitalize()}" if m["m1"] else f"{m['m2']} {name.capitalize()}"
    return None


def town_ahead(text: str, parsed: ParsedAddress) -> str | None:
    """A town of the region written bare before a comma at the head of an address
    that names its own street or microdistrict ("Мерке, ул. Пушкина 11")."""
    m = _TOWN_AHEAD.match(text)
    if (m is None or parsed.kind is None or not parsed.name
            or fold_kazakh(m["n"]) not in _TOWNS):
        return None
    return m["n"].capitalize()

