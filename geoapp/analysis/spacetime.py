"""Significance of each bin of the cube: the exposure, the Gi* z-score, a p-value,
and the false-discovery-rate correction.

Exposure. Complaints come from buildings, and buildings are unevenly spread (1 to
50+ per hexagon), so raw counts are high wherever buildings are dense. The
expected value of a bin is its share of the register's buildings times that
week's citywide count, e_ht = b_h * X_t / B (b_h at least 1). This also absorbs
citywide cold spells: a week when everybody complains is not a local hotspot.

Gi*. The z-score is Gi* (space-time neighbourhood: ring 1 × ±1 week) of the
excess y = x - e, which sums to zero each week.

p-value. Counts are sparse (most bins are 0), and there the normal tail of Gi*
is far too light: random data give dozens of "significant" bins. So with
`method="poisson"` (the default) a bin's p-value is the two-sided Poisson tail of
its neighbourhood count L = sum x against its neighbourhood expectation M = sum e
(counts of distinct buildings are at most Poisson-dispersed under the null, so
this is conservative); `method="normal"` is the textbook normal p of the z-score.
Benjamini–Hochberg at `alpha` over all bins; a hot spot is a significant bin
above expectation, a cold spot one below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoapp.analysis.cube import Cube
from geoapp.analysis.getis import (
    benjamini_hochberg,
    gi_star,
    hex_neighbours,
    neighbourhood_sums,
    normal_two_sided,
    poisson_lower,
    poisson_upper,
    time_links,
)

METHODS = ("poisson", "normal")


@dataclass(frozen=True)
class BinStats:
    z: np.ndarray  # (H, T) Gi* z-score of the excess
    p: np.ndarray  # (H, T) two-sided p-value
    hot: np.ndarray  # (H, T) significant and above expectation
    cold: np.ndarray  # (H, T) significant and below expectation
    expected: np.ndarray  # (H, T) e_ht
    neighbours: np.ndarray  # (H, 7) ring 1 and itself


def expected_counts(cube: Cube) -> np.ndarray:
    exposure = np.maximum(cube.buildings, 1).astype(float)
    weekly = cube.counts.sum(axis=0).astype(float)
    return exposure[:, None] * weekly[None, :] / exposure.sum()


def bin_stats(cube: Cube, alpha: float = 0.05, method: str = "poisson") -> BinStats:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    neighbours = hex_neighbours(cube.i, cube.j)
    before, after = time_links(cube.mondays)
    counts = cube.counts.astype(float)
    expected = expected_counts(cube)
    observed, weight = neighbourhood_sums(counts, neighbours, before, after)
    mean, _ = neighbourhood_sums(expected, neighbours, before, after)
    excess = counts - expected
    z = gi_star(observed - mean, weight.astype(float), excess)
    if method == "poisson":
        p = np.minimum(1.0, 2 * np.minimum(poisson_upper(observed, mean),
                                           poisson_lower(observed, mean)))
        above, below = observed > mean, observed < mean
    else:
        p = normal_two_sided(z)
        above, below = z > 0, z < 0
    significant = benjamini_hochberg(p, alpha)
    return BinStats(z, p, significant & above, significant & below, expected, neighbours)
