"""Categorise complaint texts (Russian or Kazakh) by weighted keyword stems, and map a
source's own category labels onto taxonomy codes.

Texts and patterns are compared in one folded form (lower case, ё → е, Latin
look-alikes fixed, Kazakh letters folded to Russian look-alikes, a run of one letter
read as one), so a Kazakh text typed without Kazakh letters ("жылу жок") still
matches "жылу жоқ", and "жжол" matches "жол". Single-stem patterns also match words
one typo away ("атопление").
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from rapidfuzz import fuzz

from geoapp.geocode.latin import as_cyrillic
from geoapp.geocode.letters import fold_kazakh, single_letters
from geoapp.geocode.normalize import clean_text
from geoapp.taxonomy import CATEGORIES, CATEGORY_BY_CODE, CATEGORY_GROUPS

OTHER = "other"
OTHER_CONFIDENCE = 0.1
MAX_TEXT_CHARS = 5000
TYPO_MIN_STEM = 6  # shorter stems are too easily one typo away from another word
TYPO_CUTOFF = 80.0  # rapidfuzz ratio: one edit in a 6-letter stem is 83
TYPO_FACTOR = 0.7  # a typo match counts less than an exact one

# code → (regex fragment, weight). Fragments are written in natural Russian/Kazakh
# and folded at compile time; each is anchored at a word start. Weight 4-5: the
# word names the category; 2-3: typical of it; 1-1.5: a hint.
RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "housing_utilities.heating": (
        (r"отоплен\w*", 4), (r"отопит\w*", 3), (r"батаре\w*", 4), (r"радиатор\w*", 3),
        (r"теплоснаб\w*", 4), (r"теплосет\w*", 3), (r"теплов\w* сет\w*", 3),
        (r"теплотрасс\w*", 3), (r"котельн\w*", 2), (r"холодно\b", 2.5),
        (r"холодн\w* в (?:квартир|доме|дому|комнат|подъезд)\w*", 3),
        (r"не гре(?:ет|ют)\b", 3), (r"(?:труб|стояк)\w* холодн\w*", 2.5),
        (r"мерзн\w*|замерза\w*", 1.5), (r"температур\w*", 1),
        (r"жылу\w*", 4), (r"жылыт\w*", 4),
        (r"(?:үй|пәтер|бөлме)\w* суық", 3), (r"суық (?:үй|пәтер|бөлме)\w*", 3),
    ),
    "housing_utilities.hot_water": (
        (r"горяч\w* вод\w*", 5), (r"гвс\b", 4), (r"горяч\w* водоснаб\w*", 5),
        (r"нет горяч\w*", 3), (r"бойлер\w*", 1.5), (r"ыстық су\w*", 5),
    ),
    "housing_utilities.cold_water": (
        (r"холодн\w* вод\w*", 5), (r"водоснаб\w*", 2), (r"водопровод\w*", 2.5),
        (r"водоканал\w*", 2.5), (r"питьев\w*", 2.5), (r"напор\w*", 1.5),
        (r"(?:нет|отсутству\w*|отключ\w*|не подают|не поступает|перебо\w* с) вод\w*", 3),
        (r"вод\w* (?:нет|отсутству\w*|отключ\w*|не подают)", 3),
        (r"давлени\w* вод\w*", 2.5), (r"колонк\w*", 1), (r"кран\w*", 1),
        (r"(?:ржав|мутн|грязн|желт)\w* вод\w*|вод\w* (?:ржав|мутн|грязн|желт)\w*", 3),
        (r"вод\w* (?:в|из) кран\w*", 2), (r"су(?:ы|ды|дың|ға|да)?\b", 1.5),
        (r"су лас\w*|лас су\w*", 3),
        (r"суық су\w*", 5), (r"ауыз су\w*", 4), (r"сумен жабдықта\w*", 3),
        (r"(?<!ыстық )су (?:жоқ|берілмей\w*|келмей\w*|өшір\w*|қысым\w*)", 3),
        (r"су құбыр\w*", 2.5),
        (r"вод\w* (?:\w+ )?(?:ржав|мутн|грязн|желт|с запах)\w*", 4),
    ),
    "housing_utilities.sewage": (
        (r"канализ\w*", 5), (r"сточн\w*", 2.5), (r"засор\w*", 2.5), (r"септик\w*", 2.5),
        (r"выгребн\w*", 3), (r"фекал\w*", 3), (r"нечистот\w*", 3),
        (r"затоп\w* подвал\w*|подвал\w* затоп\w*", 2.5), (r"вон(?:ь|яет|ючк)\w*", 1),
        (r"кәріз\w*", 5), (r"ағынды су\w*", 4), (r"жертөле\w*", 1.5), (r"сасық иіс\w*", 1),
    ),
    "housing_utilities.electricity": (
        (r"свет(?!офор)\w*", 3), (r"электр\w*", 3), (r"эл\. ?энерг\w*|энерги\w*", 3),
        (r"энергоснаб\w*|энергосбыт\w*", 4),
        (r"обесточ\w*", 4), (r"напряжени\w*", 2), (r"перепад\w*", 1.5), (r"проводк\w*", 2),
        (r"сым үзіл\w*|баған\w*", 3), (r"трансформатор\w*", 2.5), (r"подстанц\w*", 2.5),
        (r"розетк\w*", 1.5), (r"счетчик\w*", 1), (r"жарық\w*", 4), (r"кернеу\w*", 2.5),
    ),
    "housing_utilities.gas": (
        (r"газ(?!он)\w*", 4), (r"казахгаз\w*|qazaqgaz", 4), (r"утечк\w*", 1.5),
        (r"баллон\w*", 1),
    ),
    "housing_utilities.elevator": (
        (r"лифт\w*", 5), (r"подъемник\w*", 2.5), (r"застрял\w*", 1), (r"көтергіш\w*", 3),
    ),
    "housing_utilities.roof": (
        (r"кровл\w*", 5), (r"крыш\w*", 5), (r"шатыр\w*", 5), (r"шифер\w*", 2.5),
        (r"чердак\w*", 2), (r"протека\w*|протечк\w*", 2), (r"с потолка\b", 2),
        (r"потол\w* (?:теч|капа|протек)\w*", 2.5), (r"водосточ\w*", 1.5),
        (r"төбе\w*", 2.5), (r"ағып тұр\w*", 1),
    ),
    "housing_utilities.management": (
        (r"кск\b", 4), (r"пкск\b", 4), (r"оси\b", 4), (r"пик\b", 3), (r"мтб\b", 4),
        (r"управляющ\w*", 2.5), (r"председател\w*", 2), (r"взнос\w*", 2),
        (r"подъезд\w*", 1.5), (r"капремонт\w*|капитальн\w* ремонт\w*", 2.5),
        (r"квитанц\w*", 1), (r"домоуправ\w*", 3), (r"старш\w* по дому", 3),
        (r"общедомов\w*", 2.5), (r"уборщиц\w*|уборк\w* подъезд\w*", 2.5),
        (r"содержани\w* дом\w*", 2.5), (r"сервисн\w* компани\w*", 2.5),
        (r"кіреберіс\w*", 1.5), (r"үй басқар\w*", 4), (r"пәтер иелер\w*", 3),
        (r"жарна\w*", 2), (r"домофон\w*", 2),
    ),
    "land.illegal_allocation": (
        (r"земельн\w* участ\w*", 2), (r"жер телім\w*", 2), (r"жер учаске\w*", 2),
        (r"незаконн(?!ч)\w* (?:выдел|предостав|отвод|переда|продаж|продал|оформ)\w*", 5),
        (r"(?:выдел|предостав|раздал|раздач|раздают|отвод|отвел)\w* (?:земл|участ)\w*", 3),
        (r"изъя\w*", 3), (r"(?:земл|участ)\w* (?:выдел|предостав|отвед)\w*", 3),
        (r"аукцион\w*", 1.5), (r"государствен\w* нужд\w*", 2.5),
        (r"заңсыз (?:бөл|бер|сат)\w*", 5), (r"бөлін\w* жер\w*", 2.5),
        (r"жер\w* (?:бөл|бер)\w*", 2), (r"мемлекет\w* мұқтаж\w*", 2.5),
        (r"екі адамға берген", 5), (r"(?:дважды|двум) (?:выдел|продал|оформ)\w*", 4),
    ),
    "land.encroachment": (
        (r"самозахват\w*", 6), (r"самовольн\w*", 3), (r"захват\w*", 3),
        (r"забор\w* на\b", 2.5), (r"(?:постав|установ|возвел|возвёл|перенес)\w* забор\w*", 2),
        (r"огородил\w*", 2.5), (r"перекрыл\w* (?:проход|проезд|дорог)\w*", 2.5),
        (r"занял\w* (?:территор|тротуар|участ|проезд|дорог)\w*", 3),
        (r"незаконн(?!ч)\w* (?:постро|строит|застро|пристро)\w*", 3), (r"пристро\w*", 1.5),
        (r"басып ал\w*", 6), (r"өз бетімен", 3), (r"заңсыз (?:құрылыс|сал)\w*", 3),
        (r"қоршау\w*", 2), (r"алып қой\w*", 2), (r"рұқсатсыз\w*", 3),
        (r"гараж\w* (?:қойып|поставил|установил)\w*", 3),
        (r"на (?:моей|мой|мою|моем|нашей|нашем|чужой|чужом) (?:земл|участ|территор)\w*", 3),
    ),
    "land.boundary": (
        (r"границ\w*", 4), (r"меж(?:а|и|у|ой|ев\w*)\b", 4), (r"кадастр\w*", 2),
        (r"наложени\w*", 2.5), (r"площад\w* участк\w*", 2.5), (r"координат\w*", 1.5),
        (r"разграничен\w*", 2.5), (r"(?:сдвинул|передвинул)\w*", 2), (r"сосед\w*", 1),
        (r"госакт\w*|идентификацион\w*", 1.5), (r"шекара\w*", 4), (r"көрші\w*", 1),
        (r"в сторону (?:моего|нашего|моей|нашей) (?:участк|двор|земл)\w*", 5),
        (r"жылжытт\w*|жылжытып\w*", 4),
    ),
    "land.land_use": (
        (r"целев\w*", 4), (r"нецелев\w*", 4), (r"не по назначени\w*", 5),
        (r"назначени\w* (?:земл|участк)\w*", 2.5), (r"вид\w* использован\w*", 2.5),
        (r"не (?:использ|осваива|освоен)\w*", 2.5), (r"пустует|пустующ\w*", 2),
        (r"заброшен\w* участ\w*", 2.5), (r"(?:перевод|смен)\w* (?:категор|назначени)\w*", 3),
        (r"ижс\b", 1.5), (r"автомойк\w*|шиномонтаж\w*|автосервис\w*", 1),
        (r"нысаналы\w*", 5), (r"мақсатсыз\w*|мақсатына сай емес", 4),
        (r"пайдаланылмай\w*|пайдаланбай\w*|игерілмей\w*", 2.5),
        (r"сельхоз\w*|сельскохозяйств\w*", 3), (r"застраива\w* дом\w*", 2),
        (r"(?:на|под) ижс\b", 2.5),
        (r"открыл\w* (?:автомойк|шиномонтаж|автосервис|магазин|кафе)\w*", 3),
        (r"(?:устроил|открыл|организовал)\w* склад\w*", 3), (r"склад\w*", 1.5),
        (r"ауыл шаруашылығ\w* жер\w*", 5), (r"жтқ\b", 3), (r"көлік жуатын", 6),
        (r"үйлер салын\w*", 2),
    ),
    "roads": (
        (r"ям(?:а|ы|у|ой|ах|ами|ка|ки|ку)?\b", 3), (r"разбит\w*", 2),
        (r"выбоин\w*", 3), (r"асфальт\w*", 3),
        (r"дорог\w*", 3), (r"дорожн\w*", 2), (r"тротуар\w*", 1.5), (r"бордюр\w*", 1.5),
        (r"светофор\w*", 3), (r"разметк\w*", 2), (r"пешеходн\w* переход\w*", 2.5),
        (r"грейд\w*|щебен\w*|щебн\w*", 2), (r"лужа|лужи", 1.5), (r"гололед\w*", 1.5),
        (r"проезж\w* част\w*", 2), (r"жол(?:дар|дың|ға|да|ды|ы|дағы|ын)?\b", 3),
        (r"шұңқыр\w*", 3), (r"ойық\w*", 2), (r"жаяу жүргінші\w*", 2),
        (r"бағдаршам\w*", 4), (r"қиылыс\w*", 2),
    ),
    "transport": (
        (r"автобус\w*", 5), (r"маршрут\w*", 4), (r"троллейбус\w*", 5), (r"транспорт\w*", 3),
        (r"остановк\w*", 2.5), (r"кондуктор\w*", 3), (r"пассажир\w*", 2.5),
        (r"водител\w*", 1.5), (r"интервал\w*", 2), (r"такси\b", 1.5),
        (r"(?:стоимост|оплат|плат)\w* (?:за )?проезд\w*|проездн\w*", 3), (r"билет\w*", 1),
        (r"не ход(?:ит|ят)\b", 1.5), (r"онай|onay", 2),
        (r"аялдама\w*", 6), (r"навес\w*", 2.5), (r"көлік\w*", 3), (r"жолаушы\w*", 3),
        (r"жүргізуші\w*", 1.5),
    ),
    "waste": (
        (r"мусор\w*", 5), (r"тбо\b", 5), (r"вывоз\w*", 2), (r"свалк\w*", 3.5),
        (r"контейнер\w*", 2.5), (r"отход\w*", 2), (r"помойк\w*", 3),
        (r"бак(?:и|ов|ах|ам)?\b", 1.5), (r"полигон\w*", 1.5), (r"урн(?:а|ы|у)\b", 1.5),
        (r"санитарн\w* очист\w*", 3),
        (r"қоқыс\w*", 5), (r"қалдық\w*", 2.5), (r"тұрмыстық\w*", 1.5), (r"шығармай\w*", 1),
    ),
    "landscaping": (
        (r"благоустр\w*", 5), (r"озеленен\w*", 3), (r"дерев\w*", 2.5),
        (r"спил\w*|вырубк\w*|вырубил\w*|срубил\w*", 2.5), (r"газон\w*", 2.5),
        (r"клумб\w*", 2.5), (r"сквер\w*", 2.5), (r"парк(?:е|а|и|ов|ом)?\b", 2.5),
        (r"детск\w* площадк\w*", 3), (r"площадк\w*", 1.5),
        (r"скамейк\w*|скамей\w*|лавочк\w*", 2.5), (r"фонар\w*", 3), (r"освещени\w*", 2),
        (r"арык\w*", 2.5), (r"(?:аллея|аллеи|аллее)\b", 2), (r"фонтан\w*", 2),
        (r"сорняк\w*|бурьян\w*|покос\w*", 2), (r"тротуарн\w* плитк\w*|брусчатк\w*", 2),
        (r"абаттандыр\w*", 5), (r"көгалдандыр\w*", 3), (r"ағаш\w*", 2.5), (r"саябақ\w*", 3),
        (r"(?:балалар|ойын) алаң\w*", 3), (r"арық\w*", 2.5), (r"шамдар\w*|шамы\b", 2),
        (r"арам шөп\w*", 2), (r"орындық\w*", 2.5), (r"суар\w*", 1.5),
        (r"аулада жарық\w*", 7), (r"кесіп таста\w*", 4), (r"ағаш\w* (?:\w+ )?кесі\w*", 4),
    ),
    "public_order": (
        (r"шум\w*", 3), (r"хулиган\w*", 4), (r"пьян\w*", 3), (r"драк(?:а|и|у|ой)\b", 3),
        (r"полици\w*", 2), (r"участков(?:ый|ого|ому|ым)\b", 2), (r"бродяч\w*", 3),
        (r"собак\w*", 2.5), (r"наркот\w*|наркоман\w*|закладк\w*", 3),
        (r"краж\w*|вор(?:ы|ов|а)?\b|воровств\w*", 2), (r"громк\w* музык\w*", 3),
        (r"нарушени\w* (?:тишин|порядк|общественн)\w*", 3), (r"тишин\w*", 2),
        (r"алкогол\w*|спиртн\w*|распива\w*", 2.5), (r"притон\w*", 3),
        (r"(?:стихийн|незаконн(?!ч))\w* торгов\w*", 2), (r"граффити|вандал\w*", 2),
        (r"подростк\w*|молодеж\w*", 1.5), (r"парку\w*|парковк\w* на газон\w*", 8),
        (r"шула\w*|шу\b", 2.5),
        (r"шу\b|шулы\w*|шуыл\w*", 3), (r"тыныштық\w*", 3), (r"тәртіп\w*", 2.5),
        (r"бұзақы\w*", 4), (r"қаңғыбас\w*|иесіз ит\w*", 4), (r"иттер\w*|ит\b", 2),
        (r"мас\b|мас күйде|ішімдік\w*|арақ\w*", 3), (r"полиция\w*|учаскелік\w*", 2),
    ),
    "social": (
        (r"пенси\w*", 3), (r"пособи\w*", 3), (r"инвалид\w*", 3), (r"малоимущ\w*", 3),
        (r"многодетн\w*", 3), (r"социальн\w*", 2.5), (r"соцпомощ\w*", 3), (r"льгот\w*", 2.5),
        (r"адресн\w* (?:социальн|помощ)\w*|асп\b", 3),
        (r"очеред\w* на (?:жиль|квартир)\w*|жилищн\w* очеред\w*", 3),
        (r"детск\w* сад\w*|садик\w*|детсад\w*", 3), (r"школ\w*", 2),
        (r"поликлиник\w*|больниц\w*|врач\w*|медицин\w*", 2.5),
        (r"материальн\w* помощ\w*", 3), (r"трудоустро\w*|безработ\w*", 2.5),
        (r"с работой", 1.5),
        (r"сирот\w*", 3), (r"ветеран\w*", 2.5),
        (r"зейнет\w*", 3), (r"жәрдемақ\w*", 3), (r"мүгедек\w*", 3),
        (r"көп ?балалы\w*", 3), (r"әлеуметтік\w*", 3), (r"балабақша\w*", 3),
        (r"мектеп\w*", 2), (r"емхана\w*|аурухана\w*|дәрігер\w*", 2.5), (r"кезек\w*", 2),
        # help of a kind; "Көмектесіңіздер!" alone is a plea that closes any complaint
        (r"(?:материалдық|әлеуметтік|атаулы|қаржылай) көмек\w*", 3), (r"жұмыссыз\w*", 2.5),
        (r"жетім\w*", 3), (r"ардагер\w*", 2.5),
    ),
}

_SIMPLE_STEM = re.compile(r"([а-яё]+)(?:\\w\*)?")
_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """The form texts and patterns are compared in. A text typed wholly in Latin
    letters ("batarei kholodnye", "jylu joq") is read back into Cyrillic first."""
    return single_letters(fold_kazakh(clean_text(as_cyrillic(text))))


def fold_pattern(fragment: str) -> str:
    """A rule's regex fragment in the form `fold` gives texts. Not `fold` itself: the
    look-alike fix would touch regex escapes such as \\b."""
    return single_letters(fold_kazakh(fragment.replace("ё", "е")))


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character of a regex fragment
    that is neither escaped nor inside a character class."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex fragment."""
    bars = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *bars, len(pattern)]
    return [pattern[a + 1:b] for a, b in pairwise(bounds)]


