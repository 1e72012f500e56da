"""Offline geocoding of operator-typed addresses against the buildings register."""

from geoapp.geocode.letters import fold_kazakh
from geoapp.geocode.matcher import AddressIndex
from geoapp.geocode.normalize import clean_text, normalize_address
from geoapp.geocode.parsed_address import AreaKind, ParsedAddress, match_key
from geoapp.geocode.register_area import NO_MATCH, AddressMatch, Precision

__all__ = [
    "NO_MATCH",
    "AddressIndex",
    "AddressMatch",
    "AreaKind",
    "ParsedAddress",
    "Precision",
    "clean_text",
    "fold_kazakh",
    "match_key",
    "normalize_address",
]
