"""Geometries survive the round trip through the models and PostGIS unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoapp.models import Building, Microdistrict, Parcel, Zone

SQUARE_WITH_HOLE = Polygon(
    [(71.36, 42.89), (71.38, 42.89), (71.38, 42.91), (71.36, 42.91)],
    holes=[[(71.365, 42.895), (71.375, 42.895), (71.375, 42.905), (71.365, 42.905)]],
)


def test_multipolygon_with_hole_round_trip(db_session: Session) -> None:
    shape = MultiPolygon([SQUARE_WITH_HOLE])
    md = Microdistrict(name="15 мкр", name_kk="15 шағын аудан", population=3200,
                       geom=from_shape(shape, srid=4326))
    db_session.add(md)
    db_session.flush()
    db_session.expire(md)
    loaded = db_session.get(Microdistrict, md.id)
    assert loaded is not None
    assert to_shape(loaded.geom).equals_exact(shape, 1e-12)
    srid, valid, holes = db_session.execute(
        select(func.ST_SRID(Microdistrict.geom), func.ST_IsValid(Microdistrict.geom),
               func.ST_NumInteriorRings(func.ST_GeometryN(Microdistrict.geom, 1)))
        .where(Microdistrict.id == md.id)
    ).one()
    assert (srid, valid, holes) == (4326, True, 1)


def test_point_and_spatial_predicates(db_session: Session) -> None:
    md = Microdistrict(name="мкр. Жайлау", population=20000,
                       geom=from_shape(MultiPolygon([SQUARE_WITH_HOLE]), srid=4326))
    db_session.add(md)
    db_session.flush()
    inside = Building(address="мкр. Жайлау, 12", residents=48, heating="central",
                      microdistrict_id=md.id, geom=from_shape(Point(71.361, 42.899), 4326))
    in_hole = Building(address="мкр. Жайлау, 13", geom=from_shape(Point(71.37, 42.90), 4326))
    db_session.add_all([inside, in_hole])
    db_session.flush()
    covered = db_session.scalars(
        select(Building.address).join(Microdistrict, func.ST_Covers(Microdistrict.geom,
                                                                    Building.geom))
    ).all()
    assert covered == ["мкр. Жайлау, 12"]
    assert to_shape(inside.geom).equals(Point(71.361, 42.899))


def test_metric_area_in_utm(db_session: Session) -> None:
    square = Polygon([(71.37, 42.90), (71.371, 42.90), (71.371, 42.901), (71.37, 42.901)])
    parcel = Parcel(cadastral_number="06:097:012:345", land_use="residential",
                    declared_area_ha=Decimal("0.9076"), cadastral_value_kzt=12_000_000,
                    allocated_at=date(2021, 5, 4),
                    geom=from_shape(MultiPolygon([square]), 4326))
    zone = Zone(kind="state_needs", name="Под школу", valid_from=date(2021, 6, 1),
                geom=from_shape(MultiPolygon([square.buffer(0.001)]), 4326))
    db_session.add_all([parcel, zone])
    db_session.flush()
    area_ha = db_session.scalar(
        select(func.ST_Area(func.ST_Transform(Parcel.geom, 32642)) / 10_000)
        .where(Parcel.id == parcel.id)
    )
    # 0.001 deg x 0.001 deg at 42.9 N: about 81.6 m x 111.1 m.
    assert 0.88 < area_ha < 0.93
