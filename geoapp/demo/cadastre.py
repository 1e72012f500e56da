"""Registration attributes of the parcels once they are all placed: cadastral numbers
(`06:097:QQQ:PPP`: Zhambyl region, Taraz, a 500 m quarter, the plot), holders,
allocation dates and decisions, statuses, values and declared areas."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely

from geoapp.demo.people import company, farm, person_name, person_names, public_body
from geoapp.demo.register import Register

REGION, CITY = "06", "097"
QUARTER = 500.0
QUARTER_ORIGIN = (-8500.0, 6500.0)  # north-west corner of quarter 001
QUARTERS_PER_ROW = 35

# Allocation years by land use, and the price of a square metre in tenge (low, high).
_YEARS = {"individual_housing": (1995, 2024), "residential": (1995, 2012),
          "commercial": (1998, 2024), "industrial": (1995, 2020),
          "agricultural": (1995, 2015), "public": (1995, 2020), "recreation": (2000, 2018)}
_PRICE = {"individual_housing": (2000, 4500), "residential": (3000, 6000),
          "commercial": (6000, 14000), "industrial": (1200, 3000), "agricultural": (80, 250),
          "public": (1500, 3000), "recreation": (500, 1500)}
_OTHER_STATUSES = ("withdrawn", "reserved", "cancelled")


def quarter_of(x: float, y: float) -> int:
    col = int((x - QUARTER_ORIGIN[0]) // QUARTER)
    row = int((QUARTER_ORIGIN[1] - y) // QUARTER)
    return row * QUARTERS_PER_ROW + col + 1


def decision_ref(number: int, day: date, old_style: bool) -> str:
    when = f"{day.day:02d}.{day.month:02d}.{day.year}"
    if day.year < 2005 and old_style:
        return f"реш. акима г. Тараз № {number} от {when}"
    return f"пост. акимата № {number} от {when}"


def _random_day(u: float, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 10)
    end = date(last_year, 6, 30) if last_year == 2024 else date(last_year, 12, 25)
    return start + timedelta(days=int(u * ((end - start).days + 1)))


def _holder(rng: np.random.Generator, land_use: str, residential_label: str) -> str:
    if land_use == "individual_housing":
        return person_name(rng, bool(rng.random() < 0.75))
    if land_use == "residential":
        return f"ОСИ «{residential_label}»"
    if land_use == "agricultural":
        return farm(rng)
    if land_use == "public":
        return public_body(rng)
    if land_use == "recreation":
        return "ГКП «Жасыл Тараз»"
    return company(rng)


def complete_parcels(reg: Register, labels: list[str], areas_m2: np.ndarray,
                     rng: np.random.Generator) -> tuple[list[str], list[float], list[str]]:
    """Fill in holders, dates, statuses and values in place; returns the cadastral
    numbers, declared areas (ha) and decision references, one per parcel.

    `labels` names the building on each parcel (for condominium holders); `areas_m2`
    are the areas of the stored geometry."""
    n = len(reg.parcels)
    reps = shapely.point_on_surface(reg.parcel_geoms())
    xy = shapely.get_coordinates(reps)
    owners = iter(person_names(rng, rng.random(n) < 0.75))
    u = rng.random((n, 6)).tolist()
    ref_numbers = rng.integers(1, 1000, n).tolist()
    centre = np.clip(np.hypot(xy[:, 0], xy[:, 1]) / 8000, 0, 1).tolist()
    declared, refs = [], []
    for p, label, area, c, (u_day, u_status, u_kind, u_price, u_area, u_ref), number in zip(
            reg.parcels, labels, areas_m2.tolist(), centre, u, ref_numbers, strict=True):
        if not p.holder:
            p.holder = (next(owners) if p.land_use == "individual_housing"
                        else _holder(rng, p.land_use, label))
        if p.allocated_at is None:
            p.allocated_at = _random_day(u_day, *_YEARS[p.land_use])
        if not p.tag and p.building < 0 and u_status < 0.06:
            p.status = _OTHER_STATUSES[int(u_kind * 3)]
        if p.value_kzt is None:
            low, high = _PRICE[p.land_use]
            price = (low + u_price * (high - low)) * (1.5 - 0.5 * c)
            p.value_kzt = int(round(area * price / 1000) * 1000)
        declared.append(round(area / 10_000 * (1 + (u_area * 2 - 1) * 0.015), 4))
        refs.append(decision_ref(number, p.allocated_at, u_ref < 0.6))
    quarters = [quarter_of(x, y) for x, y in xy.tolist()]
    order = sorted(range(len(reg.parcels)),
                   key=lambda k: (quarters[k], reg.parcels[k].allocated_at, k))
    numbers = [""] * len(reg.parcels)
    seq: dict[int, int] = {}
    for k in order:
        seq[quarters[k]] = seq.get(quarters[k], 0) + 1
        if seq[quarters[k]] > 999 or not 0 < quarters[k] < 1000:
            raise RuntimeError("cadastral quarter overflow")
        numbers[k] = f"{REGION}:{CITY}:{quarters[k]:03d}:{seq[quarters[k]]:03d}"
    return numbers, declared, refs
