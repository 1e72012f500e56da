"""The public side (issue 7): a crawler over every anonymous route and every public data
endpoint with every filter value proves that no personal data, no fine coordinate and
no small count is published; differencing, tracking and caching."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token
from ingest_fixtures import migrated_with_layers
from sqlalchemy import Engine, text
from test_complaints_web import add_complaint

from geoapp import create_app
from geoapp.analysis import public
from geoapp.analysis.public import GROUP_OPTIONS, cached_table, public_settings
from geoapp.analysis.suppression import (
    ALL,
    months_of,
    parse_period,
    quarters_of,
    relations,
    suppress,
)
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.maps.catalog import layers_for
from geoapp.web.track import ATTEMPTS

K = public_settings().k
CYRILLIC_WORD = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі-]+")
FINE_NUMBER = re.compile(r"(?<![\d.])(?:7[01]|4[23])\.\d{6,}")


@pytest.fixture(scope="module")
def app(demo_db_url: str) -> Flask:
    return create_app({"database_url": demo_db_url, "TESTING": True})


@pytest.fixture(scope="module")
def personal(demo_engine: Engine) -> dict[str, set]:
    with demo_engine.connect() as conn:
        names = set(conn.execute(text(
            "SELECT DISTINCT applicant_name FROM complaints WHERE applicant_name IS NOT NULL"
        )).scalars())
        phones = set(conn.execute(text(
            "SELECT DISTINCT applicant_phone FROM complaints WHERE applicant_phone IS NOT NULL"
        )).scalars())
        tickets = set(conn.execute(text("SELECT ticket FROM complaints")).scalars())
        texts = set(conn.execute(text(
            "SELECT text FROM complaints ORDER BY md5(id::text) LIMIT 200")).scalars())
        addresses = set(conn.execute(text(
            "SELECT DISTINCT address FROM complaints WHERE address ~ '[0-9]' LIMIT 200"
        )).scalars())
        points = {(round(x, 5), round(y, 5)) for x, y in conn.execute(text(
            "SELECT ST_X(geom), ST_Y(geom) FROM complaints WHERE geom IS NOT NULL"))}
    return {"names": names, "phones": phones, "tickets": tickets, "texts": texts,
            "addresses": addresses, "points": points}


def body_text(response) -> str:  # type: ignore[no-untyped-def]
    data = response.get_data(as_text=True)
    if response.mimetype and "json" in response.mimetype:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return data


def periods_of(client: FlaskClient) -> list[str]:
    page = client.get("/open-data").get_data(as_text=True)
    select = page.split('name="period"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'value="([^"]+)"', select)


def public_responses(app: Flask) -> dict[str, object]:
    """Every anonymous GET route (from the URL map) that answers 200, and every public
    data endpoint with every group x period."""
    client = app.test_client()
    periods = periods_of(client)
    public_layers = [s.id for s in layers_for(app.extensions["geoapp.catalog"], "public",
                                              None)]
    out: dict[str, object] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        if not rule.arguments:
            urls = [rule.rule]
        elif rule.arguments == {"layer_id"}:
            urls = [rule.rule.replace("<layer_id>", lid) for lid in public_layers]
        elif rule.arguments == {"name"}:
            urls = [rule.rule.replace("<name>", n) for n in
                    ("microdistricts", "hexagons", "resolved")]
        else:
            urls = [re.sub(r"<[^>]+>", "1", rule.rule)]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            out[url] = response
            takes_slice = "layers" in url or url.endswith(".geojson")
            if not takes_slice:
                continue
            for group in GROUP_OPTIONS:
                for period in periods:
                    bounds = parse_period(period)
                    args = {"group": group, "period": period}
                    if url.startswith("/api/"):
                        args = {"group": "" if group == ALL else group}
                        if bounds:
                            args.update({"from": bounds.start.isoformat(),
                                         "to": bounds.last_day.isoformat()})
                    r = client.get(url, query_string=args)
                    assert r.status_code == 200, (url, args, r.get_data(as_text=True))
                    out[f"{url}?{group}&{period}"] = r
    return out


@pytest.fixture(scope="module")
def crawled(app: Flask) -> dict[str, object]:
    return public_responses(app)


def test_crawler_finds_the_public_routes(crawled: dict) -> None:
    for url in ("/", "/open-data", "/done", "/track", "/open-data/microdistricts.csv",
                "/open/layers/public_hexagons", "/api/layers/public_microdistricts"):
        assert url in crawled
    assert "/map" not in crawled and "/complaints" not in crawled
    assert len(crawled) > 500


def test_no_personal_data_in_any_public_response(crawled: dict, personal: dict) -> None:
    bodies = {body_text(r) for r in crawled.values()}
    for body in bodies:
        words = CYRILLIC_WORD.findall(body)
        triples = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
        assert not triples & personal["names"]
        assert not set(re.findall(r"\+?7\d{10}", body)) & personal["phones"]
        assert not set(re.findall(r"TRZ-\d+", body)) & personal["tickets"]
    joined = "\n".join(bodies)
    for value in personal["texts"] | personal["addresses"]:
        assert value not in joined, value


def _coordinates(geometry: dict) -> list[tuple[float, float]]:
    def walk(node):  # type: ignore[no-untyped-def]
        if node and isinstance(node[0], (int, float)):
            yield (node[0], node[1])
        else:
            for child in node:
                yield from walk(child)
    return list(walk(geometry["coordinates"]))


def test_coordinates_are_only_published_area_vertices(crawled: dict, personal: dict,
                                                      demo_engine: Engine) -> None:
    s = public_settings()
    with demo_engine.connect() as conn:
        bbox = create_app().config["GEOAPP_SETTINGS"].city_bbox
        allowed = {tuple(json.loads(point)["coordinates"]) for point in conn.execute(text("""
            SELECT ST_AsGeoJSON(d.geom, 5) FROM ST_HexagonGrid(:size, ST_Transform(
                ST_MakeEnvelope(:a, :b, :c, :d, 4326), 32642)) h,
                ST_DumpPoints(ST_Transform(h.geom, 4326)) d
            UNION
            SELECT ST_AsGeoJSON(d.geom, 5) FROM microdistricts m,
                ST_DumpPoints(ST_SimplifyPreserveTopology(m.geom, 0.0002)) d
        """), {"size": s.hex_m, "a": bbox[0], "b": bbox[1], "c": bbox[2], "d": bbox[3]}
        ).scalars()}
    seen = 0
    for response in crawled.values():
        body = body_text(response)
        assert not FINE_NUMBER.search(body), FINE_NUMBER.search(body)
        if not (response.mimetype or "").endswith("json"):
            continue
        for feature in response.get_json().get("features", []):
            for xy in _coordinates(feature["geometry"]):
                seen += 1
                assert xy in allowed, xy
                assert xy not in personal["points"], xy
    assert seen > 1000


def _counts(node) -> list:  # type: ignore[no-untyped-def]
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("complaints", "resolved"):
                out.append(value)
            elif key == "trend":
                out += [v for _, v in value]
            else:
                out += _counts(value)
    elif isinstance(node, list):
        for item in node:
            out += _counts(item)
    return out


def test_every_published_count_is_zero_or_at_least_k(crawled: dict) -> None:
    checked = 0
    for url, response in crawled.items():
        if (response.mimetype or "").endswith("json"):
            values = _counts(response.get_json())
        elif url.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
            values = [int(r.get("complaints") or r.get("resolved") or 0) if
                      (r.get("complaints") or r.get("resolved")) else None for r in rows]
            for r in rows:
                assert (r.get("complaints") or r.get("resolved")) or r["suppressed"] == "1"
        else:
            continue
        for v in values:
            assert v is None or v == 0 or v >= K, (url, v)
            checked += 1
    assert checked > 10000


def test_suppression_is_complementary() -> None:
    counts = {("a", "g1", "2024"): 3, ("a", "g2", "2024"): 10, ("a", "g3", "2024"): 40,
              ("a", ALL, "2024"): 53}
    rels = [(("a", ALL, "2024"), [("a", g, "2024") for g in ("g1", "g2", "g3")])]
    withheld = suppress(counts, rels, 5)
    assert withheld == {("a", "g1", "2024"), ("a", "g2", "2024")}
    # two small cells whose sum pins both down (4 + 4 = 2 * (k - 1)) need a third
    counts = {("a", "g1", "y"): 4, ("a", "g2", "y"): 4, ("a", "g3", "y"): 30,
              ("a", ALL, "y"): 38}
    rels = [(("a", ALL, "y"), [("a", g, "y") for g in ("g1", "g2", "g3")])]
    assert ("a", "g3", "y") in suppress(counts, rels, 5)


def test_a_withheld_parent_is_not_the_sum_of_its_published_children() -> None:
    """2022 (2) is withheld, 2023 with it as its complement; shown, 2023's quarters
    would add up to it, and the total minus both years reveal 2022: so the smallest
    of the quarters is withheld too."""
    quarters = {"2023-Q1": 5, "2023-Q2": 6, "2023-Q3": 8, "2023-Q4": 11,
                "2024-Q1": 10, "2024-Q2": 11, "2024-Q3": 8, "2024-Q4": 10}
    counts = {("a", ALL, p): n for p, n in quarters.items()}
    counts |= {("a", ALL, "2022"): 2, ("a", ALL, "2022-Q4"): 2, ("a", ALL, "2023"): 30,
               ("a", ALL, "2024"): 39, ("a", ALL, ALL): 71}
    rels = [(parent, children)  # no groups here: periods only
            for parent, children in relations(["a"], [], ["2022", "2023", "2024"], False)
            if children]
    withheld = suppress(counts, rels, 5)
    assert {("a", ALL, "2022"), ("a", ALL, "2023")} <= withheld
    assert [q for q in quarters_of("2023") if ("a", ALL, q) in withheld] == ["2023-Q1"]
    every_cell = {cell for parent, children in rels for cell in (parent, *children)}
    assert recovered_by_sums(counts, withheld, rels, every_cell) == []


def recovered_by_sums(counts: dict, withheld: set, rels: list, published: set) -> list:
    """What an attacker learns by solving, again and again, every relation with one
    unknown left (a year from its quarters, then another year from the total...)."""
    known = {key: counts.get(key, 0) for key in published if key not in withheld}
    found = True
    while found:
        found = False
        for parent, children in rels:
            cells = [parent, *children]
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1 or not all(c in published for c in cells):
                continue
            cell = unknown[0]
            rest = sum(known[c] for c in children if c != cell)
            known[cell] = rest if cell == parent else known[parent] - rest
            found = True
    return sorted(key for key in withheld & published if key in known)


@pytest.mark.parametrize(("name", "column"), [("microdistricts", "complaints"),
                                              ("resolved", "resolved"),
                                              ("hexagons", "complaints")])
def test_no_chain_of_sums_recovers_a_withheld_count(crawled: dict, name: str,
                                                     column: str) -> None:
    """Over each published table as a visitor downloads it: no withheld cell can be
    worked out from the published ones by the lattice's own sums, however chained."""
    rows = list(csv.DictReader(io.StringIO(
        crawled[f"/open-data/{name}.csv"].get_data(as_text=True))))
    area_column = next(iter(rows[0]))
    cells = {(r[area_column], r["group"], r["period"]): r for r in rows}
    counts = {key: int(r[column] or 0) for key, r in cells.items()}
    withheld = {key for key, r in cells.items() if r["suppressed"] == "1"}
    years = sorted({p for _, _, p in cells if len(p) == 4})
    areas = sorted({a for a, _, _ in cells})
    groups = [g for g in GROUP_OPTIONS if g != ALL]
    rels = relations(areas, groups, years, name == "microdistricts")
    assert withheld and recovered_by_sums(counts, withheld, rels, set(cells)) == []


