"""What a complaint says and how it was typed: the text, the address in one of many
Russian or Kazakh forms (or none), the reported coordinates (jittered, sometimes
swapped, outside the city or with a decimal comma, or missing) and the applicant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoapp.demo import geo
from geoapp.demo.addresses import add_noise, district_only, near, street_in_district, written
from geoapp.demo.people import person_names, phone_as_typed, phones
from geoapp.demo.plan import KIND_OUTAGE, KIND_VIOLATION, Applicant
from geoapp.demo.subjects import SUBJECT_BUILDING, SUBJECT_PLACE, Subjects
from geoapp.demo.texts import complaint_text
from geoapp.demo.world import World

COORDS_ONLY, ADDRESS_ONLY = 0.05, 0.35  # shares: no address / no coordinates
SWAPPED, OUTSIDE, DECIMAL_COMMA = 0.006, 0.004, 0.15


@dataclass
class Words:
    kazakh: np.ndarray
    text: list[str]
    address: list[str]
    rep_lat: list[str]
    rep_lon: list[str]
    applicant: list[str]
    phone: list[str]
    phone_typed: list[str]
    # The address names only the microdistrict and no coordinates place the complaint
    # (none reported, or outside the city): it can be known to its microdistrict only.
    district_only: np.ndarray


class Wording:
    def __init__(self, world: World, subjects: Subjects) -> None:
        self.world = world
        self.subjects = subjects
        reg = world.reg
        self.b_area = [reg.areas[b.area] for b in reg.buildings]
        self.b_number = [b.number for b in reg.buildings]
        self.b_flats = np.array([b.flats for b in reg.buildings], dtype=np.int64)
        self.p_building = [p.building for p in reg.parcels]
        self.b_district = [b.district for b in reg.buildings]

    def _building_address(self, b: int, flat: int, kazakh: bool, r: int) -> str:
        return written(self.b_area[b], self.b_number[b], flat, kazakh, r)

    def _street_in_district(self, b: int, kazakh: bool, r: int) -> str | None:
        d = self.b_district[b]
        return street_in_district(self.b_area[b], self.world.md_names[d],
                                  self.world.md_names_kk[d], kazakh, r)

    def _district_only(self, d: int, kazakh: bool, r: int) -> str | None:
        """The place's own microdistrict (not its nearby building's, which may lie
        across the boundary)."""
        return district_only(self.world.md_names[d], self.world.md_names_kk[d], kazakh, r)

    def _parcel_address(self, p: int, kazakh: bool, r: int, u: float) -> str:
        world = self.world
        own = self.p_building[p]
        if own >= 0:
            return self._building_address(own, 0, kazakh, r)
        ref = int(self.subjects.parcel_ref_building[p])
        if ref >= 0 and u < 0.6:
            return near(self._building_address(ref, 0, kazakh, r >> 11), kazakh, r)
        d = int(world.p_district[p])
        if kazakh:
            return f"{world.md_names_kk[d]}, {world.p_cadastral[p]} учаскесі"
        return f"{world.md_names[d]}, уч. {world.p_cadastral[p]}"

    def _coordinates(self, rng: np.random.Generator, x: np.ndarray, y: np.ndarray,
                     has: np.ndarray, clean: np.ndarray
                     ) -> tuple[list[str], list[str], np.ndarray]:
        """The coordinates as reported, and which of them lie outside the city."""
        n = len(x)
        lon, lat = geo.lonlat(x + rng.normal(0, 4, n), y + rng.normal(0, 4, n))
        u = rng.random(n)
        swapped = (u < SWAPPED) & ~clean
        outside = (u >= SWAPPED) & (u < SWAPPED + OUTSIDE) & ~clean
        lon = np.where(outside, lon + rng.choice([-1, 1], n) * rng.uniform(0.4, 1.2, n), lon)
        lat = np.where(outside, lat + rng.uniform(-0.5, 0.5, n), lat)
        lat_out = np.where(swapped, lon, lat)
        lon_out = np.where(swapped, lat, lon)
        comma = rng.random(n) < DECIMAL_COMMA
        rep_lat, rep_lon = [], []
        for a, o, h, c in zip(lat_out.tolist(), lon_out.tolist(), has.tolist(), comma.tolist(),
                              strict=True):
            if not h:
                rep_lat.append("")
                rep_lon.append("")
                continue
            sa, so = f"{a:.6f}", f"{o:.6f}"
            if c:
                sa, so = sa.replace(".", ","), so.replace(".", ",")
            rep_lat.append(sa)
            rep_lon.append(so)
        return rep_lat, rep_lon, has & outside

    def chunk(self, rng: np.random.Generator, *, category: np.ndarray, kind: np.ndarray,
              subject: np.ndarray, building: np.ndarray, parcel: np.ndarray,
              district: np.ndarray, x: np.ndarray, y: np.ndarray, kazakh: np.ndarray,
              applicant_of: np.ndarray, applicants: list[Applicant]) -> Words:
        n = len(category)
        outage = kind == KIND_OUTAGE
        violation = kind == KIND_VIOLATION
        app_kazakh = np.array([applicants[a].kazakh if a >= 0 else False
                               for a in applicant_of.tolist()])
        kazakh = np.where(outage, app_kazakh & (rng.random(n) < 0.55), kazakh)
        r = rng.integers(0, 1 << 30, size=(n, 3)).tolist()
        u = rng.random((n, 4)).tolist()
        mode = rng.random(n)
        has_address = np.where(violation, True, mode >= COORDS_ONLY)
        has_coords = np.where(violation, True, (mode < COORDS_ONLY) | (mode >= ADDRESS_ONLY))
        has_address &= ~(violation & (mode < 0.15))
        flats = np.where(building >= 0, self.b_flats[np.maximum(building, 0)], 0)
        flat = np.where(rng.random(n) < 0.55, 1 + (rng.random(n) * flats).astype(np.int64), 0)
        flat = np.where(flats > 0, flat, 0)
        for i in np.flatnonzero(applicant_of >= 0).tolist():
            flat[i] = applicants[applicant_of[i]].flat
        text, address = [], []
        named_district_only = np.zeros(n, dtype=bool)
        rows = zip(category.tolist(), kazakh.tolist(), subject.tolist(), building.tolist(),
                   parcel.tolist(), district.tolist(), flat.tolist(), has_address.tolist(), r,
                   u, strict=True)
        for i, (cat, kk, subj, b, p, d, f, has, (r0, r1, r2), (u0, u1, u2, u3)) in enumerate(
                rows):
            text.append(complaint_text(cat, kk, r0, u0))
            if not has:
                address.append("")
                continue
            kk_form = kk if u1 < 0.8 else not kk
            if subj == SUBJECT_BUILDING:
                a = self._building_address(b, f, kk_form, r1)
            elif subj == SUBJECT_PLACE:
                a = self._street_in_district(b, kk_form, r2)
                if a is None and (a := self._district_only(d, kk_form, r2)) is not None:
                    named_district_only[i] = True
                a = a or near(self._building_address(b, 0, kk_form, r1), kk_form, r2)
            else:
                a = self._parcel_address(p, kk_form, r1, u2)
            address.append(add_noise(a, u3, r2))
        rep_lat, rep_lon, outside = self._coordinates(rng, x, y, has_coords, violation)
        names_kazakh = rng.random(n) < np.where(kazakh, 0.95, 0.45)
        names = person_names(rng, names_kazakh)
        numbers = phones(rng, n)
        anonymous = rng.random(n) < 0.03
        style = np.searchsorted([0.70, 0.85, 0.95], rng.random(n), side="right").tolist()
        for i in np.flatnonzero(applicant_of >= 0).tolist():
            a = applicants[applicant_of[i]]
            names[i], numbers[i], anonymous[i] = a.name, a.phone, False
        applicant = ["" if anon else nm for nm, anon in zip(names, anonymous.tolist(),
                                                           strict=True)]
        phone = ["" if anon else ph for ph, anon in zip(numbers, anonymous.tolist(),
                                                        strict=True)]
        typed = [phone_as_typed(ph, s) if ph else "" for ph, s in zip(phone, style,
                                                                       strict=True)]
        return Words(kazakh, text, address, rep_lat, rep_lon, applicant, phone, typed,
                     named_district_only & (~has_coords | outside))
