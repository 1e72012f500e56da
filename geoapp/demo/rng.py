"""Named random streams: every part of the generator draws from its own stream, so
changing one part (or the complaint count) does not shift the others."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *labels: str | int) -> np.random.Generator:
    """A generator keyed by the seed and a path of labels, e.g. ("complaints", 3)."""
    keys = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF]
    for label in labels:
        keys.append(zlib.crc32(label.encode()) if isinstance(label, str) else int(label))
    return np.random.default_rng(np.random.SeedSequence(keys))
