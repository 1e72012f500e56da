"""Parsing single values of an export: dates, numbers, phones, and the built-in
words for statuses and sources (geoapp.ingest.source_labels maps through them).
Each parser returns the value or raises ValueError with a reason for the rejects file."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from geoapp.geocode.notes import NOT_A_NUMBER
from geoapp.ingest.row_reasons import (
    ROUNDED_NUMBER,
    TIME_DISAGREES,
    UNPARSEABLE_DATE,
    UNPARSEABLE_TIME,
)
from geoapp.read_back import clause
from geoapp.taxonomy import SOURCES

_DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y %H:%M",
                 "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")

STATUS_LABELS: dict[str, str] = {
    "received": "received", "зарегистрировано": "received", "зарегистрирован": "received",
    "зарегистрирована": "received", "поступило": "received", "новое": "received",
    "новый": "received", "тіркелді": "received", "тіркелген": "received",
    "assigned": "assigned", "назначено": "assigned", "направлено исполнителю": "assigned",
    "направлено": "assigned", "передано": "assigned", "тағайындалды": "assigned",
    "жолданды": "assigned",
    "in_progress": "in_progress", "в работе": "in_progress", "на исполнении": "in_progress",
    "в процессе": "in_progress", "на рассмотрении": "in_progress",
    "рассматривается": "in_progress", "орындалуда": "in_progress", "жұмыста": "in_progress",
    "қаралуда": "in_progress", "қарауда": "in_progress",
    "resolved": "resolved", "исполнено": "resolved", "исполнен": "resolved",
    "выполнено": "resolved", "выполнен": "resolved", "решено": "resolved",
    "решен": "resolved", "закрыто": "resolved", "закрыт": "resolved",
    "орындалды": "resolved", "шешілді": "resolved", "жабылды": "resolved",
    # eOtinish closes a case with an answer or an explanation ("снято с контроля" is
    # left to a labels file: off control is not always done)
    "рассмотрено": "resolved", "дан ответ": "resolved", "ответ дан": "resolved",
    "разъяснено": "resolved", "қаралды": "resolved", "жауап берілді": "resolved",
    "түсіндірілді": "resolved",
    "rejected": "rejected", "отказано": "rejected", "отклонено": "rejected",
    "отклонен": "rejected", "отказ": "rejected", "бас тартылды": "rejected",
    "қабылданбады": "rejected",
    "reopened": "reopened", "возобновлено": "reopened", "повторно открыто": "reopened",
}
SOURCE_LABELS: dict[str, str] = {
    **{s: s for s in SOURCES},
    "служба 109": "109", "call-центр 109": "109", "колл-центр 109": "109",
    "e-otinish": "eotinish", "еотиниш": "eotinish", "е-отиниш": "eotinish",
    "е-өтініш": "eotinish", "еөтініш": "eotinish",
    "портал": "eotinish", "сайт": "web", "интернет": "web", "личный прием": "walk_in",
    "жеке қабылдау": "walk_in",
}


# The 109 export's own form, read without strptime (the import's hottest path), with
# what other exports and typists vary: "-" or "/" in the date, a comma before the time,
# "06.42", a fraction of a second (1C writes "06:42:00.000"), a year of two digits
# after dots ("12.01.24", a short date format's CSV; dd.mm.yy is the only such order).
_TIME = r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d{1,6})?)?"
_RU_DATETIME = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:\s*[\s,]\s*"
                          + _TIME + ")?")
# "12.01.2024 г." / "2024 ж." / "12.01.24 г.": the year's abbreviation (Russian год,
# Kazakh жыл).
_YEAR_WORD = re.compile(r"(\d{4}|(?<=\.)\d{2})\s*(?:г|ж)\.?(?=\s|,|$)", re.IGNORECASE)
# "1 октября 2024", "1 окт. 2024", "1 қазан 2024": a month by name, Russian (any case
# ending, or cut to three letters) or Kazakh.
_MONTH_STEMS = (("янв", "қаңтар"), ("фев", "ақпан"), ("мар", "наурыз"), ("апр", "сәуір"),
                ("ма", "мамыр"), ("июн", "маусым"), ("июл", "шілде"), ("авг", "тамыз"),
                ("сен", "қыркүйек"), ("окт", "қазан"), ("ноя", "қараша"),
                ("дек", "желтоқсан"))
_NAMED_MONTH = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})(?=\s|,|$)")


def _month_number(word: str) -> int | None:
    word = word.lower()
    for number, (_russian, kazakh) in enumerate(_MONTH_STEMS, 1):
        if word.startswith(kazakh):
            return number
    for number, (russian, _kazakh) in enumerate(_MONTH_STEMS, 1):
        # "ма" alone would take "марта": май, мая only.
        if word.startswith(russian) and (number != 5 or word in ("май", "мая", "мае")):
            return number
    return None


def _numbered_months(text: str) -> str:
    def numbered(match: re.Match[str]) -> str:
        month = _month_number(match.group(2))
        return match.group() if month is None else (
            f"{match.group(1)}.{month:02d}.{match.group(3)}")
    return _NAMED_MONTH.sub(numbered, text)


def parse_datetime(raw: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 or dd.mm.yyyy[ HH:MM[:SS]] (the year maybe followed by г. or ж., the
    month maybe by name, dd.mm.yy read as 20yy), or Excel's date number; a naive time
    is local time in `tz`."""
    text = raw.strip().replace("T", " ", 1) if "T" in raw[:11] else raw.strip()
    parsed: datetime | None = None
    match = _RU_DATETIME.fullmatch(text)
    if match is None and (_YEAR_WORD.search(text) or _NAMED_MONTH.search(text)):
        text = _numbered_months(_YEAR_WORD.sub(r"\1", text)).strip(" ,")
        text = " ".join(text.split())
        match = _RU_DATETIME.fullmatch(text)
    if match:
        day, separator, month, year, hour, minute, second = match.groups()
        if len(year) == 2:
            if separator != ".":  # 01/12/24, 01-12-24: which is the year is a guess
                raise ValueError(clause(UNPARSEABLE_DATE, value=repr(raw)))
            year = f"20{year}"  # a later check refuses a date in the future
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0),
                            int(minute or 0), int(second or 0), tzinfo=tz)
        except ValueError:
            raise ValueError(clause(UNPARSEABLE_DATE, value=repr(raw))) from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        parsed = _excel_serial(text)
    if parsed is None:
        raise ValueError(clause(UNPARSEABLE_DATE, value=repr(raw)))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