def test_no_difference_of_published_cells_reveals_a_small_count(crawled: dict) -> None:
    """Over the published microdistrict table: for every additive relation (all groups
    = sum of groups; all = sum of years; year = sum of quarters; quarter = sum of
    months) with a published total, the withheld part is empty or at least k in at
    least two cells."""
    rows = csv.DictReader(io.StringIO(
        crawled["/open-data/microdistricts.csv"].get_data(as_text=True)))
    table: dict[tuple, int | None] = {}
    areas, years = set(), set()
    for r in rows:
        table[(r["microdistrict"], r["group"], r["period"])] = \
            None if r["suppressed"] == "1" else int(r["complaints"])
        areas.add(r["microdistrict"])
        if len(r["period"]) == 4:
            years.add(r["period"])
    groups = [g for g in GROUP_OPTIONS if g != ALL]
    checked = 0
    for parent, children in relations(sorted(areas), groups, sorted(years), True):
        if parent not in table or table[parent] is None:
            continue
        known = [c for c in children if c in table]
        if len(known) != len(children):
            continue  # months older than the published trend
        hidden = [c for c in children if table[c] is None]
        if hidden:
            rest = table[parent] - sum(table[c] or 0 for c in children)
            assert len(hidden) >= 2 and rest >= K, (parent, hidden, rest)
        checked += 1
    assert checked > 100
    assert any(v is None for v in table.values())


