"""Cadastral numbers in addresses and registers: found in text, and brought to the
contract's form `06:097:012:345` from the other ways they are written."""

from __future__ import annotations

import re

# A cadastral number ("06:097:012:345", also typed with spaces around the colons) is
# not a house number; it names a parcel (`cadastral_number`).
# Colons, as the contract writes it, or hyphens, as some registers print it.
_CADASTRAL_NUMBER = (r"(?<![\d:\-])(\d{2})\s*([:\-])\s*(\d{3})\s*\2\s*(\d{3})\s*\2\s*"
                     r"(\d{3,4})(?![\d:\-])")
_CADASTRAL_FOUND = re.compile(_CADASTRAL_NUMBER)
CADASTRAL_MENTION = re.compile(rf"{_CADASTRAL_NUMBER}\s*(?:учаскесі|участок)?")


# A cadastral number written as text with other separators, or none: its parts are
# unambiguous (2, 3, 3 and 3 or 4 digits).
_CADASTRAL_FORMS = (
    re.compile(r"(\d{2})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3})\s*[:.\-/ ]\s*(\d{3,4})"),
    re.compile(r"(\d{2})(\d{3})(\d{3})(\d{3,4})"),
)
_NUMBER_PART_SEPARATOR = re.compile(r"\s*[:.\-/ ]\s*")


def cadastral_form(text: str) -> str:
    """`text` in the contract's form `06:097:012:345` when it is a cadastral number
    written otherwise (`06-097-012-345`, `06 : 097 : 012 : 345`, `06097012345`), or a
    part of one written with other separators (`06-097`); else `text` as it is."""
    for form in _CADASTRAL_FORMS:
        if parts := form.fullmatch(text):
            return ":".join(parts.groups())
    if re.fullmatch(r"\d+(?:\s*[:.\-/ ]\s*\d+)+", text):
        return _NUMBER_PART_SEPARATOR.sub(":", text)
    return text


def cadastral_number(text: str) -> str | None:
    """The first cadastral number in `text`, in the contract's form, or None."""
    m = _CADASTRAL_FOUND.search(text)
    return ":".join(m.group(1, 3, 4, 5)) if m else None