def _group_end(pattern: str, start: int) -> int:
    """The index of the ")" closing the group opened at `start`."""
    for i, ch, depth in _structure(pattern, start):
        if ch == ")" and depth == 0:
            return i
    raise ValueError(f"unbalanced group in {pattern!r}")


def _heads(pattern: str) -> frozenset[str] | None:
    """The first two letters every match starts with, one or more per alternative;
    None when that cannot be told (the rule is then always tried)."""
    heads: set[str] = set()
    for alternative in _alternatives(pattern):
        if alternative.startswith("(?<"):  # a lookbehind consumes nothing
            alternative = alternative[_group_end(alternative, 0) + 1:]
        if alternative.startswith("(?:"):
            end = _group_end(alternative, 0)
            if alternative[end + 1: end + 2] in ("?", "*"):
                return None
            inner = _heads(alternative[3:end])
            if inner is None:
                return None
            heads |= inner
            continue
        head = alternative[:2]
        if len(head) < 2 or not head.isalpha():
            return None
        heads.add(head)
    return frozenset(heads)


class _Rule:
    __slots__ = ("code", "heads", "pattern", "stem", "weight")

    def __init__(self, code: str, fragment: str, weight: float) -> None:
        folded = fold_pattern(fragment)
        self.code = code
        self.weight = weight
        # No leading word-start assertion: it would cost the regex engine its fast
        # literal-prefix scan. `found_in` checks the word start instead.
        self.pattern = re.compile(folded)
        # A rule is only tried on texts with a word starting with one of its heads.
        self.heads = _heads(folded)
        simple = _SIMPLE_STEM.fullmatch(folded)
        self.stem = simple.group(1) if simple and len(simple.group(1)) >= TYPO_MIN_STEM else None

    def found_in(self, text: str) -> bool:
        """Whether the pattern matches `text` at the start of a word."""
        for m in self.pattern.finditer(text):
            i = m.start()
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
                return True
        return False


