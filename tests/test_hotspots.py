"""Heating-outage hotspots (issue 5): the planted 15 мкр outage, random data, the
pattern classifier, Gi* against esda, the CLI and the page."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from helpers import login, run_geoapp

from geoapp.analysis.cube import CubeParams, build_cube
from geoapp.analysis.getis import benjamini_hochberg, hex_neighbours, spatial_gi_star
from geoapp.analysis.hotspots import analyze_hotspots, clear_cache
from geoapp.analysis.spacetime import bin_stats
from geoapp.analysis.trend import classify, mann_kendall

TWO_SEASONS = CubeParams(date_from=date(2022, 10, 1), date_to=date(2024, 4, 15))


@pytest.fixture(scope="module")
def two_seasons(demo_engine):
    with demo_engine.connect() as conn:
        return analyze_hotspots(conn, TWO_SEASONS)


@pytest.fixture(scope="module")
def demo_cube(demo_engine):
    with demo_engine.connect() as conn:
        return build_cube(conn, TWO_SEASONS)


def test_planted_outage_is_the_top_persistent_hotspot(two_seasons, demo_manifest):
    fact = demo_manifest["planted_facts"]["heating_outage"]
    top = two_seasons.hotspots[0]
    assert top.microdistricts[0] == fact["microdistrict"] == "15 мкр"
    assert top.pattern == "persistent"
    assert abs(top.central_buildings - 58) <= 5
    assert abs(top.central_residents - 2800) <= 250
    assert abs(top.central_residents - fact["buildings_residents"]) <= 250
    assert top.seasons == ["2022-23", "2023-24"] and top.active


def test_over_all_data_the_outage_is_found_and_no_longer_active(demo_engine):
    with demo_engine.connect() as conn:
        result = analyze_hotspots(conn, CubeParams())
    outage = next(h for h in result.hotspots if h.microdistricts[0] == "15 мкр"
                  and h.central_buildings > 40)
    assert outage.id == 1
    assert not outage.active
    assert outage.pattern in ("historical", "diminishing")
    assert date(2024, 3, 1) <= outage.last_week <= date(2024, 4, 15)
    assert outage.seasons[-1] == "2023-24"


def _random_counts(cube, seed: int) -> np.ndarray:
    """The same number of complaining buildings each week, each one drawn uniformly
    from the city's buildings (distinct per week, as the cube counts them)."""
    rng = np.random.default_rng(seed)
    owner = np.repeat(np.arange(cube.shape[0]), cube.buildings)
    counts = np.zeros(cube.shape, dtype=np.int64)
    for t, total in enumerate(cube.counts.sum(axis=0).tolist()):
        picked = np.unique(rng.choice(owner.size, size=total, replace=True))
        np.add.at(counts[:, t], owner[picked], 1)
    return counts


def test_random_data_give_no_more_hotspots_than_the_fdr_allows(demo_cube, capsys):
    seeds = range(1, 9)
    found, textbook = {}, {}
    for seed in seeds:
        cube = replace(demo_cube, counts=_random_counts(demo_cube, seed))
        found[seed] = int(bin_stats(cube).hot.any(axis=1).sum())
        textbook[seed] = int(bin_stats(cube, method="normal").hot.sum())
    with capsys.disabled():
        print(f"\nrandom seeds: significant hexagons {found}; "
              f"with normal Gi* p-values (not used) hot bins {textbook}")
    # Under a global null, BH at 5% makes any discovery in at most ~5% of runs.
    assert sum(1 for n in found.values() if n) <= 1


def test_a_hotspot_resolved_before_the_last_season_is_not_persistent():
    weeks = 52
    hot = np.zeros(weeks, dtype=bool)
    hot[:26] = True  # hot all the first season, quiet the second
    z = np.where(hot, 6.0, -0.2) + np.linspace(0, 0.01, weeks)
    assert classify(hot, np.zeros(weeks, bool), z) in ("historical", "diminishing")
    hot_now = np.ones(weeks, dtype=bool)
    assert classify(hot_now, ~hot_now, np.linspace(5, 1, weeks)) == "diminishing"
    assert classify(hot_now, ~hot_now, np.full(weeks, 4.0)) == "persistent"
    assert classify(hot_now, ~hot_now, np.linspace(1, 5, weeks)) == "intensifying"
    last = np.zeros(weeks, dtype=bool)
    last[-1] = True
    assert classify(last, np.zeros(weeks, bool), np.zeros(weeks)) == "new"
    last[-4:] = True
    assert classify(last, np.zeros(weeks, bool), np.zeros(weeks)) == "consecutive"
    last[10] = True
    assert classify(last, np.zeros(weeks, bool), np.zeros(weeks)) == "sporadic"
    cold = np.zeros(weeks, dtype=bool)
    cold[5] = True
    assert classify(last, cold, np.zeros(weeks)) == "oscillating"