def test_two_periods_do_not_reveal_a_withheld_quarter(crawled: dict) -> None:
    """Asking a year and its quarters one by one: the quarters withheld in the year are
    never a single one (which the year minus the others would reveal)."""
    by_area: dict[tuple, list] = defaultdict(list)
    for key, response in crawled.items():
        if not key.startswith("/open/layers/public_microdistricts?"):
            continue
        group, period = key.split("?", 1)[1].split("&")
        for f in response.get_json()["features"]:
            by_area[(f["properties"]["id"], group)].append(
                (period, f["properties"]["complaints"]))
    for cells in by_area.values():
        values = dict(cells)
        for year in [p for p in values if len(p) == 4]:
            quarters = [q for q in quarters_of(year) if q in values]
            if values[year] is None or len(quarters) < 4:
                continue
            hidden = [q for q in quarters if values[q] is None]
            assert len(hidden) != 1
            if hidden:
                assert values[year] - sum(values[q] or 0 for q in quarters) >= K
    assert months_of("2024-Q2") == ["2024-04", "2024-05", "2024-06"]


def test_public_layers_refuse_other_slices(app: Flask) -> None:
    client = app.test_client()
    for args in ("from=2024-01-02&to=2024-03-31", "category=housing_utilities.heating",
                 "status=resolved", "source=109", "from=2024-01-01", "microdistrict=1",
                 "area=71.3,42.8,71.5,43.0"):
        assert client.get(f"/api/layers/public_hexagons?{args}").status_code == 400
    assert client.get("/open/layers/public_hexagons?period=2024-01").status_code == 400
    assert client.get("/open/layers/complaints_clusters").status_code == 404