def _compile_rules() -> tuple[_Rule, ...]:
    unknown = set(RULES) - set(CATEGORY_BY_CODE)
    if unknown:
        raise ValueError(f"classifier rules for unknown codes: {sorted(unknown)}")
    return tuple(_Rule(code, frag, w) for code, rules in RULES.items() for frag, w in rules)


_RULES = _compile_rules()
_TYPO_RULES = tuple(i for i, r in enumerate(_RULES) if r.stem)
_ALWAYS_TRIED = tuple(i for i, r in enumerate(_RULES) if r.heads is None)


def _rules_by_head() -> dict[str, tuple[int, ...]]:
    by_head: dict[str, list[int]] = {}
    for i, rule in enumerate(_RULES):
        for head in rule.heads or ():
            by_head.setdefault(head, []).append(i)
    return {head: tuple(ids) for head, ids in by_head.items()}


_RULES_BY_HEAD = _rules_by_head()


@lru_cache(maxsize=100_000)
def _typo_hits(word: str) -> tuple[int, ...]:
    """Indexes of single-stem rules that `word` matches with one typo."""
    hits = []
    for i in _TYPO_RULES:
        stem = _RULES[i].stem
        assert stem is not None
        if len(word) + 1 < len(stem) or word.startswith(stem):
            continue
        if fuzz.ratio(word[: len(stem)], stem, score_cutoff=TYPO_CUTOFF):
            hits.append(i)
    return tuple(hits)


