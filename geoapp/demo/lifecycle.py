"""How each complaint moved through the statuses up to the data's "now" (1 January
2025): received -> assigned -> in_progress -> resolved or rejected. Older complaints
are mostly closed (days to close ~ lognormal, median about ten days), about 5% are
rejected with a reason, recent ones are still open. The 15 мкр outage complaints all
close between May and October 2024, after the repairs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from geoapp.demo.plan import KIND_OUTAGE, KIND_VIOLATION
from geoapp.demo.timeline import AS_OF_UTC, DAY, HOUR, naive_of, naive_to_utc, utc_to_naive
from geoapp.taxonomy import CATEGORY_CODES, REJECT_REASONS

STATUSES = ("received", "assigned", "in_progress", "resolved", "rejected")
RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED, REJECTED = range(5)
NEVER = -1

_MEDIAN_DAYS = {"land": 20.0, "housing_utilities.heating": 3.0,
                "housing_utilities.hot_water": 5.0, "housing_utilities.electricity": 2.0,
                "housing_utilities.gas": 2.0, "roads": 14.0, "transport": 7.0,
                "social": 12.0}
MEDIAN_DAYS = np.array([_MEDIAN_DAYS.get(c, _MEDIAN_DAYS.get(c.split(".")[0], 10.0))
                        for c in CATEGORY_CODES])
OUTAGE_FIXED_FROM = naive_of(date(2024, 5, 1), 9 * HOUR)
OUTAGE_FIXED_TO = naive_of(date(2024, 10, 31), 18 * HOUR)


@dataclass
class Life:
    status: np.ndarray
    reason: np.ndarray  # index into REJECT_REASONS, -1 when not rejected
    assigned: np.ndarray  # UTC seconds or NEVER
    in_progress: np.ndarray
    closed: np.ndarray


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float,
               n: int) -> np.ndarray:
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _office_hours(rng: np.random.Generator, utc: np.ndarray) -> np.ndarray:
    """Move closing times that fall outside 09:00-19:00 local to the next morning."""
    naive = utc_to_naive(utc)
    hour = naive % DAY // HOUR
    morning = naive - naive % DAY + 9 * HOUR + rng.integers(0, 10 * HOUR, len(utc))
    moved = np.where(hour < 9, morning, np.where(hour >= 19, morning + DAY, naive))
    return naive_to_utc(moved)


def lifecycle(rng: np.random.Generator, received: np.ndarray, category: np.ndarray,
              kind: np.ndarray) -> Life:
    n = len(received)
    duration = np.maximum(_lognormal(rng, MEDIAN_DAYS[category] * DAY, 0.9, n), 1800)
    assigned = received + np.maximum(_lognormal(rng, 3 * HOUR, 0.8, n), 300)
    progress = assigned + _lognormal(rng, 20 * HOUR, 0.8, n)
    closed = received + duration
    quick = closed <= progress
    assigned = np.where(quick, received + 0.2 * duration, assigned)
    progress = np.where(quick, received + 0.5 * duration, progress)
    violation = kind == KIND_VIOLATION
    rejected = rng.random(n) < np.where(violation, 0.35, 0.05)
    reason = np.where(rejected, rng.choice(3, size=n, p=[0.4, 0.3, 0.3]), -1)
    reason = np.where(rejected & violation, REJECT_REASONS.index("unfounded"), reason)
    progress = np.where(rejected & (rng.random(n) < 0.5), NEVER, progress)
    stuck = rng.random(n) < 0.01
    outage = kind == KIND_OUTAGE
    if outage.any():
        m = int(outage.sum())
        fixed = naive_to_utc(rng.integers(OUTAGE_FIXED_FROM, OUTAGE_FIXED_TO, size=m))
        assigned[outage] = received[outage] + rng.uniform(1, 10, m) * HOUR
        progress[outage] = assigned[outage] + rng.uniform(1, 4, m) * DAY
        closed[outage] = fixed
        rejected[outage] = False
        reason[outage] = -1
        stuck[outage] = False
    closed = np.maximum(_office_hours(rng, np.round(closed).astype(np.int64)), progress + 60)
    assigned, progress, closed = (np.round(a).astype(np.int64)
                                  for a in (assigned, progress, closed))
    open_ = stuck | (closed > AS_OF_UTC)
    closed = np.where(open_, NEVER, closed)
    assigned = np.where(assigned > AS_OF_UTC, NEVER, assigned)
    progress = np.where((progress > AS_OF_UTC) | (assigned == NEVER), NEVER, progress)
    status = np.select(
        [~open_ & rejected, ~open_, progress != NEVER, assigned != NEVER],
        [REJECTED, RESOLVED, IN_PROGRESS, ASSIGNED], RECEIVED)
    reason = np.where(status == REJECTED, reason, -1)
    return Life(status, reason, assigned, progress, closed)
