"""Attribute values of reference layers: the Russian and Kazakh words an export uses
for the contract's codes, and one parser per layer that returns the typed row or
raises ValueError with the reason."""

from __future__ import annotations

import math
import numbers
import re
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from geoapp.errors import N_, Worded
from geoapp.geocode.cadastral import cadastral_form
from geoapp.ingest.lost_letters import original_value
from geoapp.ingest.values import normalise_key, parse_date, parse_datetime, parse_decimal
from geoapp.taxonomy import (
    HEATING_VALUES,
    LAND_USE_NAMES,
    PARCEL_STATUS_NAMES,
    PARCEL_STATUSES,
    ZONE_KIND_NAMES,
    ZONE_KINDS,
)

_UTC = ZoneInfo("UTC")


def _named(names: dict[str, dict[str, str]]) -> dict[str, str]:
    """Every name geoapp shows for a code (Russian, Kazakh, English), as a word for it:
    a file exported from geoapp, or typed from its screens, reads back."""
    return {normalise_key(name): code for code, by_language in names.items()
            for name in by_language.values()}


_ZONE_KIND_WORDS = {
    "земли для государственных нужд": "state_needs", "государственные нужды": "state_needs",
    "изъятие для государственных нужд": "state_needs", "мемлекеттік мұқтаждар": "state_needs",
    "водоохранная зона": "water_protection", "водоохранная полоса": "water_protection",
    "су қорғау аймағы": "water_protection", "зеленая зона": "green", "жасыл аймақ": "green",
    "резерв дороги": "road_reserve", "придорожная полоса": "road_reserve",
    "инженерный коридор": "utility_corridor", "охранная зона сетей": "utility_corridor",
    "объект наследия": "heritage", "охранная зона памятника": "heritage",
}
ZONE_KIND_WORDS = {**_ZONE_KIND_WORDS, **_named(ZONE_KIND_NAMES)}
HEATING_WORDS = {
    "центральное": "central", "централизованное": "central", "орталық": "central",
    "индивидуальное": "individual", "автономное": "individual", "жеке": "individual",
    "нет": "none", "отсутствует": "none", "жоқ": "none",
}
_PARCEL_STATUS_WORDS = {
    "действующий": "active", "активный": "active", "изъят": "withdrawn",
    "изъятый": "withdrawn", "зарезервирован": "reserved", "резерв": "reserved",
    "аннулирован": "cancelled", "отменен": "cancelled",
}
PARCEL_STATUS_WORDS = {**_PARCEL_STATUS_WORDS, **_named(PARCEL_STATUS_NAMES)}

# Registers write a parcel's purpose in words; the contract's codes are kept, the
# usual Russian and Kazakh wordings mapped onto them, and anything else (the list is
# open) stored as written, in lower case.
_LAND_USE_WORDS = {
    "жилая": "residential", "жилая застройка": "residential",
    "многоэтажная жилая застройка": "residential", "тұрғын үй": "residential",
    "ижс": "individual_housing",
    "индивидуальное жилищное строительство": "individual_housing",
    "жеке тұрғын үй құрылысы": "individual_housing",
    "коммерческая": "commercial", "торговля": "commercial", "коммерциялық": "commercial",
    "промышленная": "industrial", "производственная": "industrial",
    "өнеркәсіптік": "industrial",
    "сельскохозяйственная": "agricultural", "сельхозназначение": "agricultural",
    "ауыл шаруашылығы": "agricultural",
    "общественная": "public", "общественная застройка": "public", "қоғамдық": "public",
    "рекреационная": "recreation", "рекреация": "recreation", "зона отдыха": "recreation",
    "рекреациялық": "recreation",
}
LAND_USE_WORDS = {**_LAND_USE_WORDS, **_named(LAND_USE_NAMES)}