def exact_matches(folded: str) -> set[int]:
    """Indexes of the rules matching a folded text at a word start. Only rules with a
    head among the text's word heads are tried."""
    candidates = set(_ALWAYS_TRIED)
    for head in {w[:2] for w in _WORD.findall(folded)}:
        candidates.update(_RULES_BY_HEAD.get(head, ()))
    return {i for i in candidates if _RULES[i].found_in(folded)}


def category_scores(text: str) -> dict[str, float]:
    """Summed rule weights per category code (each rule counts once)."""
    folded = fold(text[:MAX_TEXT_CHARS])
    matched = exact_matches(folded)
    scores: dict[str, float] = {}
    for i in sorted(matched):
        rule = _RULES[i]
        scores[rule.code] = scores.get(rule.code, 0.0) + rule.weight
    for word in set(_WORD.findall(folded)):
        if len(word) < TYPO_MIN_STEM - 1:
            continue
        for i in _typo_hits(word):
            if i not in matched:
                matched.add(i)
                rule = _RULES[i]
                scores[rule.code] = scores.get(rule.code, 0.0) + rule.weight * TYPO_FACTOR
    return scores


def _ranked(scores: dict[str, float]) -> tuple[str, float]:
    """The best code of non-empty `scores` and a confidence in 0..1, growing with the
    winning score and with its margin over the runner-up."""
    order = {c.code: i for i, c in enumerate(CATEGORIES)}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = (1 - math.exp(-best / 3)) * best / (best + second)
    return best_code, round(confidence, 3)


