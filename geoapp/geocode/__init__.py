"""Offline geocoding of operator-typed addresses against the buildings register."""

from geoapp.geocode.letters import fold_kazakh
from geoapp.geocode.matcher import NO_MATCH, AddressIndex, AddressMatch, Precision
from geoapp.geocode.normalize import clean_text, normalize_address
from geoapp.geocode.parsed_address import AreaKind, ParsedAddress, match_key

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
