"""Named sets of codes with the names people read, for pages and map popups: the
contract's codes (taxonomy), roles, and the app's own (hotspot patterns, review
states, rule severities, layers, translated through the message catalogs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from flask_babel import lazy_gettext as _l

from geoapp.analysis.rule_config import load_rules
from geoapp.taxonomy import (
    CATEGORIES,
    LAND_USE_NAMES,
    PARCEL_STATUS_NAMES,
    ROLE_NAMES,
    SOURCE_NAMES,
    STATUS_NAMES,
    ZONE_KIND_NAMES,
    category_name,
    code_name,
)

# The emerging-hot-spot patterns of geoapp.analysis.trend.
PATTERN_NAMES = {
    "new": _l("new hot spot"), "consecutive": _l("consecutive hot spot"),
    "intensifying": _l("intensifying hot spot"), "persistent": _l("persistent hot spot"),
    "diminishing": _l("diminishing hot spot"), "sporadic": _l("sporadic hot spot"),
    "oscillating": _l("oscillating hot spot"), "historical": _l("historical hot spot"),
    "no pattern": _l("no pattern detected"),
}
# An inspector's review of a violation, and "resolved" once the check no longer finds it.
REVIEW_STATE_NAMES = {"new": _l("new"), "confirmed": _l("confirmed"),
                      "dismissed": _l("dismissed"), "resolved": _l("resolved")}
SEVERITY_NAMES = {"high": _l("high"), "medium": _l("medium"), "low": _l("low")}
# Reference layers as a sentence names them ("new parcels were imported").
LAYER_NAMES = {"parcels": _l("parcels"), "zones": _l("restriction zones"),
               "buildings": _l("buildings"), "microdistricts": _l("microdistricts")}


def _by_language(names: dict[str, dict[str, str]]) -> Callable[[str], dict[str, str]]:
    return lambda language: {code: code_name(names, code, language) for code in names}


def _lazy(names: dict[str, object]) -> Callable[[str], dict[str, str]]:
    return lambda _language: {code: str(name) for code, name in names.items()}


@cache
def _rule_names(language: str) -> dict[str, str]:
    return {code: f"{code} {rule.titled(language)}" for code, rule in load_rules().items()}


VOCABULARIES: dict[str, Callable[[str], dict[str, str]]] = {
    "category": lambda language: {c.code: category_name(c.code, language) for c in CATEGORIES},
    "complaint_status": _by_language(STATUS_NAMES),
    "land_use": _by_language(LAND_USE_NAMES),
    "parcel_status": _by_language(PARCEL_STATUS_NAMES),
    "zone_kind": _by_language(ZONE_KIND_NAMES),
    "hotspot_pattern": _lazy(PATTERN_NAMES),
    "review_state": _lazy(REVIEW_STATE_NAMES),
    "severity": _lazy(SEVERITY_NAMES),
    "parcel_rule": _rule_names,
    "role": _by_language(ROLE_NAMES),
    "source": _by_language(SOURCE_NAMES),
    "layer": _lazy(LAYER_NAMES),
}


def names_of(vocabulary: str, language: str) -> dict[str, str]:
    """code → name; the lazy names are resolved in the current request's language,
    the contract's in `language`."""
    return VOCABULARIES[vocabulary](language)


def name_of(vocabulary: str, code: str | None, language: str) -> str:
    """One code's name; a value outside the vocabulary as it is, none as a dash."""
    if code is None:
        return "—"
    return names_of(vocabulary, language).get(code, code)