# Exports repeat texts ("Нет света"); a bounded cache spares classifying them again.
@lru_cache(maxsize=4096)
def classify_text(text: str) -> tuple[str, float]:
    """The most likely taxonomy code and its confidence ("other", 0.1 when no keyword
    matches)."""
    scores = category_scores(text)
    if not scores:
        return OTHER, OTHER_CONFIDENCE
    return _ranked(scores)


# A group's label with nothing in the text to say which of its categories: the group's
# first category (the one most complaints under such labels belong to), at this.
GROUP_ONLY_CONFIDENCE = 0.5


@lru_cache(maxsize=4096)
def classify_within(group: str, text: str) -> tuple[str, float]:
    """The most likely category of `group` ("land": a source's generic "Земельные
    вопросы") by the text, else the group's first category."""
    scores = {code: score for code, score in category_scores(text).items()
              if CATEGORY_BY_CODE[code].group == group}
    if not scores:
        first = next(c.code for c in CATEGORIES if c.group == group)
        return first, GROUP_ONLY_CONFIDENCE
    return _ranked(scores)


# -- source labels -------------------------------------------------------------

_LABEL_SPACES = re.compile(r"\s+")
_LABEL_AROUND_SLASH = re.compile(r"\s*/\s*")
_LABEL_PARTS = re.compile(r"\s*(?:/|\\|—|–|:|;|>|\s-\s)\s*")