# Units written after a number in hand-kept registers ("0,9 га", "6 соток",
# "94 000 000 тг"), as factors to the contract's unit; a bare number is in it already.
AREA_UNITS_HA = {"га": 1.0, "ha": 1.0, "гектар": 1.0, "гектара": 1.0, "гектаров": 1.0,
                 "сотка": 0.01, "сотки": 0.01, "соток": 0.01, "сот": 0.01,
                 "м2": 1e-4, "м²": 1e-4, "кв м": 1e-4, "квм": 1e-4, "m2": 1e-4, "m²": 1e-4}
MONEY_UNITS_KZT = {"тг": 1, "тенге": 1, "₸": 1, "kzt": 1, "теңге": 1,
                   "млн тг": 1_000_000, "млн тенге": 1_000_000, "млн ₸": 1_000_000,
                   "млн": 1_000_000}
_NUMBER_THEN_UNIT = re.compile(
    r"([-+]?\d[\d\s\u00a0]*(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(.*)", re.DOTALL)


def _number(value: Any) -> float | int | None:
    """A value a typed column (GeoPackage Real or Integer, a .dbf number, a JSON
    number) holds, as it is: never re-read from its text, where 1e-05 looks like a
    number and a unit. None for text and for booleans."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def _measure(value: Any, units: dict[str, float], what: str) -> float | None:
    """A number, maybe followed by a unit of `units`, in the contract's unit; a
    typed number is in it already."""
    if _missing(value):
        return None
    if (number := _number(value)) is not None:
        if not math.isfinite(number):
            raise ValueError(Worded.of(N_("%(field)s: not a number: %(value)s"), field=what,
                                       value=str(number)))
        return number
    text = _text(value)
    if text is None:
        return None
    match = _NUMBER_THEN_UNIT.fullmatch(text)
    if match is None:
        raise ValueError(Worded.of(N_("%(field)s: not a number: %(value)r"), field=what,
                                   value=text))
    number = parse_decimal(match.group(1))
    unit = " ".join(match.group(2).lower().replace(".", " ").split())
    if not unit:
        return number
    if unit not in units:
        raise ValueError(Worded.of(N_("%(field)s: unknown unit %(unit)r in %(value)r"),
                                   field=what, unit=match.group(2), value=text))
    return round(number * units[unit], 6)  # 12,3 млн is 12300000, not 12299999.999…


@cache
def _column_limits() -> dict[str, tuple[int | float, int]]:
    """The largest value, and the decimals kept, of each numeric column the layers
    write, read from the models (integer, bigint, numeric(12, 4)): a value beyond
    them rejects its feature instead of failing the whole file in PostgreSQL."""
    from sqlalchemy import BigInteger, Integer, Numeric

    from geoapp.models.reference import Building, Microdistrict, Parcel

    limits: dict[str, tuple[int | float, int]] = {}
    for column in (Microdistrict.population, Building.residents, Building.floors,
                   Parcel.declared_area_ha, Parcel.cadastral_value_kzt):
        kind = column.type
        if isinstance(kind, BigInteger):
            limits[column.key] = (2**63 - 1, 0)
        elif isinstance(kind, Integer):
            limits[column.key] = (2**31 - 1, 0)
        elif isinstance(kind, Numeric) and kind.precision and kind.scale is not None:
            limits[column.key] = (10.0 ** (kind.precision - kind.scale) - 10.0 ** -kind.scale,
                                  kind.scale)
        else:  # a model changed to a type this does not know: fail loudly in tests
            raise TypeError(f"no known limit for {column.key}: {kind}")
    return limits


def _shown(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def _within_column(number: float, what: str) -> None:
    largest, decimals = _column_limits()[what]
    if round(number, decimals) > largest:
        raise ValueError(Worded.of(N_("%(field)s %(value)s is more than the register can "
                                      "hold (at most %(largest)s)"), field=what,
                                   value=_shown(number), largest=_shown(largest)))


def _missing(value: Any) -> bool:
    """None, or a null as pandas gives it for a typed column: NaN, NaT, pd.NA (the
    only values unequal to themselves; comparing pd.NA raises). A list (a GeoJSON
    array, read as one) is there, though not one value: `_text` refuses it."""
    if value is None:
        return True
    if _is_list(value):
        return False
    try:
        return bool(value != value)
    except TypeError:
        return True


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | dict) or getattr(value, "ndim", 0) > 0


def plain_record(record: dict[str, Any]) -> dict[str, Any]:
    """A feature's attributes with a list of one value read as that value: when one
    feature of a GeoJSON file holds an array, GDAL reads the whole column as lists
    (`["Самал"]`). Longer lists stay, for `_text` to refuse."""
    return {name: value[0] if _is_list(value) and not isinstance(value, dict)
            and len(value) == 1 else value for name, value in record.items()}


def _text(value: Any) -> str | None:
    """The value with each run of white space as one space: a register saved again
    may carry a non-breaking space or a doubled one (`ул. Абая,\u00a05`), and a key
    that differs only so must stay the same feature."""
    if _missing(value):
        return None
    if _is_list(value):
        raise ValueError(Worded.of(N_("a list where one value belongs: %(value)s"),
                                   value=_listed(value)))
    return " ".join(str(value).split()) or None


def _listed(value: Any) -> str:
    shown = str(value.tolist() if hasattr(value, "tolist") else value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _code(value: Any, codes: tuple[str, ...], words: dict[str, str], what: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    key = normalise_key(text)
    if key in codes:
        return key
    if key in words:
        return words[key]
    if (code := original_value(key, words)) is not None:  # "орталы?" saved in CP1251
        return code
    raise ValueError(Worded.of(N_("unknown %(field)s %(value)r"), field=what, value=text))


def _int(value: Any, what: str) -> int | None:
    if _missing(value):
        return None
    number = _number(value)
    if number is None:
        text = _text(value)
        if text is None:
            return None
        number = parse_decimal(text)
    return _whole(number, what)


def _whole(number: float | None, what: str) -> int | None:
    if number is None:
        return None
    if not math.isfinite(number) or number < 0 or not float(number).is_integer():
        raise ValueError(Worded.of(N_("%(field)s must be a whole number >= 0, got %(value)s"),
                                   field=what, value=f"{number:g}"))
    _within_column(number, what)
    return int(number)


def _date(value: Any, what: str) -> date | None:
    """A typed date as it is; a written one in any form a complaint's date may take
    (values.parse_date, else values.parse_datetime's day: "1.6.2021 0:00:00",
    "2 августа 2022 г.")."""
    if _missing(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:
        pass
    try:
        # The day as written: a naive time's zone does not move it, an offset is kept.
        return parse_datetime(text, _UTC).date()
    except ValueError as exc:
        raise ValueError(Worded.of(N_("%(field)s: %(reason)s"), field=what,
                                   reason=str(exc))) from None


def _required(row: dict[str, Any], name: str) -> Any:
    value = row.get(name)
    if _missing(value) or (_text(value) is None and not isinstance(value, date)):
        raise ValueError(Worded.of(N_("missing %(field)s"), field=name))
    return value


def microdistrict(row: dict[str, Any]) -> dict[str, Any]:
    return {"name": _text(_required(row, "name")), "name_kk": _text(row.get("name_kk")),
            "population": _int(_required(row, "population"), "population")}


def building(row: dict[str, Any]) -> dict[str, Any]:
    return {"address": _text(_required(row, "address")),
            "address_kk": _text(row.get("address_kk")),
            "residents": _int(row.get("residents"), "residents"),
            "floors": _int(row.get("floors"), "floors"),
            "heating": _code(row.get("heating"), HEATING_VALUES, HEATING_WORDS, "heating")}


def _land_use(value: Any) -> str:
    key = normalise_key(str(value))
    return LAND_USE_WORDS.get(key, key)


def _cadastral_number(value: Any) -> str | None:
    """The contract's cadastral number is text, `06:097:012:345`; `06-097-012-345`,
    `06 : 097 : 012 : 345` and `06097012345` are the same key in that form. A number
    column has lost its leading zero and colons (6097012345, 6097012345.0): rebuilding
    them would be a guess at the key, and the key as stored would never match the
    register's, so the feature is rejected with what to fix."""
    if (number := _number(value)) is not None:
        raise ValueError(Worded.of(N_(
            "cadastral_number %(value)s is a number, not text: the file's number column has "
            "lost the leading zero and the colons (06:097:012:345); export the column as "
            "text"), value=_shown(number).replace(",", "")))
    text = _text(value)
    return None if text is None else cadastral_form(text)


