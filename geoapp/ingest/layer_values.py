"""Attribute values of reference layers: the Russian and Kazakh words an export uses
for the contract's codes, and one parser per layer that returns the typed row or
raises ValueError with the reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from geoapp.ingest.values import normalise_key, parse_date, parse_decimal
from geoapp.taxonomy import HEATING_VALUES, PARCEL_STATUSES, ZONE_KINDS

ZONE_KIND_WORDS = {
    "земли для государственных нужд": "state_needs", "государственные нужды": "state_needs",
    "изъятие для государственных нужд": "state_needs", "мемлекеттік мұқтаждар": "state_needs",
    "водоохранная зона": "water_protection", "водоохранная полоса": "water_protection",
    "су қорғау аймағы": "water_protection", "зеленая зона": "green", "жасыл аймақ": "green",
    "резерв дороги": "road_reserve", "придорожная полоса": "road_reserve",
    "инженерный коридор": "utility_corridor", "охранная зона сетей": "utility_corridor",
    "объект наследия": "heritage", "охранная зона памятника": "heritage",
}
HEATING_WORDS = {
    "центральное": "central", "централизованное": "central", "орталық": "central",
    "индивидуальное": "individual", "автономное": "individual", "жеке": "individual",
    "нет": "none", "отсутствует": "none", "жоқ": "none",
}
PARCEL_STATUS_WORDS = {
    "действующий": "active", "активный": "active", "изъят": "withdrawn",
    "изъятый": "withdrawn", "зарезервирован": "reserved", "резерв": "reserved",
    "аннулирован": "cancelled", "отменен": "cancelled",
}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _code(value: Any, codes: tuple[str, ...], words: dict[str, str], what: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    key = normalise_key(text)
    if key in codes:
        return key
    if key in words:
        return words[key]
    raise ValueError(f"unknown {what} {text!r}")


def _int(value: Any, what: str) -> int | None:
    text = _text(value)
    if text is None:
        return None
    number = parse_decimal(text)
    if number < 0 or not float(number).is_integer():
        raise ValueError(f"{what} must be a whole number >= 0, got {text!r}")
    return int(number)


def _date(value: Any, what: str) -> date | None:
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _required(row: dict[str, Any], name: str) -> Any:
    value = row.get(name)
    if _text(value) is None and not isinstance(value, date):
        raise ValueError(f"missing {name}")
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


def parcel(row: dict[str, Any]) -> dict[str, Any]:
    area = parse_decimal(str(_required(row, "declared_area_ha")))
    if area < 0:
        raise ValueError("declared_area_ha is negative")
    return {
        "cadastral_number": _text(_required(row, "cadastral_number")),
        "land_use": normalise_key(str(_required(row, "land_use"))),
        "holder": _text(row.get("holder")),
        "declared_area_ha": area,
        "cadastral_value_kzt": _int(row.get("cadastral_value_kzt"), "cadastral_value_kzt"),
        "allocated_at": _date(row.get("allocated_at"), "allocated_at"),
        "decision_ref": _text(row.get("decision_ref")),
        "status": _code(row.get("status"), PARCEL_STATUSES, PARCEL_STATUS_WORDS, "status")
        or "active",
    }


def zone(row: dict[str, Any]) -> dict[str, Any]:
    valid_from = _date(_required(row, "valid_from"), "valid_from")
    valid_to = _date(row.get("valid_to"), "valid_to")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    return {"kind": _code(_required(row, "kind"), ZONE_KINDS, ZONE_KIND_WORDS, "zone kind"),
            "name": _text(_required(row, "name")),
            "decision_ref": _text(row.get("decision_ref")),
            "valid_from": valid_from, "valid_to": valid_to}


PARSERS = {"microdistricts": microdistrict, "buildings": building, "parcels": parcel,
           "zones": zone}
NATURAL_KEYS = {"microdistricts": ("name",), "buildings": ("address",),
                "parcels": ("cadastral_number",), "zones": ("kind", "name")}
