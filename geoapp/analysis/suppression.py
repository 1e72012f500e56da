"""Small-count suppression for the public aggregates, on a fixed lattice of cells.

A published cell is (area, group, period): `group` is a category group or "all",
`period` is "all", a year ("2024"), a quarter ("2024-Q1") or, for trends, a month
("2024-01"). Nothing else can be asked for: no free date ranges, no single categories,
no statuses, so the set of published numbers is fixed and known in advance.

Primary suppression: a cell with 1..k-1 complaints is withheld (0 is published).

Differencing protection (complementary suppression): the lattice has additive
relations, parent = sum of children: for each area and period, "all" groups = sum of
the groups; for each area and group, "all" = sum of years, a year = sum of its
quarters, a quarter = sum of its months. If a published parent had withheld
children whose total could be recovered by subtraction (one withheld child, or
withheld children adding up to less than k, or primary cells whose total pins each
of them down: all 1s or all k-1), the smallest published non-zero sibling is
withheld too (or, when there is none, the parent). A withheld parent whose children
are all published would be their sum, so the smallest of them is withheld with it
(a year withheld as another year's complement, its four quarters shown). This
repeats until no relation has a single unknown, so no chain of sums and differences
of published cells (two periods, "all" versus a group, a year from its quarters)
reveals a count below k. Areas are never summed into a published total, so the
relations stay within one area.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

ALL = "all"
Key = tuple[Hashable, str, str]  # (area, group, period)


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)


def _next_month(year: int, month: int, by: int = 1) -> date:
    index = year * 12 + month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def parse_period(key: str) -> Period | None:
    """The lattice period named `key`, or None when `key` is not one ("all" is None too:
    it has no bounds)."""
    try:
        if len(key) == 4 and key.isdigit():
            year = int(key)
            return Period(key, date(year, 1, 1), date(year + 1, 1, 1))
        if len(key) == 7 and key[4:6] == "-Q" and key[:4].isdigit() and key[6] in "1234":
            year, quarter = int(key[:4]), int(key[6])
            start = date(year, 3 * quarter - 2, 1)
            return Period(key, start, _next_month(year, start.month, 3))
        if len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit():
            year, month = int(key[:4]), int(key[5:])
            return Period(key, date(year, month, 1), _next_month(year, month))
    except ValueError:
        return None
    return None


def period_for_dates(date_from: date | None, date_to: date | None) -> str | None:
    """The lattice period whose first and last days are these dates ("all" for none)."""
    if date_from is None and date_to is None:
        return ALL
    if date_from is None or date_to is None:
        return None
    for key in (f"{date_from.year}", f"{date_from.year}-Q{(date_from.month + 2) // 3}",
                f"{date_from.year}-{date_from.month:02d}"):
        period = parse_period(key)
        if period and period.start == date_from and period.last_day == date_to:
            return key
    return None


def years_between(first: date, last: date) -> list[str]:
    return [str(y) for y in range(first.year, last.year + 1)]


def quarters_of(year: str) -> list[str]:
    return [f"{year}-Q{q}" for q in range(1, 5)]


def months_of(quarter: str) -> list[str]:
    year, q = quarter[:4], int(quarter[6])
    return [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def last_months(last: date, count: int = 12) -> list[str]:
    out = []
    for back in range(count - 1, -1, -1):
        d = _next_month(last.year, last.month, -back)
        out.append(f"{d.year}-{d.month:02d}")
    return out


def period_options(first: date, last: date) -> list[str]:
    """The periods offered as filters: all, each year, each quarter that has data days."""
    out = [ALL]
    for year in years_between(first, last):
        out.append(year)
    for year in years_between(first, last):
        for quarter in quarters_of(year):
            p = parse_period(quarter)
            if p and p.end > first and p.start <= last:
                out.append(quarter)
    return out


def relations(areas: Iterable[Hashable], groups: Iterable[str], years: list[str],
              with_months: bool) -> list[tuple[Key, list[Key]]]:
    """Every additive relation parent = sum(children) of the lattice."""
    periods = [ALL, *years]
    for year in years:
        periods += quarters_of(year)
        if with_months:
            for quarter in quarters_of(year):
                periods += months_of(quarter)
    groups = list(groups)
    out: list[tuple[Key, list[Key]]] = []
    for area in areas:
        for period in periods:
            out.append(((area, ALL, period), [(area, g, period) for g in groups]))
        for group in [ALL, *groups]:
            out.append(((area, group, ALL), [(area, group, y) for y in years]))
            for year in years:
                out.append(((area, group, year), [(area, group, q) for q in quarters_of(year)]))
                if with_months:
                    for quarter in quarters_of(year):
                        out.append(((area, group, quarter),
                                    [(area, group, m) for m in months_of(quarter)]))
    return out


def _safe(hidden: list[Key], counts: Mapping[Key, int], primary: set[Key], k: int) -> bool:
    total = sum(counts.get(c, 0) for c in hidden)
    if len(hidden) < 2 or total < k:
        return False
    pinned = total in (len(hidden), len(hidden) * (k - 1))
    return not (pinned and all(c in primary for c in hidden))


def suppress(counts: Mapping[Key, int], rels: list[tuple[Key, list[Key]]], k: int
             ) -> set[Key]:
    """The cells to withhold: primary (1..k-1) and complementary ones (see module doc)."""
    primary = {key for key, n in counts.items() if 0 < n < k}
    withheld = set(primary)
    changed = True
    while changed:
        changed = False
        for parent, children in rels:
            hidden = [c for c in children if c in withheld]
            if parent in withheld:
                # Its published children would add up to it: withhold the smallest.
                shown = sorted((counts.get(c, 0), str(c), c) for c in children
                               if counts.get(c, 0) > 0)
                if shown and not hidden:
                    withheld.add(shown[0][2])
                    changed = True
                continue
            if not hidden or _safe(hidden, counts, primary, k):
                continue
            shown = sorted((counts.get(c, 0), str(c), c) for c in children
                           if c not in withheld and counts.get(c, 0) > 0)
            withheld.add(shown[0][2] if shown else parent)
            changed = True
    return withheld
