"""The fixed plan of the synthetic city: its boundary, the river, the microdistricts
and the restriction zones. Nothing here is random: the seed changes what is built
inside this plan, not the plan itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import shapely
from shapely.geometry.base import BaseGeometry

from geoapp.demo.geo import box
from geoapp.demo.names import DISTRICTS, FIFTEEN, FIFTEEN_BOX, FIFTEEN_KK, DistrictSpec

# Hand-placed vertices (metres from the centre, 42.90 N 71.37 E): about 16 x 12 km,
# well inside the configured city extent (lon 71.25-71.50, lat 42.82-42.97).
CITY_VERTICES = (
    (-7600, -4200), (-6800, -6000), (-4500, -6700), (-1500, -6300), (1500, -6600),
    (4200, -5800), (6500, -4800), (8200, -2500), (8600, 400), (7800, 3200), (6200, 5200),
    (3500, 6100), (600, 5700), (-2200, 6200), (-5000, 5400), (-7000, 3600), (-7900, 800),
    (-8100, -2000),
)
RIVER_VERTICES = ((-5600, -7500), (-5900, -4500), (-5200, -2000), (-5700, 500), (-5000, 3000),
                  (-5400, 5500), (-4800, 7500))
BYPASS_VERTICES = ((6000, -4600), (7700, -2000), (8000, 500), (7300, 3000), (6000, 4800))
WATER_STRIP_M = 100.0

# The school site of the state-needs zone, and where the "only touches" decoy sits on
# its east edge: the edge carries the decoy's corners as vertices, so the two shapes
# share them exactly after projection.
SCHOOL_SITE = (-3650.0, -1950.0, -3400.0, -1750.0)
TOUCH_SPAN = (-1930.0, -1880.0)
SPORT_SITE = (4250.0, -1370.0, 4550.0, -1150.0)


@dataclass(frozen=True)
class District:
    name: str
    name_kk: str
    geom: BaseGeometry
    estate: bool
    spec: DistrictSpec | None  # None for 15 мкр, which is laid out by hand


@dataclass(frozen=True)
class ZonePlan:
    key: str
    kind: str
    name: str
    decision_ref: str
    valid_from: date
    valid_to: date | None
    geom: BaseGeometry


@dataclass(frozen=True)
class Layout:
    city: BaseGeometry
    river: BaseGeometry
    districts: tuple[District, ...]
    zones: tuple[ZonePlan, ...]

    def zone(self, key: str) -> ZonePlan:
        return next(z for z in self.zones if z.key == key)


def _districts(city: BaseGeometry) -> tuple[District, ...]:
    fifteen = shapely.box(*FIFTEEN_BOX)
    centres = shapely.multipoints([(d.x, d.y) for d in DISTRICTS])
    cells = shapely.get_parts(shapely.voronoi_polygons(centres, extend_to=city.buffer(5000)))
    result = [District(FIFTEEN, FIFTEEN_KK, fifteen, True, None)]
    for spec in DISTRICTS:
        centre = shapely.Point(spec.x, spec.y)
        cell = next(c for c in cells if c.contains(centre))
        geom = cell.intersection(city).difference(fifteen)
        result.append(District(spec.name, spec.name_kk, geom, spec.estate, spec))
    return tuple(result)


def _school_site() -> BaseGeometry:
    x0, y0, x1, y1 = SCHOOL_SITE
    ty0, ty1 = TOUCH_SPAN
    return shapely.Polygon([(x0, y0), (x1, y0), (x1, ty0), (x1, ty1), (x1, y1), (x0, y1)])


def _zones(city: BaseGeometry, river: BaseGeometry) -> tuple[ZonePlan, ...]:
    inner = city.buffer(-100)
    bypass = shapely.LineString(BYPASS_VERTICES).buffer(45, cap_style="flat")
    reserve = shapely.LineString([(2600, 4150), (6250, 4150)]).buffer(20, cap_style="flat")
    return (
        ZonePlan("water", "water_protection", "Водоохранная полоса р. Талас",
                 "пост. акимата Жамбылской области № 215 от 01.07.2015", date(2015, 7, 1),
                 None, river.buffer(WATER_STRIP_M).intersection(city)),
        ZonePlan("bypass", "state_needs",
                 "Изъятие земель для строительства объездной автодороги г. Тараз",
                 "пост. акимата Жамбылской области № 142 от 01.06.2021", date(2021, 6, 1),
                 None, bypass.intersection(inner)),
        ZonePlan("school", "state_needs",
                 "Резервирование земель под строительство школы на 1200 мест",
                 "пост. акимата г. Тараз № 388 от 15.03.2022", date(2022, 3, 15), None,
                 _school_site()),
        ZonePlan("sport", "state_needs", "Изъятие земель под строительство Дворца спорта",
                 "пост. акимата г. Тараз № 611 от 01.09.2020", date(2020, 9, 1), None,
                 shapely.box(*SPORT_SITE)),
        ZonePlan("park_central", "green", "Центральный парк культуры и отдыха",
                 "реш. маслихата г. Тараз № 12-4 от 20.04.2010", date(2010, 4, 20), None,
                 box(-700, 400, 600, 400)),
        ZonePlan("park_president", "green", "Парк Первого Президента",
                 "реш. маслихата г. Тараз № 31-2 от 14.06.2012", date(2012, 6, 14), None,
                 box(1800, -2300, 500, 350)),
        ZonePlan("park_dendro", "green", "Дендропарк",
                 "реш. маслихата г. Тараз № 7-9 от 02.03.2016", date(2016, 3, 2), None,
                 box(5400, -4100, 400, 300)),
        ZonePlan("road_reserve", "road_reserve", "Резерв под продление пр. Жамбыла",
                 "пост. акимата г. Тараз № 245 от 10.05.2018", date(2018, 5, 10), None,
                 reserve.intersection(inner)),
    )


def build_layout() -> Layout:
    city = shapely.Polygon(CITY_VERTICES)
    river = shapely.LineString(RIVER_VERTICES).intersection(city)
    return Layout(city, river, _districts(city), _zones(city, river))
