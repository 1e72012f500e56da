"""Microdistrict numbers written as words: "пятнадцатый микрорайон", "мкр. Двадцать
первый", "он бесінші шағын аудан" read as "15 микрорайон", "мкр. 21", "15 шағын аудан".

Only a word beside a microdistrict marker is rewritten, so a street or a name that
happens to be an ordinal ("ул. Первая", "Третий переулок") keeps its words.
"""

from __future__ import annotations

import re

from geoapp.geocode.letters import (
    KAZAKH_TO_RUSSIAN,
    LETTERS,
    MICRODISTRICT_AFTER,
    MICRODISTRICT_BEFORE,
    fold_kazakh,
)

# Russian ordinal stems; the ending carries the case ("пятнадцатого", "пятом").
_RU_ORDINAL_STEMS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7,
    "восьм": 8, "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12,
    "тринадцат": 13, "четырнадцат": 14, "пятнадцат": 15, "шестнадцат": 16,
    "семнадцат": 17, "восемнадцат": 18, "девятнадцат": 19, "двадцат": 20, "тридцат": 30,
    "сороков": 40, "пятидесят": 50, "шестидесят": 60, "семидесят": 70,
    "восьмидесят": 80, "девяност": 90,
}
_COMMON_RU_ENDINGS = ("ый", "ий", "ой", "ого", "ом")
_RU_ENDINGS = ("ьего", "ьему", "ого", "ому", "ьем", "ьим", "ий", "ый", "ой", "ом", "ым",
               "ая", "ое", "ую")
# "двадцать первый": a cardinal ten before the ordinal unit.
_RU_TENS = {"двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
            "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90}
# Kazakh, written with Kazakh letters or with their Russian look-alikes ("бесинши").
_KK_ORDINALS = {
    "бірінші": 1, "екінші": 2, "үшінші": 3, "төртінші": 4, "бесінші": 5, "алтыншы": 6,
    "жетінші": 7, "сегізінші": 8, "тоғызыншы": 9, "оныншы": 10, "жиырмасыншы": 20,
    "отызыншы": 30, "қырқыншы": 40, "елуінші": 50,
}
_KK_TENS = {"он": 10, "жиырма": 20, "отыз": 30, "қырық": 40, "елу": 50, "алпыс": 60,
            "жетпіс": 70, "сексен": 80, "тоқсан": 90}
_KAZAKH_OR_RUSSIAN = {kk: f"[{kk}{ru}]" for kk, ru in KAZAKH_TO_RUSSIAN.items()}


def ordinal_words(min_letters: int) -> tuple[str, ...]:
    """The ordinal words of at least `min_letters` letters in the forms typed most
    ("пятнадцатый", "пятнадцатого", "бесінші"), for reading one mistyped."""
    russian = [stem + ending for stem in _RU_ORDINAL_STEMS for ending in _COMMON_RU_ENDINGS]
    return tuple(w for w in (*russian, *_KK_ORDINALS) if len(w) >= min_letters)


def _either_script(word: str) -> str:
    return "".join(_KAZAKH_OR_RUSSIAN.get(c, c) for c in word)


def _alternatives(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ORDINAL = (
    rf"(?:(?P<rt>{_alternatives(list(_RU_TENS))})\s+)?"
    rf"(?P<rs>{_alternatives(list(_RU_ORDINAL_STEMS))})(?:{'|'.join(_RU_ENDINGS)})"
    rf"|(?:(?P<kt>{_alternatives([_either_script(w) for w in _KK_TENS])})\s+)?"
    rf"(?P<ko>{_alternatives([_either_script(w) for w in _KK_ORDINALS])})"
)
_MARKER = f"{MICRODISTRICT_BEFORE}|{MICRODISTRICT_AFTER}"
_BEFORE_MARKER = re.compile(rf"(?<![{LETTERS}\d-])(?:{_ORDINAL})(?=[\s,.]*(?:{_MARKER}))")
_AFTER_MARKER = re.compile(rf"(?P<m>(?:{_MARKER})\.?\s*)(?:{_ORDINAL})(?![{LETTERS}\d])")
_HINT = re.compile(r"перв|втор|трет|четв|пят|шест|седьм|восьм|девят|десят|надцат|двадцат"
                   r"|тридцат|сорок|девяност|нш[іи]|ншы")
_KK_VALUE = {fold_kazakh(w): n for w, n in _KK_ORDINALS.items()}
_KK_TEN_VALUE = {fold_kazakh(w): n for w, n in _KK_TENS.items()}


def _number(m: re.Match[str]) -> int:
    if m["rs"]:
        return _RU_TENS.get(m["rt"] or "", 0) + _RU_ORDINAL_STEMS[m["rs"]]
    return (_KK_TEN_VALUE.get(fold_kazakh(m["kt"] or ""), 0)
            + _KK_VALUE[fold_kazakh(m["ko"])])


def _before(m: re.Match[str]) -> str:
    return str(_number(m))


def _after(m: re.Match[str]) -> str:
    return f"{m['m']}{_number(m)}"


def ordinal_words_to_digits(text: str) -> str:
    """Rewrite a microdistrict's ordinal number word in cleaned (lower-case) text."""
    if not _HINT.search(text):
        return text
    return _AFTER_MARKER.sub(_after, _BEFORE_MARKER.sub(_before, text))
