"""Housing patches: apartment blocks in the estate microdistricts (addressed
`мкр. Жайлау, 12`), private houses along streets elsewhere (`ул. Толе би, 45А`), and
15 мкр laid out by hand. Each building gets its own lattice parcel, so clean parcels
never overlap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geoapp.demo.layout import Layout
from geoapp.demo.names import FIFTEEN_BOX, FIFTEEN_STREET, StreetName, street_names
from geoapp.demo.register import Area, Building, Parcel, Register
from geoapp.demo.rng import stream

STREET_GAP = 14.0  # metres of carriageway between the two rows of a street
FIFTEEN_BLOCKS = 58
AVENUE_OFFSET = 60  # the avenue comes in from the centre: its numbers start higher


@dataclass
class Cells:
    """Lattice cells picked for a patch: column, row and the cell's bounds."""

    i: np.ndarray
    j: np.ndarray
    bounds: np.ndarray  # (n, 4): x0, y0, x1, y1


def _row_y(j: np.ndarray, h: float, paired: bool) -> np.ndarray:
    if not paired:
        return j * h
    return (j // 2) * (2 * h + STREET_GAP) + (j % 2) * (h + STREET_GAP)


def pick_cells(region: BaseGeometry, centre: tuple[float, float], w: float, h: float,
               count: int, rng: np.random.Generator, *, paired: bool = False,
               aspect: float = 1.0) -> Cells:
    """The `count` lattice cells inside `region` nearest `centre` (an ellipse stretched
    by `aspect` along x, with a ragged edge)."""
    shapely.prepare(region)
    cx, cy = centre
    radius = np.sqrt(count * w * h * 1.6 / np.pi)
    while True:
        ni = int(radius * aspect / w) + 2
        nj = int(radius / h) + 2
        ii, jj = np.meshgrid(np.arange(-ni, ni + 1), np.arange(-2 * (nj // 2), nj + 2))
        ii, jj = ii.ravel(), jj.ravel()
        x0 = cx + ii * w - w / 2
        y0 = cy + _row_y(jj, h, paired) - h / 2
        boxes = shapely.box(x0, y0, x0 + w, y0 + h)
        inside = shapely.contains(region, boxes)
        if inside.sum() >= count or radius > 6000:
            break
        radius *= 1.4
    dist = np.hypot((x0 + w / 2 - cx) / aspect, y0 + h / 2 - cy)
    dist = dist + rng.normal(0, max(w, h) * 0.8, size=dist.size)
    dist[~inside] = np.inf
    order = np.argsort(dist, kind="stable")[:count]
    order = order[np.isfinite(dist[order])]
    if len(order) < count:
        raise RuntimeError(f"no room for {count} cells near {centre}: {len(order)} found")
    bounds = np.column_stack([x0, y0, x0 + w, y0 + h])[order]
    return Cells(ii[order], jj[order], bounds)


Bounds = tuple[float, float, float, float]


def _shrink(bounds: Bounds, inset: float) -> BaseGeometry:
    """The rectangle `bounds` made smaller by `inset` on every side."""
    x0, y0, x1, y1 = bounds
    return shapely.box(x0 + inset, y0 + inset, x1 - inset, y1 - inset)


def _centre(bounds: Bounds) -> tuple[float, float]:
    return (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2


def _block_residents(rng: np.random.Generator, floors: int) -> tuple[int, int]:
    entrances = int(rng.integers(1, 4))
    flats = floors * entrances * int(rng.integers(3, 5))
    residents = int(np.clip(round(flats * rng.uniform(1.6, 2.6)), 30, 150))
    return residents, flats


def _block_floors(rng: np.random.Generator) -> int:
    u = rng.random()
    return 5 if u < 0.5 else 6 if u < 0.55 else 7 if u < 0.62 else 9


def _fifteen(layout: Layout, reg: Register, rng: np.random.Generator) -> None:
    """58 centrally heated blocks (residents summing to about 2,800) in a compact
    lattice, a short street of private houses on the south edge, a school and a
    kindergarten."""
    x0, y0, x1, y1 = FIFTEEN_BOX
    area = reg.area(Area("mkr", "15", "15"))
    cells = [(x0 + 5 + c * 80, y0 + 48 + r * 75) for r in range(7) for c in range(9)]
    centre = ((x0 + x1) / 2, (y0 + 48 + y1) / 2)
    cells.sort(key=lambda p: (abs(p[0] + 40 - centre[0]) + abs(p[1] + 37 - centre[1]), p))
    blocks, spare = cells[:FIFTEEN_BLOCKS], cells[FIFTEEN_BLOCKS:]
    blocks.sort(key=lambda p: (-p[1], p[0] if int((y1 - p[1]) // 75) % 2 == 0 else -p[0]))
    floors = [5 if rng.random() < 0.8 else 9 for _ in blocks]
    raw = np.array([rng.integers(38, 60) if f == 5 else rng.integers(55, 80) for f in floors],
                   dtype=float)
    target = int(rng.integers(2795, 2806))
    residents = np.floor(raw * target / raw.sum()).astype(int)
    for k in rng.permutation(len(blocks))[: target - residents.sum()]:
        residents[k] += 1
    for n, ((bx, by), fl, res) in enumerate(zip(blocks, floors, residents, strict=True), 1):
        cell = (bx, by, bx + 80, by + 75)
        flats = fl * 2 * 3
        b = Building(bx + 40 + rng.uniform(-6, 6), by + 37 + rng.uniform(-6, 6), area, str(n),
                     int(res), fl, flats, "central", 0)
        reg.add_building(b, Parcel(_shrink(cell, 5), "residential", 0))
    for k, (bx, by) in enumerate(spare[:2]):
        reg.add_parcel(Parcel(_shrink((bx, by, bx + 80, by + 75), 5), "public", 0,
                              note="school" if k == 0 else "kindergarten"))
    kind, ru, kk = FIFTEEN_STREET
    street = reg.area(Area("street", ru, kk, kind))
    for k in range(6):
        cell = (x0 + 10 + k * 25, y0 + 4, x0 + 35 + k * 25, y0 + 42)
        b = Building(x0 + 22 + k * 25, y0 + 30, street, str(2 * k + 1),
                     int(rng.integers(3, 9)), 1, 0, "individual", 0)
        reg.add_building(b, Parcel(_shrink(cell, 1.5), "individual_housing", 0))


def _estate(reg: Register, district: int, short: str, short_kk: str, cells: Cells,
            target: int, rng: np.random.Generator) -> None:
    area = reg.area(Area("mkr", short, short_kk))
    order = np.lexsort((np.where(cells.j % 2 == 0, cells.i, -cells.i), -cells.j))
    number, used = 0, set()
    for rank, k in enumerate(order):
        cell: Bounds = tuple(cells.bounds[k].tolist())  # type: ignore[assignment]
        inset = rng.uniform(4, 6)
        if rank >= target:
            use = "public" if rng.random() < 0.6 else "commercial"
            reg.add_parcel(Parcel(_shrink(cell, inset), use, district))
            continue
        if number and rng.random() < 0.04 and f"{number}А" not in used:
            label = f"{number}А"
        else:
            number += 1
            label = str(number)
        used.add(label)
        floors = _block_floors(rng)
        residents, flats = _block_residents(rng, floors)
        cx, cy = _centre(cell)
        heating = "central" if rng.random() < 0.97 else "individual"
        b = Building(cx + rng.uniform(-8, 8), cy + rng.uniform(-8, 8), area, label,
                     residents, floors, flats, heating, district)
        reg.add_building(b, Parcel(_shrink(cell, inset), "residential", district))


@dataclass
class _Street:
    district: int
    row_pair: int
    cells: list[tuple[int, int, Bounds]]  # (i, j, bounds)
    w: float


def _street_cells(district: int, cells: Cells, w: float) -> list[_Street]:
    streets: dict[int, _Street] = {}
    for i, j, b in zip(cells.i.tolist(), cells.j.tolist(), cells.bounds.tolist(), strict=True):
        s = streets.setdefault(j // 2, _Street(district, j // 2, [], w))
        s.cells.append((i, j, b))
    return [streets[k] for k in sorted(streets)]


def _number_street(reg: Register, street: _Street, area: int, offset: int,
                   rng: np.random.Generator) -> None:
    i_min = min(c[0] for c in street.cells)
    for side in (1, 0):  # north side odd numbers, south side even
        row = sorted((c for c in street.cells if c[1] % 2 == side), key=lambda c: c[0])
        used: set[str] = set()
        k, last = 0, ""
        while k < len(row):
            i, _, cell = row[k]
            base = offset + 2 * (i - i_min) + (1 if side == 1 else 2)
            run = row[k:k + 4]
            if (len(run) == 4 and rng.random() < 0.012
                    and all(run[m][0] == i + m for m in range(4))):
                label = str(base)
                merged = (run[0][2][0], run[0][2][1], run[-1][2][2], run[-1][2][3])
                floors = 9 if rng.random() < 0.33 else 5
                residents, flats = _block_residents(rng, floors)
                heating = "central" if rng.random() < 0.7 else "individual"
                cx, cy = _centre(merged)
                b = Building(cx, cy, area, label, residents, floors, flats, heating,
                             street.district)
                reg.add_building(b, Parcel(_shrink(merged, 4), "residential", street.district))
                k += 4
                used.add(label)
                last = label
                continue
            roll = rng.random()
            if last and roll < 0.05 and f"{last}А" not in used and last.isdigit():
                label = f"{last}А"
            elif last and roll < 0.08 and f"{last}/1" not in used and last.isdigit():
                label = f"{last}/1"
            else:
                label = str(base)
                last = label
            used.add(label)
            if rng.random() < 0.03:
                use = "commercial"
                reg.add_parcel(Parcel(_shrink(cell, 1.5), use, street.district))
                k += 1
                continue
            front = -1 if side == 1 else 1  # the house stands near the street
            cx, cy = _centre(cell)
            ch = (cell[3] - cell[1]) / 2
            b = Building(cx + rng.uniform(-3, 3), cy + front * ch * 0.45, area, label,
                         int(rng.integers(3, 9)), 1 if rng.random() < 0.8 else 2, 0,
                         "individual" if rng.random() < 0.96 else "none", street.district)
            reg.add_building(b, Parcel(_shrink(cell, 1.5), "individual_housing",
                                       street.district))
            k += 1


def _name_streets(streets: list[_Street], rng: np.random.Generator) -> list[StreetName]:
    avenues, names, lanes = street_names()
    avenue = avenues[0]
    shuffled = [names[k] for k in rng.permutation(len(names))]
    shuffled += [lanes[k] for k in rng.permutation(len(lanes))]
    longest = max(range(len(streets)), key=lambda k: (len(streets[k].cells), -k))
    if len(streets) > len(shuffled) + 1:
        raise RuntimeError("more streets than street names")
    out, it = [], iter(shuffled)
    for k in range(len(streets)):
        out.append(avenue if k == longest else next(it))
    return out


def lay_out_housing(layout: Layout, reg: Register, exclusion: BaseGeometry,
                    seed: int) -> None:
    """Every building and its parcel; `exclusion` is where nothing may be built."""
    _fifteen(layout, reg, stream(seed, "housing", "15"))
    streets: list[_Street] = []
    for d_index, district in enumerate(layout.districts):
        spec = district.spec
        if spec is None:
            continue
        rng = stream(seed, "housing", spec.short)
        region = district.geom.difference(exclusion).buffer(-8, join_style="mitre")
        if district.estate:
            w, h = rng.uniform(72, 92), rng.uniform(66, 82)
            extra = int(spec.target * 0.08)
            cells = pick_cells(region, (spec.x, spec.y), w, h, spec.target + extra, rng)
            _estate(reg, d_index, spec.short, spec.short_kk, cells, spec.target, rng)
        else:
            w, h = rng.uniform(21, 28), rng.uniform(34, 41)
            cells = pick_cells(region, (spec.x, spec.y), w, h, spec.target, rng,
                               paired=True, aspect=2.2)
            streets.extend(_street_cells(d_index, cells, w))
    rng = stream(seed, "housing", "streets")
    for street, name in zip(streets, _name_streets(streets, rng), strict=True):
        area = reg.area(Area("street", name.ru, name.kk, name.kind))
        offset = AVENUE_OFFSET if name.kind == "пр." else 0
        _number_street(reg, street, area, offset, rng)
