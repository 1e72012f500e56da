"""Officials' map benchmark (issue: officials' map): at 15,000 and at N complaints
(BENCH_COMPLAINTS, default 1,000,000), side by side in one run:

- the size of the /map HTML page, and the median time of the officials' pages;
- for each data layer at typical viewports (the whole city at zoom 12, a district at
  zoom 14, a few streets at zoom 17): response size and median time over repeated
  requests through the app, beside the median of the same source's SQL run alone
  (the baseline), with their ratio;
- the time until every visible layer has drawn in headless Chromium.

Run with `make bench-map`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from common import scratch_database
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser import browser_page, login_in_browser, serve
from helpers import csrf_token

from geoapp import create_app
from geoapp.accounts import ensure_demo_accounts
from geoapp.demo import load_demo
from geoapp.maps.catalog import load_catalog
from geoapp.maps.filters import ComplaintFilter
from geoapp.maps.sources import Query, all_sources

SIZES = (15_000, int(os.environ.get("BENCH_COMPLAINTS", "1000000")))
REPEAT = 15
VIEWS = {
    "city z12": ((71.25, 42.82, 71.50, 42.97), 12),
    "district z14": ((71.35, 42.88, 71.41, 42.92), 14),
    "streets z17": ((71.370, 42.895, 71.378, 42.900), 17),
}
LAYERS = ("complaints_heat", "complaints_clusters", "microdistrict_rates")
PAGES = ("/map", "/complaints", "/dashboard", "/microdistricts/1")


def opener_logged_in(base: str):  # type: ignore[no-untyped-def]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    data = urllib.parse.urlencode({"username": "official", "password": "official-demo",
                                   "csrf_token": csrf_token(page)}).encode()
    opener.open(f"{base}/login", data=data).read()
    return opener


def median_ms(fn, repeat: int = REPEAT) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(n: int) -> dict:
    results: dict = {"rows": {}}
    with scratch_database(f"map{n}") as (url, engine):
        t0 = time.perf_counter()
        with engine.begin() as conn:
            load_demo(conn, seed=11, complaints=n)
            ensure_demo_accounts(conn)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(f"  loaded {n:,} complaints in {time.perf_counter() - t0:.0f} s", flush=True)
        app = create_app({"database_url": url, "basemap_url": "http://127.0.0.1:9/{z}/{x}/{y}.png"})
        catalog = load_catalog()
        sources = all_sources()
        with serve(app) as base:
            opener = opener_logged_in(base)
            html = opener.open(f"{base}/map").read()
            results["html_kb"] = len(html) / 1024
            results["pages"] = {
                page: median_ms(lambda a=f"{base}{page}": opener.open(a).read(), repeat=5)
                for page in PAGES}
            for view, (bbox, zoom) in VIEWS.items():
                for layer in LAYERS:
                    query = "bbox=" + ",".join(map(str, bbox)) + f"&zoom={zoom}"
                    body = opener.open(f"{base}/api/layers/{layer}?{query}").read()
                    address = f"{base}/api/layers/{layer}?{query}"
                    app_ms = median_ms(lambda a=address: opener.open(a).read())
                    spec = catalog[layer]
                    q = Query(bbox=bbox, zoom=zoom, filters=ComplaintFilter())
                    with engine.connect() as conn:
                        run = sources[spec.source]
                        sql_ms = median_ms(lambda r=run, c=conn, qq=q: r(c, qq))
                    results["rows"][(view, layer)] = (len(body) / 1024, app_ms, sql_ms)
            with browser_page() as page:
                login_in_browser(page, base, "official", "official-demo")
                t0 = time.perf_counter()
                page.goto(f"{base}/map")
                for layer in LAYERS:
                    page.wait_for_selector(f"body[data-layer-{layer}='drawn']",
                                           state="attached", timeout=60000)
                results["drawn_s"] = time.perf_counter() - t0
    return results


def main() -> None:
    measured = {}
    for n in SIZES:
        print(f"measuring at {n:,} complaints…", flush=True)
        measured[n] = measure(n)
    small, large = SIZES
    a, b = measured[small], measured[large]
    print()
    print(f"{'':40}{f'{small:,} complaints':>26}{f'{large:,} complaints':>26}")
    print(f"{'/map HTML (KB, target <= 1536)':40}{a['html_kb']:>26.1f}{b['html_kb']:>26.1f}")
    print(f"{'data drawn in Chromium (s, target <= 3)':40}{a['drawn_s']:>26.2f}"
          f"{b['drawn_s']:>26.2f}")
    for page in PAGES:
        print(f"{'page ' + page + ' (median ms)':40}{a['pages'][page]:>26.1f}"
              f"{b['pages'][page]:>26.1f}")
    print("\nper data response: size KB / median ms through the app / median ms SQL alone "
          "(ratio app/SQL); targets <= 1024 KB and <= 300 ms")
    for key in a["rows"]:
        cells = []
        for m in (a, b):
            kb, app_ms, sql_ms = m["rows"][key]
            cells.append(f"{kb:7.1f} / {app_ms:6.1f} / {sql_ms:6.1f} ({app_ms / sql_ms:4.2f})")
        print(f"{key[0] + ' · ' + key[1]:40}{cells[0]:>26}  {cells[1]:>26}")


if __name__ == "__main__":
    main()
