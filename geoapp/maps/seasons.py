"""Heating seasons (15 October – 15 April by default) and their weeks."""

from __future__ import annotations

from datetime import date, timedelta

SEASON_START = (10, 15)
SEASON_END = (4, 15)


def season_of(day: date, start: tuple[int, int] = SEASON_START,
              end: tuple[int, int] = SEASON_END) -> str | None:
    """'2022-23' for a day inside the 2022-23 heating season, else None."""
    first_year = day.year if (day.month, day.day) >= start else day.year - 1
    season_start = date(first_year, *start)
    season_end = date(first_year + 1, *end)
    if season_start <= day <= season_end:
        return f"{first_year}-{str(first_year + 1)[2:]}"
    return None


def season_weeks(first: date, last: date, start: tuple[int, int] = SEASON_START,
                 end: tuple[int, int] = SEASON_END) -> list[tuple[date, str]]:
    """Mondays of the weeks that overlap a heating season between two days, with the
    season's label."""
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        label = next((s for d in range(7)
                      if (s := season_of(monday + timedelta(days=d), start, end))), None)
        if label:
            weeks.append((monday, label))
        monday += timedelta(days=7)
    return weeks
