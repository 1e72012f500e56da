"""Field names of DATA_CONTRACT and their Russian, Kazakh and English aliases.

A header cell is matched after normalisation (case, ё/е, punctuation, spaces), so
`Номер  обращения`, `номер обращения:` and `НОМЕР_ОБРАЩЕНИЯ` all find `external_id`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from geoapp.ingest.lost_letters import original_value

COMPLAINT_FIELDS: dict[str, tuple[str, ...]] = {
    # Most specific first: an export's "№" is often just the row's position, and the
    # complaint's own number, when a column names it, must win over it.
    "external_id": ("номер обращения", "№ обращения", "номер заявки",
                    "регистрационный номер", "рег. номер", "регистрационный №", "рег. №",
                    "№ заявки", "өтініш нөмірі",
                    "ticket", "id", "номер", "нөмір", "№", "n", "no"),
    "received_at": ("дата обращения", "дата регистрации", "дата поступления",
                    "дата создания", "дата подачи", "өтініш күні", "тіркелген күні",
                    "құрылған күні", "received", "дата", "күні", "date"),
    # The time of day, in exports that keep it apart from the date (parse_row joins them).
    "received_time": ("время обращения", "время регистрации", "время поступления",
                      "тіркелген уақыты", "өтініш уақыты", "время", "уақыты", "уақыт"),
    "source": ("источник", "канал", "канал поступления", "дереккөз", "арна"),
    "category": ("категория", "тема", "тематика", "вопрос", "санат", "тақырып"),
    "text": ("текст обращения", "суть обращения", "текст", "содержание", "текст заявителя",
             "краткое содержание", "суть вопроса", "описание", "описание проблемы",
             "мәтін", "өтініш мәтіні", "мазмұны", "қысқаша мазмұны", "description"),
    # Where the problem is, the most specific name first (beside it, a bare "Адрес" may
    # be the applicant's); "Адрес заявителя" (where the applicant lives) never is.
    "address": ("адрес места проблемы", "адрес проблемы", "место проблемы", "адрес объекта",
                "адрес", "мекенжай", "location"),
    "lat": ("широта", "latitude", "ендік", "y"),
    "lon": ("долгота", "longitude", "lng", "бойлық", "x"),
    # One cell with both, as a map service copies a point (coordinates.parse_point).
    "point": ("координаты", "координаты места", "геолокация", "координаттар",
              "coordinates", "geolocation"),
    "status": ("статус", "мәртебе", "состояние", "күйі"),
    # Not "Срок исполнения": the deadline, not the day it was met.
    "resolved_at": ("дата исполнения", "фактическая дата исполнения", "дата закрытия",
                    "дата решения", "дата выполнения", "дата завершения", "дата ответа",
                    "орындалған күні", "жауап күні", "closed"),
    "department": ("исполнитель", "ответственный", "ответственный орган",
                   "ответственный исполнитель", "исполняющий орган",
                   "ответственная организация", "организация-исполнитель", "орындаушы",
                   "жауапты"),
    "applicant_name": ("фио", "ф.и.о.", "заявитель", "фио заявителя", "аты-жөні", "аты жөні",
                       "өтініш беруші", "name"),
    "applicant_phone": ("телефон", "тел", "номер телефона", "телефон заявителя",
                        "контактный телефон", "контактный телефон заявителя",
                        "мобильный телефон", "телефон нөмірі", "байланыс телефоны",
                        "phone"),
    "language": ("язык", "тіл", "тілі", "lang"),
}
COMPLAINT_REQUIRED = ("external_id", "received_at", "text")

LAYER_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "microdistricts": {
        "name": ("название", "наименование", "микрорайон", "атауы", "шағын аудан"),
        "name_kk": ("название на казахском", "атауы қазақша", "name kk", "kk name"),
        "population": ("население", "численность населения", "жители", "халқы",
                       "халық саны", "residents"),
    },
    "buildings": {
        "address": ("адрес", "мекенжай"),
        "address_kk": ("адрес на казахском", "мекенжай қазақша"),
        "residents": ("жители", "проживающих", "количество жителей", "тұрғындар",
                      "тұрғындар саны", "population"),
        "floors": ("этажность", "этажей", "қабат", "қабаттар саны"),
        "heating": ("отопление", "тип отопления", "жылыту", "жылыту түрі"),
    },
    "parcels": {
        "cadastral_number": ("кадастровый номер", "кадастрлық нөмір", "кад номер",
                             "кадастровый №", "cadastral"),
        "land_use": ("целевое назначение", "назначение", "вид использования",
                     "нысаналы мақсаты", "пайдалану түрі"),
        "holder": ("правообладатель", "землепользователь", "владелец", "құқық иесі",
                   "иесі"),
        "declared_area_ha": ("площадь", "площадь га", "площадь (га)", "заявленная площадь",
                             "ауданы", "ауданы га", "area ha", "area"),
        "cadastral_value_kzt": ("кадастровая стоимость", "стоимость", "кадастрлық құны",
                                "құны", "value"),
        "allocated_at": ("дата предоставления", "дата выделения", "дата решения",
                         "берілген күні", "бөлінген күні"),
        "decision_ref": ("решение", "номер решения", "постановление", "шешім",
                         "шешім нөмірі"),
        "status": ("статус", "состояние", "мәртебе"),
    },
    "zones": {
        "kind": ("вид", "тип", "вид зоны", "түрі", "аймақ түрі"),
        "name": ("название", "наименование", "атауы"),
        "decision_ref": ("решение", "номер решения", "постановление", "шешім"),
        "valid_from": ("действует с", "дата начала", "дата вступления", "бастап",
                       "күшіне енген күні"),
        "valid_to": ("действует по", "дата окончания", "дейін"),
    },
}
LAYER_REQUIRED: dict[str, tuple[str, ...]] = {
    "microdistricts": ("name", "population"),
    "buildings": ("address",),
    "parcels": ("cadastral_number", "land_use", "declared_area_ha"),
    "zones": ("kind", "name", "valid_from"),
}

_PUNCT = re.compile(r"[\s_.,:;()\[\]\"'«»°]+")
# Words exports add to a field's name that do not change what it holds: "Адрес
# обращения", "Дата и время обращения", "Широта (WGS 84)". A header matches loosely,
# ranked below every exact name, once they are left out. "заявителя" is not among
# them: "Адрес заявителя" is where the applicant lives, not the problem's place.
_FILLER = frozenset({"обращения", "заявки", "жалобы", "и", "время", "өтініштің", "өтініш",
                     "уақыты", "wgs", "84", "wgs84", "град", "градусы",
                     "земельного", "участка", "здания", "дома", "зоны"})
LOOSE_RANK = 100


def normalise_header(cell: object) -> str:
    text = str(cell or "").replace("\ufeff", "").strip().lower().replace("ё", "е")
    return _PUNCT.sub(" ", text).strip()


def _alias_index(fields: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    """Normalised name -> (field, rank): the field's own name ranks 0, its aliases
    1, 2, … in the order listed (most specific first)."""
    index: dict[str, tuple[str, int]] = {}
    for field, aliases in fields.items():
        for rank, name in enumerate((field, *aliases)):
            index.setdefault(normalise_header(name), (field, rank))
    return index


# A dBase (.dbf) field name has at most 10 characters: a shapefile saved from a file
# with the contract's names holds "cadastral_" and, for the second name cut to the
# same stem, GDAL's "cadastra_1".
DBF_NAME_LENGTH = 10
_LAUNDERED = re.compile(r"(.+?)_?\d+")


def _raw_name(name: object) -> str:
    """A name as written, but for case, ё/е and spaces (which .dbf writers turn into
    underscores)."""
    return str(name or "").strip().lower().replace("ё", "е").replace(" ", "_")


def _cut(full: str) -> str:
    """A name as a .dbf keeps it: its first 10 characters, a space or underscore left
    at the cut dropped ("Действует с" is kept as "Действует ")."""
    return full[:DBF_NAME_LENGTH].rstrip(" _")


def _truncated_candidates(cell: object, fields: dict[str, tuple[str, ...]]
                          ) -> tuple[tuple[str, ...], int] | None:
    """The fields, in contract order, that a name cut to a .dbf's 10 characters may
    stand for, and its place among the columns cut to the same name: 0 for the cut
    itself, n for GDAL's laundered "_n" of the (n+1)-th ("Действуе_1")."""
    name = _raw_name(cell).rstrip(" _")
    if not name or len(name) > DBF_NAME_LENGTH:
        return None
    laundered = _LAUNDERED.fullmatch(name) if len(name) == DBF_NAME_LENGTH else None
    plain, stemmed = [], []
    for field, aliases in fields.items():
        cuts = [_cut(full) for full in map(_raw_name, (field, *aliases))
                if len(full) > DBF_NAME_LENGTH]
        if name in cuts:
            plain.append(field)
        elif laundered and any(c.startswith(laundered.group(1)) for c in cuts):
            stemmed.append(field)
    if plain:
        return tuple(plain), 0
    if stemmed:
        return tuple(stemmed), int(name[len(laundered.group(1)):].lstrip("_"))  # type: ignore[union-attr]
    return None


