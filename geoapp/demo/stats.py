"""Counts gathered while the complaints stream past, for the manifest: totals by
category, microdistrict, source, status and language, and the figures of the planted
facts (outage complaints per season and building, land complaints per parcel)."""

from __future__ import annotations

from typing import Any

import numpy as np

from geoapp.demo.complaints import SOURCES, Chunk
from geoapp.demo.lifecycle import NEVER, STATUSES
from geoapp.demo.plan import HEATING, KIND_OUTAGE, KIND_VIOLATION, Plan
from geoapp.demo.timeline import DAYS, SEASON_OF_DAY, utc_to_naive
from geoapp.demo.world import World
from geoapp.taxonomy import CATEGORY_CODES

_SEASONS = sorted({s for s in SEASON_OF_DAY if s})
_SEASON_INDEX = np.array([_SEASONS.index(s) if s else -1 for s in SEASON_OF_DAY])


def _iso(utc: int) -> str:
    """Local (Asia/Almaty) wall-clock time of a UTC second count."""
    naive = int(utc_to_naive(np.array([utc]))[0])
    return str(np.datetime64(naive, "s")).replace("T", " ")


class ComplaintStats:
    def __init__(self, world: World, plan: Plan) -> None:
        self.world = world
        self.plan = plan
        n_md = len(world.md_names)
        self.total = 0
        self.events = 0
        self.by_category = np.zeros(len(CATEGORY_CODES), dtype=np.int64)
        self.by_district = np.zeros(n_md, dtype=np.int64)
        self.by_source = np.zeros(len(SOURCES), dtype=np.int64)
        self.by_status = np.zeros(len(STATUSES), dtype=np.int64)
        self.kazakh = 0
        self.with_address = 0
        self.with_coordinates = 0
        self.district_only = 0
        self.heating = np.zeros((n_md, len(_SEASONS)), dtype=np.int64)
        self.outage = np.zeros((len(world.b_address), len(_SEASONS)), dtype=np.int64)
        self.outage_status = np.zeros(len(STATUSES), dtype=np.int64)
        self.outage_closed = [np.iinfo(np.int64).max, np.iinfo(np.int64).min]
        self.outage_applicants = np.zeros(len(plan.applicants), dtype=np.int64)
        self.violation = np.zeros(len(world.p_cadastral), dtype=np.int64)
        self.violation_by_category = np.zeros(len(CATEGORY_CODES), dtype=np.int64)
        self.first = np.iinfo(np.int64).max
        self.last = np.iinfo(np.int64).min

    def add(self, chunk: Chunk) -> None:
        life = chunk.life
        self.total += len(chunk)
        self.events += int(len(chunk) + (life.assigned != NEVER).sum()
                           + (life.in_progress != NEVER).sum() + (life.closed != NEVER).sum())
        self.by_category += np.bincount(chunk.category, minlength=len(CATEGORY_CODES))
        self.by_district += np.bincount(chunk.district, minlength=len(self.by_district))
        self.by_source += np.bincount(chunk.source, minlength=len(SOURCES))
        self.by_status += np.bincount(life.status, minlength=len(STATUSES))
        self.kazakh += int(chunk.kazakh.sum())
        self.with_address += sum(1 for a in chunk.address if a)
        self.with_coordinates += sum(1 for a in chunk.rep_lat if a)
        self.district_only += int(chunk.district_only.sum())
        self.first = min(self.first, int(chunk.received.min()))
        self.last = max(self.last, int(chunk.received.max()))
        season = _SEASON_INDEX[np.minimum(chunk.day, DAYS - 1)]
        heat = (chunk.category == HEATING) & (season >= 0)
        np.add.at(self.heating, (chunk.district[heat], season[heat]), 1)
        out = chunk.kind == KIND_OUTAGE
        np.add.at(self.outage, (chunk.building[out], season[out]), 1)
        self.outage_status += np.bincount(life.status[out], minlength=len(STATUSES))
        if out.any():
            closed = life.closed[out]
            self.outage_closed = [min(self.outage_closed[0], int(closed.min())),
                                  max(self.outage_closed[1], int(closed.max()))]
        np.add.at(self.outage_applicants, chunk.applicant_of[chunk.applicant_of >= 0], 1)
        vio = chunk.kind == KIND_VIOLATION
        np.add.at(self.violation, chunk.parcel[vio], 1)
        self.violation_by_category += np.bincount(chunk.category[vio],
                                                  minlength=len(CATEGORY_CODES))

    def summary(self) -> dict[str, Any]:
        world = self.world
        return {
            "total": self.total,
            "events": self.events,
            "first_received": _iso(self.first),
            "last_received": _iso(self.last),
            "by_category": {c: int(v) for c, v in zip(CATEGORY_CODES, self.by_category,
                                                      strict=True)},
            "by_group": _groups(self.by_category),
            "by_microdistrict": {n: int(v) for n, v in zip(world.md_names, self.by_district,
                                                           strict=True)},
            "by_source": {s: int(v) for s, v in zip(SOURCES, self.by_source, strict=True)},
            "by_status": {s: int(v) for s, v in zip(STATUSES, self.by_status, strict=True)},
            "by_language": {"ru": self.total - self.kazakh, "kk": self.kazakh},
            "with_address": self.with_address,
            "with_coordinates": self.with_coordinates,
            "known_only_to_their_microdistrict": self.district_only,
        }

    def outage_figures(self) -> dict[str, Any]:
        blocks = self.plan.outage_buildings
        per = self.outage[blocks]
        total = int(per.sum())
        seasons = {s: int(per[:, k].sum()) for k, s in enumerate(_SEASONS)}
        heating_15 = {s: int(self.heating[0, k]) for k, s in enumerate(_SEASONS)}
        background = self.heating.copy()
        background[0] -= per.sum(axis=0)
        others = {}
        for k, s in enumerate(_SEASONS):
            d = int(np.argmax(background[1:, k])) + 1
            others[s] = {"microdistrict": self.world.md_names[d],
                         "complaints": int(background[d, k])}
        used = self.outage_applicants[self.outage_applicants > 0]
        return {
            "complaints_total": total,
            "share_of_all_complaints": round(total / max(self.total, 1), 4),
            "complaints_by_season": seasons,
            "heating_complaints_in_microdistrict_by_season": heating_15,
            "background_heating_in_microdistrict_by_season": {
                s: int(background[0, k]) for k, s in enumerate(_SEASONS)},
            "busiest_other_microdistrict_by_season": others,
            "buildings_with_outage_complaints": {
                s: int((per[:, k] > 0).sum()) for k, s in enumerate(_SEASONS)},
            "complaints_per_building_per_season": {
                s: {"min": int(per[:, k].min()), "max": int(per[:, k].max())}
                for k, s in enumerate(_SEASONS) if seasons[s]},
            "distinct_applicants": len(used),
            "repeat_complaints_from_same_flat": int((used - 1).sum()),
            "status": {s: int(v) for s, v in zip(STATUSES, self.outage_status, strict=True)
                       if v},
            "resolved_between": [_iso(self.outage_closed[0])[:10],
                                 _iso(self.outage_closed[1])[:10]] if total else None,
        }

    def violation_figures(self) -> dict[str, Any]:
        counts = self.violation[self.plan.violators]
        return {
            "complaints_total": int(counts.sum()),
            "complaints_by_category": {c: int(v) for c, v in zip(
                CATEGORY_CODES, self.violation_by_category, strict=True) if v},
            "complaints_per_parcel": {
                self.world.p_cadastral[k]: int(v)
                for k, v in zip(self.plan.violators.tolist(), counts.tolist(), strict=True)},
        }


def _groups(by_category: np.ndarray) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, v in zip(CATEGORY_CODES, by_category.tolist(), strict=True):
        group = code.split(".")[0]
        out[group] = out.get(group, 0) + v
    return out
