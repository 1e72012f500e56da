"""Complaint texts: a category template in Russian or Kazakh, an optional greeting and
closing, and typing noise (lower case, missing punctuation, typos)."""

from __future__ import annotations

from geoapp.demo.addresses import typo
from geoapp.demo.texts_kk import KK, KK_CLOSINGS, KK_OPENINGS
from geoapp.demo.texts_ru import RU, RU_CLOSINGS, RU_OPENINGS
from geoapp.taxonomy import CATEGORY_CODES

_RU = [RU[c] for c in CATEGORY_CODES]
_KK = [KK[c] for c in CATEGORY_CODES]


def complaint_text(category: int, kazakh: bool, r: int, u: float) -> str:
    """The text of one complaint; `r` (a random 30-bit integer) picks the template and
    its numbers, `u` in [0, 1) the noise."""
    templates = (_KK if kazakh else _RU)[category]
    openings, closings = (KK_OPENINGS, KK_CLOSINGS) if kazakh else (RU_OPENINGS, RU_CLOSINGS)
    body = templates[r % len(templates)]
    if "{" in body:
        body = body.format(d=5 + (r >> 4) % 16, t=9 + (r >> 9) % 8, h=5 + (r >> 12) % 16,
                           n=2 + (r >> 17) % 8)
    opening = openings[(r >> 20) % len(openings)]
    if opening.endswith(", "):
        body = body[0].lower() + body[1:]
    text = opening + body + closings[(r >> 25) % len(closings)]
    if u < 0.15:
        text = text.lower()
    elif u < 0.18:
        text = text.upper()
    if 0.18 <= u < 0.40:
        text = text.rstrip(".!")
    if 0.35 <= u < 0.45:
        text = typo(text, r >> 3)
    if 0.45 <= u < 0.50:
        text = text.replace(", ", " ").replace(". ", " ")
    if 0.50 <= u < 0.53:
        text = text.rstrip(".") + "!!!"
    return text