def parcel(row: dict[str, Any]) -> dict[str, Any]:
    cadastral_number = _cadastral_number(_required(row, "cadastral_number"))
    area = _measure(_required(row, "declared_area_ha"), AREA_UNITS_HA, "declared_area_ha")
    if area is None or area < 0:
        raise ValueError(Worded.of(N_("declared_area_ha is negative")))
    _within_column(area, "declared_area_ha")
    value = _measure(row.get("cadastral_value_kzt"), MONEY_UNITS_KZT, "cadastral_value_kzt")
    return {
        "cadastral_number": cadastral_number,
        "land_use": _land_use(_required(row, "land_use")),
        "holder": _text(row.get("holder")),
        "declared_area_ha": area,
        "cadastral_value_kzt": _whole(value, "cadastral_value_kzt"),
        "allocated_at": _date(row.get("allocated_at"), "allocated_at"),
        "decision_ref": _text(row.get("decision_ref")),
        "status": _code(row.get("status"), PARCEL_STATUSES, PARCEL_STATUS_WORDS, "status")
        or "active",
    }


def zone(row: dict[str, Any]) -> dict[str, Any]:
    valid_from = _date(_required(row, "valid_from"), "valid_from")
    valid_to = _date(row.get("valid_to"), "valid_to")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise ValueError(Worded.of(N_("valid_to is before valid_from")))
    return {"kind": _code(_required(row, "kind"), ZONE_KINDS, ZONE_KIND_WORDS, "zone kind"),
            "name": _text(_required(row, "name")),
            "decision_ref": _text(row.get("decision_ref")),
            "valid_from": valid_from, "valid_to": valid_to}