@pytest.fixture(scope="module")
def demo_ticket(demo_engine: Engine) -> tuple[str, str]:
    with demo_engine.connect() as conn:
        return tuple(conn.execute(text("""
            SELECT c.ticket, right(c.applicant_phone, 4) FROM complaints c
            WHERE c.applicant_phone IS NOT NULL AND c.status = 'resolved'
              AND c.applicant_name IS NOT NULL ORDER BY c.id LIMIT 1""")).one())


def _track(client: FlaskClient, ticket: str, digits: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/track").get_data(as_text=True))
    return client.post("/track", data={"ticket": ticket, "digits": digits,
                                       "csrf_token": token})


def _without_token(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


def test_tracking_shows_history_only_for_the_right_pair(demo_db_url: str,
                                                        demo_ticket: tuple[str, str],
                                                        demo_engine: Engine) -> None:
    ticket, digits = demo_ticket
    client = create_app({"database_url": demo_db_url, "TESTING": True}).test_client()
    right = _track(client, ticket, digits)
    page = right.get_data(as_text=True)
    assert right.status_code == 200 and "Исполнено" in page and ticket in page
    with demo_engine.connect() as conn:
        name, phone, body = conn.execute(text(
            "SELECT applicant_name, applicant_phone, text FROM complaints WHERE ticket = :t"),
            {"t": ticket}).one()
    assert name not in page and phone not in page and body[:40] not in page
    wrong_digits = str((int(digits) + 1) % 10000).zfill(4)
    wrong = _track(client, ticket, wrong_digits)
    unknown = _track(client, "TRZ-9999999", digits)
    assert wrong.status_code == unknown.status_code == 200
    # The same page whether the ticket exists or not; the ticket typed stays in its
    # field (to correct a typo), and nowhere else.
    assert _without_token(wrong.get_data(as_text=True)).replace(ticket, "T") == \
        _without_token(unknown.get_data(as_text=True)).replace("TRZ-9999999", "T")
    assert wrong.get_data(as_text=True).count(ticket) == 1
    assert f'value="{ticket}"' in wrong.get_data(as_text=True)
    assert f'value="{wrong_digits}"' not in wrong.get_data(as_text=True)


def test_tracking_is_rate_limited(demo_db_url: str) -> None:
    client = create_app({"database_url": demo_db_url, "TESTING": True}).test_client()
    codes = [_track(client, "TRZ-0000001", "0000").status_code for _ in range(ATTEMPTS + 1)]
    assert codes[:ATTEMPTS] == [200] * ATTEMPTS and codes[-1] == 429


def test_public_responses_have_etag_and_304(app: Flask) -> None:
    client = app.test_client()
    for url in ("/", "/open-data", "/done", "/open-data/resolved.csv",
                "/open/layers/public_hexagons?group=housing_utilities&period=all",
                "/open-data/microdistricts.geojson?period=2024"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=300"
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert client.get(url).get_data() == first.get_data()
    assert "no-store" in client.get("/track").headers["Cache-Control"]


def test_home_is_the_open_map_for_logged_in_users_too(demo_db_url: str,
                                                      demo_engine: Engine) -> None:
    from geoapp.accounts import ensure_demo_accounts

    with demo_engine.begin() as conn:
        ensure_demo_accounts(conn)
    client = create_app({"database_url": demo_db_url, "TESTING": True}).test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "official", "password": "official-demo",
                                "csrf_token": token})
    page = client.get("/")
    body = page.get_data(as_text=True)
    assert "public_hexagons" in body and 'href="/map"' in body
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_public_tables_are_replaced_together(new_database, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page lists periods from the microdistrict table and the hexagon layer checks
    them against its own: refreshed apart, the first complaint of a new quarter made
    the page offer a period the layer refused (400). They are one cache entry now.
    The hexagons take a second longer here, as a city-wide grid does on real data."""
    real_hexagon_table = public.hexagon_table

    def slow_hexagon_table(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return real_hexagon_table(*args, **kwargs)

    monkeypatch.setattr(public, "hexagon_table", slow_hexagon_table)
    engine = migrated_with_layers(new_database("public_tables"), tmp_path / "layers")
    try:
        with engine.begin() as conn:
            add_complaint(conn, received_at=datetime(2024, 2, 1, 6, tzinfo=UTC))
        with engine.connect() as conn:  # both tables cached, as after a page and its layer
            for name in ("microdistricts", "hexagons"):
                assert "2024-Q2" not in cached_table(conn, name, DEFAULT_CITY_BBOX).periods
        with engine.begin() as conn:
            add_complaint(conn, received_at=datetime(2024, 5, 1, 6, tzinfo=UTC))
        deadline = time.monotonic() + 30
        while True:  # the refresh runs in the background; read as a page would
            with engine.connect() as conn:
                periods = cached_table(conn, "microdistricts", DEFAULT_CITY_BBOX).periods
                if "2024-Q2" in periods:
                    hexagons = cached_table(conn, "hexagons", DEFAULT_CITY_BBOX)
                    break
            assert time.monotonic() < deadline, "the tables were never refreshed"
            time.sleep(0.05)
        assert hexagons.periods == periods
    finally:
        engine.dispose()


def test_the_open_data_form_downloads_the_chosen_slice(app: Flask) -> None:
    """The group and period chosen on /open-data go to the GeoJSON that is downloaded
    (the form's two buttons), not only to a hint to edit the address by hand."""
    page = app.test_client().get("/open-data?lang=ru").get_data(as_text=True)
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*id="open-data-filters">'
                     r'(.*?)</form>', page, re.S)
    assert form is not None
    hexagons = re.search(r'formaction="([^"]+)"', form.group(2))
    period = re.findall(r'<option value="(\d{4})">', form.group(2))[0]
    for action in (form.group(1), hexagons.group(1) if hexagons else ""):
        data = app.test_client().get(action, query_string={"group": "land",
                                                            "period": period}).get_json()
        assert (data["group"], data["period"], data["type"]) == ("land", period,
                                                                 "FeatureCollection"), action
