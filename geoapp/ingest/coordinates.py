"""Coordinates as exports and people write them: decimal degrees with a point or a
comma; degrees, minutes and seconds as map services, GPS units and surveyors show
them (`42°54'07.6"N`, `42° 54,126′ с.ш.`, `N 42.9021°`); one cell holding both, as a
map service copies a point, or WKT. Each parser returns degrees or raises ValueError
with a reason for the complaint's note."""

from __future__ import annotations

import re

from geoapp.geocode.notes import NOT_A_NUMBER, NOT_A_POINT, NOT_DEGREES, TWO_HEMISPHERES
from geoapp.ingest.values import parse_decimal
from geoapp.read_back import clause

_NUMBER = r"\d+(?:[.,]\d+)?"
# A hemisphere: Latin N S E W, Russian С Ю В З (север, юг, восток, запад) and с.ш.,
# ю.ш., в.д., з.д., Kazakh с.е., о.е., ш.б., б.б. (солтүстік/оңтүстік ендік,
# шығыс/батыс бойлық).
_SIGNS = {"n": 1, "e": 1, "с": 1, "в": 1, "сш": 1, "вд": 1, "се": 1, "шб": 1,
          "s": -1, "w": -1, "ю": -1, "з": -1, "юш": -1, "зд": -1, "ое": -1, "бб": -1}
_HEMISPHERE = "(?:" + "|".join(
    rf"{mark[0]}\.?\s*{mark[1]}\.?" for mark in _SIGNS if len(mark) == 2) + "|[nsewсювз])"
_LONGITUDE_MARKS = frozenset({"e", "w", "в", "з", "вд", "зд", "шб", "бб"})
_DEGREE_SIGN = r"(?:°|º|˚|градус\w*)"


def _degrees_pattern(degree_sign: str) -> re.Pattern[str]:
    """One coordinate; `degree_sign` "?" when the sign may be left out."""
    return re.compile(
        rf"(?P<before>{_HEMISPHERE}(?![^\W\d_]))?\s*(?P<minus>-)?(?P<deg>{_NUMBER})\s*"
        rf"(?P<sign>{_DEGREE_SIGN}){degree_sign}"
        rf"(?:\s*(?P<min>{_NUMBER})\s*(?:['′’`]|мин\.?)"
        rf"(?:\s*(?P<sec>{_NUMBER})\s*(?:\"|″|”|''|′′|сек\.?))?)?"
        rf"\s*(?P<after>(?<![^\W\d_]){_HEMISPHERE}(?![^\W\d_]))?", re.IGNORECASE)


_ONE = _degrees_pattern("?")
_IN_TEXT = _degrees_pattern("")  # in a cell of two, the degree sign tells them apart
_WKT_POINT = re.compile(r"\s*(?:SRID=4326;)?POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*",
                        re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _hemisphere(match: re.Match[str]) -> str | None:
    marks = [re.sub(r"[\s.]", "", m).lower() for m in (match["before"], match["after"]) if m]
    if len(marks) == 2 and marks[0] != marks[1]:
        raise ValueError(clause(TWO_HEMISPHERES, value=repr(match.string)))
    return marks[0] if marks else None


def _degrees(match: re.Match[str], raw: str) -> float:
    degrees, minutes, seconds = (parse_decimal(match[g]) if match[g] else None
                                 for g in ("deg", "min", "sec"))
    assert degrees is not None
    if minutes is not None and (not degrees.is_integer() or minutes >= 60 or (
            seconds is not None and (not minutes.is_integer() or seconds >= 60))):
        raise ValueError(clause(NOT_DEGREES, value=repr(raw)))
    value = degrees + (minutes or 0) / 60 + (seconds or 0) / 3600
    if match["minus"]:
        value = -value
    mark = _hemisphere(match)
    return value * _SIGNS[mark] if mark else value


def parse_coordinate(raw: str) -> float:
    """Degrees from a latitude or longitude cell: a decimal number, or degrees with
    minutes and seconds and a hemisphere (south and west are negative)."""
    try:
        return parse_decimal(raw)  # the usual case, and the import's hot path
    except ValueError:
        pass
    match = _ONE.fullmatch(raw.strip())
    if match is None or not (match["sign"] or match["min"] or match["before"]
                             or match["after"]):
        raise ValueError(clause(NOT_A_NUMBER, value=repr(raw)))
    return _degrees(match, raw)


def _degree_pair(raw: str) -> tuple[float, float] | None:
    """Latitude and longitude from two coordinates written with degree signs, in the
    order their hemispheres say (latitude first when they say nothing)."""
    found = list(_IN_TEXT.finditer(raw))
    if len(found) != 2 or _IN_TEXT.sub("", raw).strip(" ,;\t"):
        return None
    first, second = (_degrees(m, raw) for m in found)
    if (_hemisphere(found[0]) or "") in _LONGITUDE_MARKS:
        return second, first
    return first, second


def parse_point(raw: str) -> tuple[float, float]:
    """Latitude and longitude from one cell: "42.9021, 71.3721" as map services copy a
    point (latitude first; decimal commas, ";" or a space between), the same in
    degrees and minutes (`42°54'07.6"N 71°22'19.6"E`), or WKT "POINT(71.3721
    42.9021)" (longitude first)."""
    if wkt := _WKT_POINT.fullmatch(raw):
        return parse_decimal(wkt.group(2)), parse_decimal(wkt.group(1))
    if (pair := _degree_pair(raw)) is not None:
        return pair
    numbers = _PLAIN_NUMBER.findall(raw)
    if len(numbers) != 2 or _PLAIN_NUMBER.sub("", raw).strip(" ,;\t"):
        raise ValueError(clause(NOT_A_POINT, value=repr(raw)))
    return parse_decimal(numbers[0]), parse_decimal(numbers[1])
