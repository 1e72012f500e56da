"""Getis-Ord Gi* on a hexagon × week cube, count-tail p-values and the
Benjamini–Hochberg false-discovery-rate correction. Pure numpy.

Neighbours are binary weights: a hexagon's ring 1 and itself in space (PostGIS
`ST_HexagonGrid` indices), and the same week, the week before and the week after
in time (only when those weeks are 7 days apart, so a neighbourhood never
reaches across the summer between two heating seasons).

The z-score is the standardised Gi* of Ord & Getis (1995):

    z_i = (sum_j w_ij x_j - mean(x) W_i) / (s sqrt((n W_i - W_i^2) / (n - 1)))

with W_i = sum_j w_ij (binary weights, so sum_j w_ij^2 = W_i), the mean and the
population standard deviation s over all n bins. It equals esda's
`G_Local(star=True)` z-score (tests/test_hotspots.py checks it).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

# Offsets of the six neighbours of hexagon (i, j) in PostGIS's grid: columns i,
# rows j, odd columns shifted half a row up.
_EVEN = ((0, -1), (0, 1), (-1, -1), (-1, 0), (1, -1), (1, 0))
_ODD = ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, 1))


def hex_neighbours(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """(H, 7) row numbers of each hexagon's ring-1 neighbours and itself (column 0);
    -1 where the neighbour is not among the H hexagons."""
    index = {(a, b): k for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True))}
    out = np.full((len(i), 7), -1, dtype=np.int64)
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        out[k, 0] = k
        for m, (di, dj) in enumerate(_ODD if a % 2 else _EVEN, start=1):
            out[k, m] = index.get((a + di, b + dj), -1)
    return out


def hex_centres(i: np.ndarray, j: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Centre coordinates (in the grid's SRS) of hexagons (i, j) of edge `size`."""
    x = 1.5 * size * i
    y = math.sqrt(3) * size * (j + 0.5 * (i % 2))
    return x, y


def spatial_sums(values: np.ndarray, neighbours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums of `values` (H, ...) over each hexagon's neighbourhood, and its size."""
    padded = np.concatenate([values, np.zeros((1, *values.shape[1:]))])
    sums = padded[neighbours].sum(axis=1)
    return sums, (neighbours >= 0).sum(axis=1)


def time_links(mondays: list) -> tuple[np.ndarray, np.ndarray]:
    """Whether each week has a neighbour week before / after it (7 days apart)."""
    gaps = np.array([(b - a).days for a, b in pairwise(mondays)])
    linked = gaps == 7
    return np.r_[False, linked], np.r_[linked, False]


def neighbourhood_sums(cube: np.ndarray, neighbours: np.ndarray, before: np.ndarray,
                       after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Space-time sums over ring 1 × ±1 week of an (H, T) cube, and the number of bins
    summed (W_i)."""
    space, size = spatial_sums(cube, neighbours)
    total = space.copy()
    total[:, 1:] += space[:, :-1] * before[1:]
    total[:, :-1] += space[:, 1:] * after[:-1]
    weeks = 1 + before.astype(np.int64) + after.astype(np.int64)
    return total, size[:, None] * weeks[None, :]


def gi_star(local_sum: np.ndarray, weight: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Standardised Gi* from neighbourhood sums and sizes, over all bins of `values`."""
    n = values.size
    mean = values.mean()
    sd = math.sqrt(max(float((values ** 2).mean() - mean ** 2), 0.0))
    denominator = sd * np.sqrt((n * weight - weight ** 2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (local_sum - mean * weight) / denominator
    return np.where(denominator > 0, z, 0.0)


def spatial_gi_star(values: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Purely spatial Gi* of one value per hexagon (the input esda is compared on)."""
    sums, size = spatial_sums(values.astype(float), neighbours)
    return gi_star(sums, size.astype(float), values.astype(float))


def _log_pmf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    lgamma = np.vectorize(math.lgamma, otypes=[float])
    return k * np.log(mu) - mu - lgamma(k + 1.0)


def poisson_upper(k: np.ndarray, mu: np.ndarray, terms: int = 4000) -> np.ndarray:
    """P(X >= k) for X ~ Poisson(mu); exact series where k > mu, 1 elsewhere (such a
    bin is not in the upper tail at all)."""
    k = np.asarray(k, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-12)
    out = np.ones(np.broadcast(k, mu).shape)
    tail = k > mu
    if not tail.any():
        return out
    kk, mm = np.broadcast_to(k, out.shape)[tail], np.broadcast_to(mu, out.shape)[tail]
    term, total = np.ones_like(kk), np.ones_like(kk)
    for step in range(1, terms):
        term = term * mm / (kk + step)
        total += term
        if term.max() < 1e-17:
            break
    out[tail] = np.minimum(np.exp(_log_pmf(kk, mm)) * total, 1.0)
    return out


def poisson_lower(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """P(X <= k) for X ~ Poisson(mu); exact where k < mu, 1 elsewhere."""
    k = np.asarray(k, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-12)
    out = np.ones(np.broadcast(k, mu).shape)
    tail = k < mu
    if not tail.any():
        return out
    kk, mm = np.broadcast_to(k, out.shape)[tail], np.broadcast_to(mu, out.shape)[tail]
    term, total = np.ones_like(kk), np.ones_like(kk)
    for step in range(int(kk.max())):
        term = term * np.maximum(kk - step, 0.0) / mm
        total += term
    out[tail] = np.minimum(np.exp(_log_pmf(kk, mm)) * total, 1.0)
    return out


def normal_two_sided(z: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a standard normal z."""
    erfc = np.vectorize(math.erfc, otypes=[float])
    return erfc(np.abs(z) / math.sqrt(2.0))


def benjamini_hochberg(p: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Boolean mask of the p-values rejected at false-discovery rate `alpha`."""
    flat = np.asarray(p, dtype=float).ravel()
    order = np.argsort(flat, kind="stable")
    ranked = flat[order]
    passing = np.flatnonzero(ranked <= alpha * np.arange(1, flat.size + 1) / flat.size)
    mask = np.zeros(flat.size, dtype=bool)
    if passing.size:
        mask[order[: passing[-1] + 1]] = True
    return mask.reshape(np.shape(p))
