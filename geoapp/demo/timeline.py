"""The complaint calendar: the days covered, local (Asia/Almaty) versus UTC time, the
heating seasons, and how many complaints of each category a day draws.

Times are integer seconds: `utc` since the Unix epoch, `naive` the same count for a
local wall-clock time read as if it were UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from geoapp.taxonomy import CATEGORY_CODES

TZ = ZoneInfo("Asia/Almaty")
START = date(2022, 10, 1)
END = date(2024, 12, 31)
DAYS = (END - START).days + 1
DAY = 86_400
HOUR = 3_600
T0 = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp())
AS_OF_NAIVE = T0 + DAYS * DAY  # 1 January 2025, 00:00 local: the data's "now"

# Hourly UTC offsets from two days before START to two days after END.
_PAD_HOURS = 48
_SPAN_HOURS = (DAYS + 4) * 24


def _offsets(local: bool) -> np.ndarray:
    base = datetime(START.year, START.month, START.day) - timedelta(hours=_PAD_HOURS)

    def offset(h: int) -> int:
        moment = base + timedelta(hours=h)
        aware = (moment.replace(tzinfo=TZ) if local
                 else moment.replace(tzinfo=UTC).astimezone(TZ))
        return int(aware.utcoffset().total_seconds())  # type: ignore[union-attr]

    out = np.empty(_SPAN_HOURS, dtype=np.int64)
    for day in range(0, _SPAN_HOURS, 24):
        first, last = offset(day), offset(day + 23)
        if first == last:  # no change of offset inside this day
            out[day:day + 24] = first
        else:
            out[day:day + 24] = [offset(h) for h in range(day, day + 24)]
    return out


_OFFSET_BY_LOCAL_HOUR = _offsets(local=True)
_OFFSET_BY_UTC_HOUR = _offsets(local=False)


def _hour_index(seconds: np.ndarray) -> np.ndarray:
    return np.clip((seconds - T0) // HOUR + _PAD_HOURS, 0, _SPAN_HOURS - 1)


def naive_to_utc(naive: np.ndarray) -> np.ndarray:
    return naive - _OFFSET_BY_LOCAL_HOUR[_hour_index(naive)]


def utc_to_naive(utc: np.ndarray) -> np.ndarray:
    return utc + _OFFSET_BY_UTC_HOUR[_hour_index(utc)]


AS_OF_UTC = int(naive_to_utc(np.array([AS_OF_NAIVE]))[0])


def day_date(day: int) -> date:
    return START + timedelta(days=day)


def naive_of(day: date, seconds: int = 0) -> int:
    return T0 + (day - START).days * DAY + seconds


def _season_mask_and_cold() -> tuple[np.ndarray, np.ndarray]:
    """Per day: inside a heating season (15 Oct - 15 Apr), and how cold (0.3 .. 1)."""
    days = [day_date(d) for d in range(DAYS)]
    inside = np.array([(x.month, x.day) >= (10, 15) or (x.month, x.day) <= (4, 15)
                       for x in days])
    # coldest around 15 January
    phase = np.array([((x - date(x.year, 1, 15)).days % 365) / 365 for x in days])
    cold = 0.3 + 0.7 * (0.5 + 0.5 * np.cos(2 * np.pi * phase))
    return inside, cold


IN_SEASON, COLD = _season_mask_and_cold()
MONTH_OF_DAY = np.array([day_date(d).month for d in range(DAYS)])
WEEKDAY_OF_DAY = np.array([day_date(d).weekday() for d in range(DAYS)])

# Background shares (per cent of all complaints) before the seasonal shape; heating is
# spread over the season days only. Land and heating also receive the planted facts.
_BASE = {
    "housing_utilities.heating": 4.0, "housing_utilities.hot_water": 5.0,
    "housing_utilities.cold_water": 5.0, "housing_utilities.sewage": 3.5,
    "housing_utilities.electricity": 4.0, "housing_utilities.gas": 3.0,
    "housing_utilities.elevator": 2.0, "housing_utilities.roof": 2.5,
    "housing_utilities.management": 4.0,
    "land.illegal_allocation": 5.5, "land.encroachment": 7.0, "land.boundary": 7.0,
    "land.land_use": 4.5,
    "roads": 9.0, "transport": 6.0, "waste": 7.0, "landscaping": 6.0, "public_order": 4.0,
    "social": 5.0, "other": 3.0,
}
_MONTHLY = {
    "roads": {3: 1.5, 4: 1.5}, "landscaping": {4: 1.4, 5: 1.4, 6: 1.4, 7: 1.4, 8: 1.4,
                                               9: 1.4, 12: 0.6, 1: 0.6, 2: 0.6},
    "waste": {6: 1.3, 7: 1.3, 8: 1.3}, "housing_utilities.cold_water": {6: 1.3, 7: 1.4, 8: 1.3},
    "housing_utilities.roof": {3: 1.5, 4: 1.5, 11: 1.3},
    "housing_utilities.gas": {11: 1.3, 12: 1.3, 1: 1.3, 2: 1.3},
}
_WEEKDAY = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.65, 0.5])


def category_weights() -> np.ndarray:
    """(DAYS, categories) background weights; rows sum to the day's relative volume."""
    out = np.zeros((DAYS, len(CATEGORY_CODES)))
    season_share = IN_SEASON.mean()
    for c, code in enumerate(CATEGORY_CODES):
        w = np.full(DAYS, _BASE[code])
        if code == "housing_utilities.heating":
            w = np.where(IN_SEASON, w / season_share * COLD / COLD[IN_SEASON].mean(), 0.0)
        for month, factor in _MONTHLY.get(code, {}).items():
            w = np.where(np.equal(MONTH_OF_DAY, month), w * factor, w)
        out[:, c] = w
    return out * _WEEKDAY[WEEKDAY_OF_DAY][:, None]


# Relative volume per local hour of the day (09-12 and 14-18 busiest).
_HOURLY = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6, 2.8, 2.6,
                    3.4, 3.5, 3.2, 2.8, 2.2, 1.8, 1.4, 1.0, 0.6, 0.4])
_HOURLY_CDF = np.concatenate([[0.0], np.cumsum(_HOURLY) / _HOURLY.sum()])


def time_of_day(u: np.ndarray) -> np.ndarray:
    """Seconds after local midnight for quantiles `u` (monotone in `u`)."""
    return np.interp(u, _HOURLY_CDF, np.arange(25) * HOUR).astype(np.int64)


def season_label(day: date) -> str | None:
    """The heating season (15 October - 15 April) a day falls in, e.g. `2023-24`."""
    if (day.month, day.day) >= (10, 15):
        return f"{day.year}-{(day.year + 1) % 100:02d}"
    if (day.month, day.day) <= (4, 15):
        return f"{day.year - 1}-{day.year % 100:02d}"
    return None


SEASON_OF_DAY = [season_label(day_date(d)) for d in range(DAYS)]