def _lookup(index: dict[str, tuple[str, int]], name: str) -> tuple[str, int] | None:
    if hit := index.get(name):
        return hit
    short = " ".join(word for word in name.split() if word not in _FILLER)
    if short and short != name and (hit := index.get(short)):
        return hit[0], hit[1] + LOOSE_RANK
    # "?тініш н?мірі": saved in an encoding without Kazakh letters (lost_letters)
    field = original_value(name, {alias: field for alias, (field, _) in index.items()})
    return (field, LOOSE_RANK) if field else None


def match_headers(cells: Iterable[object],
                  fields: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """Column position -> contract field, for the cells that name a known field, by
    name or alias, else as a name cut to a .dbf's 10 characters. When several
    columns name one field, the most specific name wins (see the alias order), then
    the first column."""
    index = _alias_index(fields)
    cells = list(cells)
    best: dict[str, tuple[int, int]] = {}  # field -> (rank, position)
    for position, cell in enumerate(cells):
        hit = _lookup(index, normalise_header(cell))
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], position)
    found = {position: field for field, (_, position) in best.items()}
    taken = set(best)
    # Names cut to the same 10 characters stand for the fields they may be, in turn:
    # the cut itself for the first (in contract order), its "_1" for the second...
    cut = []
    for position, cell in enumerate(cells):
        if position not in found and (hit := _truncated_candidates(cell, fields)):
            candidates, n = hit
            cut.append((candidates, n, position))
    for candidates, _n, position in sorted(cut):
        field = next((f for f in candidates if f not in taken), None)
        if field is not None:
            found[position] = field
            taken.add(field)
    return found