def parcel_warning(row: dict[str, Any]) -> str | None:
    """What is odd about a parsed parcel that is kept all the same: an allocation in
    the future, a typo more often than a plan (rule R1 compares that date); a
    declared area below the register's smallest step, stored as 0."""
    allocated = row["allocated_at"]
    area, decimals = row["declared_area_ha"], _column_limits()["declared_area_ha"][1]
    future = allocated is not None and allocated > date.today()
    rounded = area > 0 and round(area, decimals) == 0
    if not (future or rounded):
        return None
    said: dict[str, str | int] = {}
    if future:
        said["allocated"] = f"{allocated:%d.%m.%Y}"
    if rounded:
        said.update(area=f"{area:g}", decimals=decimals)
    template = (_BOTH_ODD if future and rounded else _FUTURE_ALLOCATION if future
                else _ROUNDED_AREA)
    return Worded.of(template, **said)


_FUTURE_ALLOCATION = N_("allocated_at %(allocated)s is in the future")
_ROUNDED_AREA = N_("declared_area_ha %(area)s is stored as 0 (the register keeps "
                   "%(decimals)d decimals)")
_BOTH_ODD = N_("allocated_at %(allocated)s is in the future; declared_area_ha %(area)s is "
               "stored as 0 (the register keeps %(decimals)d decimals)")


PARSERS = {"microdistricts": microdistrict, "buildings": building, "parcels": parcel,
           "zones": zone}
WARNINGS = {"parcels": parcel_warning}
NATURAL_KEYS = {"microdistricts": ("name",), "buildings": ("address",),
                "parcels": ("cadastral_number",), "zones": ("kind", "name")}


def written_key(kind: str, record: dict[str, Any]) -> str | None:
    """The first field of a feature's natural key as it would be stored, read even
    when the feature is rejected for something else."""
    value = record.get(NATURAL_KEYS[kind][0])
    try:
        return _cadastral_number(value) if kind == "parcels" else _text(value)
    except ValueError:  # a number or a list: rejected, and never a stored key
        return None
