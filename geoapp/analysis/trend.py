"""Mann-Kendall trend test and the emerging-hot-spot patterns.

A location's history is three series over the T weeks of the analysis: whether
it was a significant hot spot, a significant cold spot, and its Gi* z-score. The
trend is the Mann-Kendall test (with the tie correction) on the z-scores at
`trend_alpha` (0.05). "Final week" is the last week of the analysis; "share" is
the fraction of all T weeks that were hot. With `threshold` = 0.9:

- new: hot in the final week and never before;
- consecutive: a single run of two or more hot weeks ending with the final week,
  never hot before the run, share below the threshold;
- intensifying: hot in the final week, share at or above the threshold, and the
  z-scores rise (significant upward trend);
- persistent: hot in the final week, share at or above the threshold, no
  significant trend;
- diminishing: hot in the final week, share at or above the threshold, the
  z-scores fall (significant downward trend);
- sporadic: hot in the final week, on and off before, share below the threshold,
  never a cold spot;
- oscillating: hot in the final week, a cold spot in some earlier week, share
  below the threshold;
- historical: not hot in the final week, but hot in at least `threshold` of the
  weeks from its first to its last hot week (a sustained hot spot that ended);
- no pattern: none of the above (never hot, or hot on and off and not now).

These follow ArcGIS's Emerging Hot Spot Analysis, with one change: its
historical needs 90% of all weeks hot, which a seasonal problem that ended
before the last season can never reach; here the 90% is over the weeks it was
active (first to last hot week).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
            "oscillating", "historical", "no pattern")


@dataclass(frozen=True)
class Trend:
    s: int
    z: float
    p: float

    def direction(self, alpha: float = 0.05) -> int:
        """+1 a significant rise, -1 a significant fall, 0 none."""
        if self.p >= alpha:
            return 0
        return 1 if self.s > 0 else -1


def mann_kendall(series: np.ndarray) -> Trend:
    """Mann-Kendall S, its normal z (continuity-corrected, tie-corrected variance) and
    the two-sided p-value."""
    x = np.asarray(series, dtype=float)
    n = x.size
    if n < 3:
        return Trend(0, 0.0, 1.0)
    s = int(np.sign(x[None, :] - x[:, None])[np.triu_indices(n, 1)].sum())
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18
    if var <= 0 or s == 0:
        return Trend(s, 0.0, 1.0)
    z = (s - math.copysign(1, s)) / math.sqrt(var)
    return Trend(s, z, math.erfc(abs(z) / math.sqrt(2)))


def _runs(hot: np.ndarray) -> int:
    """Number of separate runs of hot weeks."""
    return int(hot[0]) + int(np.sum(hot[1:] & ~hot[:-1]))


def classify(hot: np.ndarray, cold: np.ndarray, z: np.ndarray, threshold: float = 0.9,
             trend_alpha: float = 0.05) -> str:
    """The emerging-hot-spot pattern of one location (see the module docstring)."""
    hot, cold = np.asarray(hot, dtype=bool), np.asarray(cold, dtype=bool)
    if not hot.any():
        return "no pattern"
    weeks = np.flatnonzero(hot)
    share = hot.mean()
    if hot[-1]:
        if weeks.size == 1:
            return "new"
        if share >= threshold:
            return {1: "intensifying", -1: "diminishing", 0: "persistent"}[
                mann_kendall(z).direction(trend_alpha)]
        if _runs(hot) == 1:
            return "consecutive"
        return "oscillating" if cold.any() else "sporadic"
    active = hot[weeks[0]: weeks[-1] + 1]
    if active.mean() >= threshold and weeks.size >= 2:
        return "historical"
    return "no pattern"