# "45302" or "45302,395833": Excel's own number for a date (days since 30.12.1899, the
# time of day as the fraction), as a CSV holds it when the column was formatted as a
# number, or pasted as values, before saving. Five digits: 2000 to 2173 (a later
# check refuses the future), never a day of 1900 nor a year such as "2024".
_EXCEL_SERIAL = re.compile(r"(\d{5})(?:[.,](\d{1,10}))?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_FIRST = 36_526  # 01.01.2000


def _excel_serial(text: str) -> datetime | None:
    match = _EXCEL_SERIAL.fullmatch(text)
    if match is None or int(match.group(1)) < _EXCEL_FIRST:
        return None
    days = float(f"{match.group(1)}.{match.group(2) or 0}")
    return _EXCEL_EPOCH + timedelta(seconds=round(days * 86_400))


_TIME_OF_DAY = re.compile(_TIME)  # a time in its own column, as written after a date


def with_time_of_day(day: datetime, raw: str) -> datetime:
    """`day` at the time written in its own column ("09:30", "9.30", "09:30:15"); a
    date column that already carries a time keeps it, when the two agree."""
    match = _TIME_OF_DAY.fullmatch(raw.strip())
    if match is not None:
        hour, minute, second = (int(g or 0) for g in match.groups())
    elif (seconds := _day_fraction_seconds(raw)) is not None:
        hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
    else:
        raise ValueError(clause(UNPARSEABLE_TIME, value=repr(raw)))
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(clause(UNPARSEABLE_TIME, value=repr(raw)))
    local_midnight = day.hour == day.minute == day.second == 0
    if not local_midnight and (day.hour, day.minute) != (hour, minute):
        raise ValueError(clause(TIME_DISAGREES, time=f"{day:%H:%M}",
                                value=repr(raw.strip())))
    return day.replace(hour=hour, minute=minute, second=second, microsecond=0)


def _day_fraction_seconds(raw: str) -> int | None:
    """Seconds since midnight of a time Excel keeps as a fraction of a day ("0.4375"
    is 10:30), as a workbook saved to CSV or a text-formatted cell shows it."""
    try:
        fraction = float(raw.replace(",", "."))
    except ValueError:
        return None
    return round(fraction * 86_400) if 0 <= fraction < 1 else None


def parse_date(raw: str) -> date:
    text = _YEAR_WORD.sub(r"\1", raw.strip())
    # %Y/%m/%d: how GDAL writes a date into a .dbf text field.
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    raise ValueError(clause(UNPARSEABLE_DATE, value=repr(raw)))


def parse_decimal(raw: str) -> float:
    """A number with a decimal point or a decimal comma."""
    try:
        value = float(raw)  # the usual case; float() itself ignores outer whitespace
    except ValueError:
        text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(clause(NOT_A_NUMBER, value=repr(raw))) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(clause(NOT_A_NUMBER, value=repr(raw)))
    return value


_DIGITS = re.compile(r"\D+")
# "87012345678.0": a number Excel kept as a float and a CSV wrote as such.
_EXCEL_FLOAT = re.compile(r"(\d+)\.0+")
# "8,70123E+11": a long number as Excel shows it in the General format, and writes it
# to a CSV saved from that view.
_EXPONENT_FORM = re.compile(r"\s*(\d)[.,](\d+)[eE]\+(\d\d)\s*")


def exponent_digits(raw: str) -> str | None:
    """The digits of a whole number written in exponent form ("8.7012345678E+10" is
    87012345678); None when `raw` is not such a form. ValueError when the form has
    fewer digits than the number ("8,70123E+11"): the rest were lost when the file
    was saved, and no guess can restore them."""
    form = _EXPONENT_FORM.fullmatch(raw)
    if form is None:
        return None
    digits = form.group(1) + form.group(2)
    if len(digits) != int(form.group(3)) + 1:
        raise ValueError(clause(ROUNDED_NUMBER, value=repr(raw.strip()),
                                digits=int(form.group(3)) + 1, kept=len(digits)))
    return digits


# Several numbers in one cell ("8701..., 8777..."), an extension after one.
_PHONE_SEPARATORS = re.compile(r"[,;/]|\s+(?:и|или|немесе)\s+", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:доб|вн|ext|ішкі)\b.*$", re.IGNORECASE)
MAX_PHONE = 50


def normalise_phone(raw: str) -> str | None:
    """+77XXXXXXXXX for a Kazakh number written in any usual way (the first of
    several); a number that is not one ("43-12-34", a foreign one) is kept as typed,
    never dropped. None when the cell holds no digits."""
    text = raw.strip()
    if whole := _EXCEL_FLOAT.fullmatch(text):
        text = whole.group(1)
    with suppress(ValueError):  # a number rounded so is kept as typed
        text = exponent_digits(text) or text
    for candidate in _PHONE_SEPARATORS.split(text):
        digits = _DIGITS.sub("", _EXTENSION.sub("", candidate))
        if len(digits) == 11 and digits[0] in "78":
            digits = digits[1:]
        elif candidate.lstrip().startswith("+"):
            continue  # "+7 701 123 45 6": a digit short, not a number without its 8
        if len(digits) == 10 and digits.startswith("7"):
            return "+7" + digits
    if not any(ch.isdigit() for ch in text):
        return None
    return " ".join(text.split())[:MAX_PHONE]


def normalise_key(raw: str) -> str:
    return " ".join(raw.strip().lower().replace("ё", "е").split())