def test_mann_kendall_and_benjamini_hochberg():
    assert mann_kendall(np.arange(20.0)).direction() == 1
    assert mann_kendall(-np.arange(20.0)).direction() == -1
    assert mann_kendall(np.ones(20)).direction() == 0
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8


def test_gi_star_equals_esda(demo_cube):
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    values = demo_cube.counts.sum(axis=1).astype(float)
    neighbours = hex_neighbours(demo_cube.i, demo_cube.j)
    ours = spatial_gi_star(values, neighbours)
    links = {k: [int(n) for n in row[1:] if n >= 0] for k, row in enumerate(neighbours)}
    w = libpysal.weights.W(links, silence_warnings=True)
    theirs = esda.G_Local(values, w, transform="B", star=True, permutations=0)
    assert np.allclose(ours, theirs.Zs, atol=1e-6)


def test_cli_json(demo_db_url):
    proc = run_geoapp("analyze", "hotspots", "--from", "2022-10-01", "--to", "2024-04-15",
                      "--json", env={"DATABASE_URL": demo_db_url})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["hotspots"][0]["microdistricts"][0] == "15 мкр"
    assert data["hotspots"][0]["pattern"] == "persistent"
    bad = run_geoapp("analyze", "hotspots", "--from", "yesterday",
                     env={"DATABASE_URL": demo_db_url})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_page_for_an_official(demo_app, demo_engine):
    from geoapp.accounts import ensure_demo_accounts

    with demo_engine.begin() as conn:
        ensure_demo_accounts(conn)
    clear_cache()
    client = demo_app.test_client()
    assert client.get("/hotspots").status_code == 302
    from geoapp.accounts import DEMO_ACCOUNTS

    official = next(a for a in DEMO_ACCOUNTS if a.role == "official")
    login(client, official.username, official.password)
    page = client.get("/hotspots?from=2022-10-01&to=2024-04-15")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    first_row = body.split('<tr data-pattern="', 2)[1]
    assert first_row.startswith("persistent") and "15 мкр" in first_row
    assert "устойчивая горячая точка" in first_row  # the pattern, in the page's language
    assert "/complaints?category=housing_utilities.heating" in first_row
    # The hotspot's complaints: its category, weeks and bounds, not the whole city's.
    link = re.search(r'href="(/complaints\?[^"]+)"', first_row).group(1).replace("&amp;", "&")
    assert "area=" in link
    client.get("/?lang=en")
    within = client.get(link).get_data(as_text=True)
    citywide = client.get(re.sub(r"&?area=[^&]*", "", link)).get_data(as_text=True)
    found = [int(re.sub(r"\D", "", re.search(r"found: ([^<]+)<", page).group(1)))
             for page in (within, citywide)]
    assert 0 < found[0] < found[1]
    # ...and the row says how many that list holds (the table's own figures count the
    # hotspot's hexagons over the whole period)
    listed = re.search(r'class="hotspot-list"><a [^>]*>Список: ([\d\u202f]+)</a>', first_row)
    assert listed and int(re.sub(r"\D", "", listed.group(1))) == found[0]
    csv = client.get("/hotspots.csv?from=2022-10-01&to=2024-04-15")
    assert csv.status_code == 200 and csv.get_data(as_text=True).startswith("id,pattern")
    geo = client.get("/hotspots.geojson?from=2022-10-01&to=2024-04-15").get_json(force=True)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert client.get("/hotspots?from=nonsense").status_code == 400
    layer = client.get("/api/layers/heating_hotspots?bbox=71.2,42.8,71.5,43.0&zoom=12")
    assert layer.status_code == 200, layer.get_data(as_text=True)[:200]
    assert layer.get_json()["features"][0]["properties"]["pattern"] in (
        "historical", "diminishing")
    assert (date(2024, 4, 15) - date.fromisoformat(
        layer.get_json()["features"][0]["properties"]["last_week"])) < timedelta(days=60)