def label_key(label: str) -> str:
    """A label as the mapping compares it: case, ё/е, spacing and outer punctuation
    do not count."""
    key = _LABEL_SPACES.sub(" ", label.casefold().replace("ё", "е")).strip(" .:;")
    return _LABEL_AROUND_SLASH.sub("/", key)


@lru_cache(maxsize=1)
def source_labels() -> dict[str, str]:
    """Normalised label → code: the taxonomy's codes and names, then the labels of
    `geoapp/data/category_labels.toml`."""
    mapping: dict[str, str] = {}
    for c in CATEGORIES:
        for label in (c.code, c.name_ru, c.name_kk, c.name_en):
            mapping[label_key(label)] = c.code
    raw = resources.files("geoapp.data").joinpath("category_labels.toml").read_bytes()
    labels = tomllib.loads(raw.decode("utf-8")).get("labels", {})
    for label, code in labels.items():
        if code not in CATEGORY_BY_CODE and code not in CATEGORY_GROUPS:
            raise ValueError(f"category_labels.toml: {label!r} maps to unknown code {code!r}")
        mapping[label_key(label)] = code
    return mapping


def map_source_label(label: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """The taxonomy code for a source's category label, or None when unknown. A
    composite label ("ЖКХ / Отопление") falls back to its parts, most specific last.
    `mapping`: keyed by label_key, the built-in source_labels() by default."""
    if not label or not label.strip():
        return None
    if mapping is None:
        mapping = source_labels()
    key = label_key(label)
    if key in mapping:
        return mapping[key]
    for part in reversed(_LABEL_PARTS.split(key)):
        code = mapping.get(part.strip(" .:;"))
        if code:
            return code
    return None
