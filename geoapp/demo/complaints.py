"""The complaints themselves, generated in chunks of `CHUNK` rows with numpy so that a
million of them need neither much time nor much memory. Chunk k draws from its own
random stream, so the output depends only on the seed and the size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely

from geoapp.demo import geo
from geoapp.demo.lifecycle import Life, lifecycle
from geoapp.demo.plan import (
    KIND_OUTAGE,
    KIND_VIOLATION,
    Plan,
    make_plan,
)
from geoapp.demo.rng import stream
from geoapp.demo.subjects import (
    POINTS_PER_PARCEL,
    POOL_OF_CATEGORY,
    POOLS,
    SUBJECT_BUILDING,
    SUBJECT_PARCEL,
    SUBJECT_PLACE,
    Subjects,
    build_subjects,
)
from geoapp.demo.timeline import DAY, T0, naive_to_utc, time_of_day
from geoapp.demo.wording import Wording
from geoapp.demo.world import World

CHUNK = 20_000
LABEL_BLANK = 0.1  # share of exported rows without a category label
SOURCES = ("109", "eotinish", "web", "walk_in")
_SOURCE_CUM = np.cumsum([0.70, 0.15, 0.10, 0.05])
_ID_PREFIX = {"109": "109", "eotinish": "EOT", "web": "WEB", "walk_in": "WI"}


@dataclass
class Chunk:
    """One chunk of complaints, column by column (row i of every field together)."""

    index: np.ndarray
    day: np.ndarray  # days since 1 October 2022 (local)
    received: np.ndarray  # UTC seconds
    category: np.ndarray
    kind: np.ndarray
    subject: np.ndarray
    building: np.ndarray  # -1 when the complaint is not about a building
    near_building: np.ndarray  # the building a place complaint is next to, else -1
    parcel: np.ndarray  # the parcel the complaint is on, -1 if none
    district: np.ndarray
    lon: np.ndarray  # the true place, rounded as stored
    lat: np.ndarray
    kazakh: np.ndarray
    source: np.ndarray
    external_id: list[str]
    life: Life
    text: list[str]
    address: list[str]  # as written, "" when missing
    rep_lat: list[str]  # reported coordinates as written, "" when missing
    rep_lon: list[str]
    applicant: list[str]
    phone: list[str]  # normalised, "" when missing
    phone_typed: list[str]
    applicant_of: np.ndarray  # index into the plan's outage applicants, -1 for others
    label_blank: np.ndarray  # the export left the category column empty
    district_only: np.ndarray  # known to its microdistrict only (wording.Words)

    def __len__(self) -> int:
        return len(self.index)


class ComplaintStream:
    """Iterates over the chunks of `total` complaints for a world and a seed."""

    def __init__(self, world: World, seed: int, total: int) -> None:
        self.world = world
        self.seed = seed
        self.total = total
        self.plan: Plan = make_plan(world, seed, total)
        self.subjects: Subjects = build_subjects(world, stream(seed, "subjects"))
        self.wording = Wording(world, self.subjects)
        self._serial: dict[tuple[int, int], int] = {}

    def __iter__(self) -> Iterator[Chunk]:
        self._serial = {}
        for k, start in enumerate(range(0, self.total, CHUNK)):
            yield self._chunk(k, start, min(start + CHUNK, self.total))

    def _times(self, rng: np.random.Generator, index: np.ndarray) -> tuple[np.ndarray, ...]:
        plan = self.plan
        day = np.searchsorted(plan.day_start, index, side="right") - 1
        slot = index - plan.day_start[day]
        per_day = plan.day_start[day + 1] - plan.day_start[day]
        seconds = time_of_day((slot + rng.random(len(index))) / per_day)
        naive = (T0 + day * DAY + seconds) // 60 * 60
        return day, naive, naive_to_utc(naive)

    def _external_ids(self, source: np.ndarray, year: np.ndarray,
                      gaps: np.ndarray) -> list[str]:
        out = []
        serial = self._serial
        for s, y, g in zip(source.tolist(), year.tolist(), gaps.tolist(), strict=True):
            key = (s, y)
            value = serial.get(key, 1000 + 37 * s) + g
            serial[key] = value
            out.append(f"{_ID_PREFIX[SOURCES[s]]}-{y}-{value:07d}")
        return out

    def _subjects(self, rng: np.random.Generator, category: np.ndarray, kind: np.ndarray,
                  sp: slice, local: np.ndarray) -> tuple[np.ndarray, ...]:
        n = len(category)
        plan, world = self.plan, self.world
        building = np.full(n, -1, dtype=np.int64)
        parcel = np.full(n, -1, dtype=np.int64)
        pool = POOL_OF_CATEGORY[category]
        u = rng.random(n)
        for p, name in enumerate(POOLS):
            rows = np.flatnonzero((pool == p) & (kind == 0))
            if not len(rows):
                continue
            chosen = self.subjects.pools[p].sample(u[rows])
            if name == "parcel":
                parcel[rows] = chosen
            else:
                building[rows] = chosen
        building[local] = np.where(plan.sp_kind[sp] == KIND_OUTAGE, plan.sp_building[sp], -1)
        parcel[local] = np.where(plan.sp_kind[sp] == KIND_VIOLATION, plan.sp_parcel[sp], -1)
        subject = np.where(parcel >= 0, SUBJECT_PARCEL,
                           np.where(pool == POOLS.index("place"), SUBJECT_PLACE,
                                    SUBJECT_BUILDING))
        subject[local] = np.where(plan.sp_kind[sp] == KIND_OUTAGE, SUBJECT_BUILDING,
                                  SUBJECT_PARCEL)
        on_building = subject == SUBJECT_BUILDING
        parcel = np.where(on_building, world.b_parcel[np.maximum(building, 0)], parcel)
        return subject, building, parcel

    def _place(self, rng: np.random.Generator, subject: np.ndarray, building: np.ndarray,
               parcel: np.ndarray) -> tuple[np.ndarray, ...]:
        world = self.world
        n = len(subject)
        b = np.maximum(building, 0)
        x, y = world.b_x[b].copy(), world.b_y[b].copy()
        angle = rng.uniform(0, 2 * np.pi, n)
        dist = rng.uniform(20, 60, n)
        place = subject == SUBJECT_PLACE
        x[place] += dist[place] * np.cos(angle[place])
        y[place] += dist[place] * np.sin(angle[place])
        on_parcel = subject == SUBJECT_PARCEL
        pick = rng.integers(0, POINTS_PER_PARCEL, n)
        pts = self.subjects.parcel_points[np.maximum(parcel, 0), pick]
        x[on_parcel], y[on_parcel] = pts[on_parcel, 0], pts[on_parcel, 1]
        district = np.where(on_parcel, world.p_district[np.maximum(parcel, 0)],
                            world.b_district[b])
        loose = np.flatnonzero(subject != SUBJECT_BUILDING)
        found = self._district_at(x[loose], y[loose])
        district[loose] = np.where(found >= 0, found, district[loose])
        lost = loose[(found < 0) & place[loose]]  # just outside the city: use the building
        x[lost], y[lost] = world.b_x[b[lost]], world.b_y[b[lost]]
        lon, lat = geo.lonlat(x, y)
        on_building = subject == SUBJECT_BUILDING
        lon[on_building], lat[on_building] = world.b_lon[b[on_building]], world.b_lat[
            b[on_building]]
        return x, y, lon, lat, district

    def _district_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.full(len(x), -1, dtype=np.int64)
        for k, geom in enumerate(self.world.md_local):
            hit = shapely.contains_xy(geom, x, y)
            out[(out < 0) & hit] = k
        return out

    def _chunk(self, k: int, start: int, stop: int) -> Chunk:
        rng = stream(self.seed, "complaints", self.total, k)
        plan = self.plan
        index = np.arange(start, stop, dtype=np.int64)
        n = len(index)
        day, naive, received = self._times(rng, index)
        s0, s1 = np.searchsorted(plan.sp_index, [start, stop])
        sp = slice(int(s0), int(s1))
        local = plan.sp_index[sp] - start
        cum = np.cumsum(plan.day_probs[day], axis=1)
        category = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), cum.shape[1] - 1)
        category[local] = plan.sp_category[sp]
        kind = np.zeros(n, dtype=np.int64)
        kind[local] = plan.sp_kind[sp]
        subject, building, parcel = self._subjects(rng, category, kind, sp, local)
        x, y, lon, lat, district = self._place(rng, subject, building, parcel)
        kazakh = rng.random(n) < 0.3
        applicant_of = np.full(n, -1, dtype=np.int64)
        applicant_of[local] = plan.sp_applicant[sp]
        source = np.searchsorted(_SOURCE_CUM, rng.random(n) * _SOURCE_CUM[-1], side="right")
        source = np.minimum(source, len(SOURCES) - 1)
        year = (naive // DAY * DAY).astype("datetime64[s]").astype("datetime64[Y]").astype(
            np.int64) + 1970
        gaps = 1 + (rng.random(n) < 0.3) * rng.integers(1, 4, n)
        external_id = self._external_ids(source, year, gaps)
        life = lifecycle(rng, received, category, kind)
        words = self.wording.chunk(rng, category=category, kind=kind, subject=subject,
                                   building=building, parcel=parcel, district=district,
                                   x=x, y=y, kazakh=kazakh, applicant_of=applicant_of,
                                   applicants=plan.applicants)
        return Chunk(index=index, day=day, received=received, category=category, kind=kind,
                     subject=subject,
                     building=np.where(subject == SUBJECT_PLACE, -1, building),
                     near_building=np.where(subject == SUBJECT_PLACE, building, -1),
                     parcel=parcel, district=district, lon=lon, lat=lat,
                     kazakh=words.kazakh, source=source, external_id=external_id, life=life,
                     text=words.text, address=words.address, rep_lat=words.rep_lat,
                     rep_lon=words.rep_lon, applicant=words.applicant, phone=words.phone,
                     phone_typed=words.phone_typed, applicant_of=applicant_of,
                     label_blank=rng.random(n) < LABEL_BLANK,
                     district_only=words.district_only)
