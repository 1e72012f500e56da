"""The manifest: what the dataset is (synthetic!), its sizes and counts, and every
planted fact with the figures a test or a reviewer should find in it."""

from __future__ import annotations

from typing import Any

from geoapp.demo.departments import DEPARTMENTS
from geoapp.demo.facts import clean_decoys, land_violations, outage_reference, reference_summary
from geoapp.demo.geo import CENTER_LAT, CENTER_LON
from geoapp.demo.stats import ComplaintStats
from geoapp.demo.timeline import END, START
from geoapp.demo.world import TOTAL_POPULATION, World

FORMAT_VERSION = 1
NOTE = ("SYNTHETIC DATA. Every microdistrict shape, building, parcel, zone, person, phone "
        "number and complaint here was invented by geoapp's demo generator from a seed; "
        "names only resemble Taraz. Nothing in it describes real people, land or events.")


def build_manifest(world: World, stats: ComplaintStats) -> dict[str, Any]:
    complaints = stats.summary()
    return {
        "synthetic": True,
        "note": NOTE,
        "generator": {"name": "geoapp.demo", "format_version": FORMAT_VERSION},
        "seed": world.seed,
        "sizes": {
            "microdistricts": len(world.md_names),
            "buildings": len(world.b_address),
            "parcels": len(world.p_cadastral),
            "zones": len(world.zones),
            "departments": len(DEPARTMENTS),
            "complaints": complaints["total"],
            "complaint_events": complaints["events"],
        },
        "date_range": {"from": START.isoformat(), "to": END.isoformat(),
                       "timezone": "Asia/Almaty", "status_as_of": "2025-01-01T00:00:00+05:00"},
        "city": {"name": "Тараз", "centre": [CENTER_LON, CENTER_LAT],
                 "bbox": [71.25, 42.82, 71.50, 42.97], "population": TOTAL_POPULATION,
                 "population_in_microdistricts": sum(world.md_population),
                 "residents_on_register": int(world.b_residents.sum())},
        "departments": [{"name": n, "name_kk": kk, "categories": list(codes)}
                        for n, kk, codes in DEPARTMENTS],
        "reference": reference_summary(world),
        "complaints": complaints,
        "planted_facts": {
            "heating_outage": {**outage_reference(world), **stats.outage_figures()},
            "land_violations": {**land_violations(world),
                                "complaints": stats.violation_figures()},
            "clean_decoys": clean_decoys(world),
        },
    }
