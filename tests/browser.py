"""Browser-test support: the app served by waitress on a free loopback port, and
Debian's Chromium driven by Playwright, headless and offline."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import Engine

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Closed from here, the sockets vanish under the server's select() (EBADF in
        # its thread); the server's own loop closes them instead, and then ends.
        server.trigger.pull_trigger(  # type: ignore[union-attr]
            lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]


@contextmanager
def browser_page() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.outside_requests = []  # type: ignore[attr-defined]

        def note(request) -> None:  # type: ignore[no-untyped-def]
            host = urlsplit(request.url).hostname
            if request.url.startswith(("http:", "https:")) and host not in ("127.0.0.1",
                                                                             "localhost"):
                page.outside_requests.append(request.url)  # type: ignore[attr-defined]

        page.on("request", note)
        try:
            yield page
        finally:
            browser.close()


def login_in_browser(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def demo_site(url: str, complaints: int) -> Engine:
    """A migrated database at `url` with a small demo dataset and the demo accounts."""
    from geoapp.accounts import ensure_demo_accounts
    from geoapp.db import make_engine
    from geoapp.demo_load import load_demo_dataset
    from geoapp.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    load_demo_dataset(engine, seed=5, complaints=complaints, force=False)
    with engine.begin() as conn:
        ensure_demo_accounts(conn)
    return engine
