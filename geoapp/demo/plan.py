"""The complaint plan for a seed and a size: how many complaints each day gets, and
which slots hold the planted complaints (the 15 мкр heating outage and the land
complaints about violating parcels). Complaints are numbered in time order; the
plan is small (a few arrays of days and planted rows), whatever the size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoapp.demo.people import person_names, phones
from geoapp.demo.rng import stream
from geoapp.demo.timeline import COLD, DAYS, SEASON_OF_DAY, WEEKDAY_OF_DAY, category_weights
from geoapp.demo.violations import TAG_DOUBLE, TAG_STATE_NEEDS, TAG_WATER
from geoapp.demo.world import World
from geoapp.taxonomy import CATEGORY_CODES

OUTAGE_SHARE = 0.022
VIOLATION_SHARE = 0.011
OUTAGE_SEASONS = ("2022-23", "2023-24")
KIND_BACKGROUND, KIND_OUTAGE, KIND_VIOLATION = 0, 1, 2
HEATING = CATEGORY_CODES.index("housing_utilities.heating")
ILLEGAL = CATEGORY_CODES.index("land.illegal_allocation")
ENCROACHMENT = CATEGORY_CODES.index("land.encroachment")
VIOLATION_TAGS = (TAG_STATE_NEEDS, TAG_DOUBLE, TAG_WATER)


@dataclass(frozen=True)
class Applicant:
    """A resident of 15 мкр who complains about the heating, often more than once."""

    building: int
    flat: int
    name: str
    phone: str
    kazakh: bool


@dataclass
class Plan:
    total: int
    day_start: np.ndarray  # (DAYS + 1,) first complaint number of each day
    day_probs: np.ndarray  # (DAYS, categories) background category probabilities
    sp_index: np.ndarray  # planted complaints, sorted by complaint number
    sp_kind: np.ndarray
    sp_building: np.ndarray
    sp_parcel: np.ndarray
    sp_category: np.ndarray
    sp_applicant: np.ndarray
    applicants: list[Applicant]
    outage_buildings: np.ndarray
    violators: np.ndarray


@dataclass
class _Planted:
    day: np.ndarray
    kind: np.ndarray
    building: np.ndarray
    parcel: np.ndarray
    category: np.ndarray
    applicant: np.ndarray

    @staticmethod
    def join(parts: list[_Planted]) -> _Planted:
        return _Planted(*(np.concatenate([getattr(p, f) for p in parts]).astype(np.int64)
                          for f in ("day", "kind", "building", "parcel", "category",
                                    "applicant")))

    def take(self, order: np.ndarray) -> _Planted:
        return _Planted(self.day[order], self.kind[order], self.building[order],
                        self.parcel[order], self.category[order], self.applicant[order])


def outage_buildings(world: World) -> np.ndarray:
    heating = np.array(world.b_heating)
    return np.flatnonzero((world.b_district == 0) & (heating == "central"))


def violating_parcels(world: World) -> np.ndarray:
    return np.array([k for k, p in enumerate(world.reg.parcels) if p.tag in VIOLATION_TAGS],
                    dtype=np.int64)


def _applicants(world: World, buildings: np.ndarray,
                rng: np.random.Generator) -> tuple[list[Applicant], list[np.ndarray]]:
    out: list[Applicant] = []
    per_building: list[np.ndarray] = []
    for b in buildings.tolist():
        flats = world.reg.buildings[b].flats
        count = int(rng.integers(2, 7))
        chosen = rng.choice(np.arange(1, flats + 1), size=min(count, flats), replace=False)
        kazakh = rng.random(len(chosen)) < 0.7
        names = person_names(rng, kazakh)
        numbers = phones(rng, len(chosen))
        first = len(out)
        for flat, name, phone, kk in zip(chosen.tolist(), names, numbers, kazakh.tolist(),
                                         strict=True):
            out.append(Applicant(b, flat, name, phone, kk))
        per_building.append(np.arange(first, len(out)))
    return out, per_building


def _outage(world: World, buildings: np.ndarray, applicants: list[Applicant],
            per_building: list[np.ndarray], total: int, rng: np.random.Generator) -> _Planted:
    count = min(max(round(OUTAGE_SHARE * total), 2 * len(buildings)), total // 4)
    weights = world.b_residents[buildings] / world.b_residents[buildings].sum()
    days, blds, apps = [], [], []
    for s, season in enumerate(OUTAGE_SEASONS):
        n = count // 2 + (count % 2 if s == 1 else 0)
        base = np.ones(len(buildings), dtype=np.int64) if n >= len(buildings) else np.zeros(
            len(buildings), dtype=np.int64)
        per = base + rng.multinomial(n - base.sum(), weights)
        season_days = np.array([d for d in range(DAYS) if SEASON_OF_DAY[d] == season])
        p = COLD[season_days] * np.where(WEEKDAY_OF_DAY[season_days] >= 5, 0.6, 1.0)
        for k, m in enumerate(per.tolist()):
            days.append(rng.choice(season_days, size=m, p=p / p.sum()))
            blds.append(np.full(m, buildings[k]))
            owners = per_building[k]
            rank = 1.0 / np.arange(1, len(owners) + 1)
            apps.append(rng.choice(owners, size=m, p=rank / rank.sum()))
    n = sum(len(d) for d in days)
    return _Planted(np.concatenate(days), np.full(n, KIND_OUTAGE), np.concatenate(blds),
                    np.full(n, -1), np.full(n, HEATING), np.concatenate(apps))


def _violations(world: World, parcels: np.ndarray, total: int,
                rng: np.random.Generator) -> _Planted:
    count = min(max(round(VIOLATION_SHARE * total), len(parcels)), total // 8)
    base = np.ones(len(parcels), dtype=np.int64) if count >= len(parcels) else np.zeros(
        len(parcels), dtype=np.int64)
    per = base + rng.multinomial(count - base.sum(), np.full(len(parcels), 1 / len(parcels)))
    target = np.repeat(parcels, per)
    water = np.array([world.reg.parcels[k].tag == TAG_WATER for k in target.tolist()],
                     dtype=bool)
    encroach = rng.random(len(target)) < np.where(water, 0.45, 0.15)
    n = len(target)
    return _Planted(rng.integers(0, DAYS, size=n), np.full(n, KIND_VIOLATION),
                    np.full(n, -1), target, np.where(encroach, ENCROACHMENT, ILLEGAL),
                    np.full(n, -1))


def make_plan(world: World, seed: int, total: int) -> Plan:
    rng = stream(seed, "plan", total)
    buildings = outage_buildings(world)
    applicants, per_building = _applicants(world, buildings, stream(seed, "applicants"))
    violators = violating_parcels(world)
    sp = _Planted.join([_outage(world, buildings, applicants, per_building, total, rng),
                        _violations(world, violators, total, rng)])
    sp = sp.take(rng.permutation(len(sp.day)))
    weights = category_weights()
    day_volume = weights.sum(axis=1)
    special_per_day = np.bincount(sp.day, minlength=DAYS)
    background = rng.multinomial(total - len(sp.day), day_volume / day_volume.sum())
    counts = background + special_per_day
    day_start = np.concatenate([[0], np.cumsum(counts)])
    index = np.empty(len(sp.day), dtype=np.int64)
    order = np.argsort(sp.day, kind="stable")
    pos = 0
    for d in np.flatnonzero(special_per_day).tolist():
        m = int(special_per_day[d])
        slots = rng.choice(int(counts[d]), size=m, replace=False)
        index[order[pos:pos + m]] = day_start[d] + slots
        pos += m
    final = np.argsort(index, kind="stable")
    sp = sp.take(final)
    return Plan(
        total=total, day_start=day_start, day_probs=weights / day_volume[:, None],
        sp_index=index[final], sp_kind=sp.kind, sp_building=sp.building, sp_parcel=sp.parcel,
        sp_category=sp.category, sp_applicant=sp.applicant, applicants=applicants,
        outage_buildings=buildings, violators=violators,
    )
