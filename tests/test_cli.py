"""The `geoapp` command against real databases, as a user runs it."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from helpers import GEOAPP, assert_one_line_error, free_port, interruptible, run_geoapp
from sqlalchemy.engine import make_url

from geoapp.migrate import head_revision

UNREACHABLE = "postgresql://nobody@127.0.0.1:{port}/nothing"


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_status_with_database_url(test_db_url: str) -> None:
    proc = run_geoapp("db", "status", env={"DATABASE_URL": test_db_url})
    assert proc.returncode == 0, proc.stderr
    assert make_url(test_db_url).database in proc.stdout
    assert "postgis: 3." in proc.stdout
    assert f"schema revision: {head_revision()}" in proc.stdout


def test_unreachable_database_url_is_one_line() -> None:
    env = {"DATABASE_URL": UNREACHABLE.format(port=free_port())}
    for args in (("db", "status"), ("db", "migrate"), ("demo",)):
        proc = run_geoapp(*args, env=env)
        assert_one_line_error(proc, "cannot reach the database")
        assert proc.returncode == 3


def test_database_url_that_is_not_postgres() -> None:
    proc = run_geoapp("db", "status", env={"DATABASE_URL": "mysql://root@127.0.0.1/x"})
    assert_one_line_error(proc, "PostgreSQL")


def test_migrate_creates_postgis_or_says_who_can(new_database, server_url: str) -> None:
    url = new_database("migrate")
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("DROP EXTENSION postgis")
    proc = run_geoapp("db", "migrate", env={"DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert f"schema at revision {head_revision()}" in proc.stdout

    limited_url = new_database("limited")
    role = "geoapp_limited_" + make_url(limited_url).database[-6:]
    with psycopg.connect(_plain(limited_url), autocommit=True) as conn:
        conn.execute("DROP EXTENSION postgis")
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT ALL ON SCHEMA public TO {role}")
    try:
        as_role = make_url(limited_url).set(username=role, password=None)
        proc = run_geoapp("db", "migrate",
                          env={"DATABASE_URL": as_role.render_as_string(hide_password=False)})
        assert_one_line_error(proc, "no PostGIS", "CREATE EXTENSION postgis")
    finally:
        with psycopg.connect(_plain(limited_url), autocommit=True) as conn:
            conn.execute(f"REVOKE ALL ON SCHEMA public FROM {role}")
            conn.execute(f"DROP ROLE {role}")


def test_flask_cli_finds_the_app(test_db_url: str) -> None:
    flask = str(Path(GEOAPP).parent / "flask")
    proc = subprocess.run([flask, "--app", "geoapp", "db", "status"], capture_output=True,
                          text=True, env={"DATABASE_URL": test_db_url, "PATH": "/usr/bin:/bin"},
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "postgis: 3." in proc.stdout


def test_serve_runs_waitress_and_answers_healthz(test_db_url: str) -> None:
    port = free_port()
    server = subprocess.Popen([GEOAPP, "serve", "--port", str(port)],
                              env={"DATABASE_URL": test_db_url, "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=2) as response:
                    headers, body = response.headers, response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and '"status":"ok"' in body.replace(" ", "")
        assert headers["Server"] == "geoapp"  # waitress's ident, not Werkzeug's dev server
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)


def test_demo_refuses_a_non_empty_database_and_ctrl_c_leaves_nothing(new_database) -> None:
    from geoapp.db import make_engine
    from geoapp.migrate import upgrade

    url = new_database("demo_cli")
    engine = make_engine(url)
    upgrade(engine)
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    loader = subprocess.Popen([GEOAPP, "demo", "--complaints", "400000"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    time.sleep(6)
    loader.send_signal(signal.SIGINT)
    _, err = loader.communicate(timeout=120)
    assert loader.returncode == 130, err
    assert "Traceback" not in err
    with psycopg.connect(_plain(url)) as conn:
        counts = conn.execute("""SELECT (SELECT count(*) FROM microdistricts),
            (SELECT count(*) FROM complaints), (SELECT count(*) FROM import_batches)""").fetchone()
    assert counts == (0, 0, 0)

    small = run_geoapp("demo", "--complaints", "2000", env={"DATABASE_URL": url})
    assert small.returncode == 0, small.stderr
    assert "synthetic" in small.stdout and "official-demo" in small.stdout
    # The inspectors' register is filled from the start.
    assert "violations in the register" in small.stdout
    with psycopg.connect(_plain(url)) as conn:
        rules = {r for (r,) in conn.execute("SELECT DISTINCT rule FROM parcel_violations")}
    assert {"R1", "R2", "R3"} <= rules
    again = run_geoapp("demo", "--complaints", "2000", env={"DATABASE_URL": url})
    assert_one_line_error(again, "already has data", "--force")
    skipped = run_geoapp("demo", "--if-empty", env={"DATABASE_URL": url})
    assert skipped.returncode == 0 and "not loaded" in skipped.stdout
    too_few = run_geoapp("demo", "--complaints", "10", "--force", env={"DATABASE_URL": url})
    assert_one_line_error(too_few, "at least 500")
    engine.dispose()


def test_ctrl_c_while_a_copy_is_open_still_leaves_nothing(new_database, monkeypatch) -> None:
    """Ctrl-C can land while psycopg waits inside a COPY, when the connection cannot
    even take a ROLLBACK ("another command is already in progress"): the load must
    still stop as an interrupt, with nothing stored."""
    from geoapp.db import make_engine
    from geoapp.demo import loader
    from geoapp.demo_load import load_demo_dataset
    from geoapp.migrate import upgrade

    url = new_database("demo_copy_cut")
    engine = make_engine(url)
    upgrade(engine)

    def cut_mid_copy(cur, table, columns, rows) -> None:  # type: ignore[no-untyped-def]
        if table != "complaints":
            return original(cur, table, columns, rows)
        cur.connection.pgconn.send_query(f"COPY {table} (id) FROM STDIN".encode())
        raise KeyboardInterrupt

    original = loader.copy_rows
    monkeypatch.setattr(loader, "copy_rows", cut_mid_copy)
    with pytest.raises(KeyboardInterrupt):
        load_demo_dataset(engine, seed=1, complaints=500, force=False)
    engine.dispose()
    with psycopg.connect(_plain(url)) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM microdistricts), "
                            "(SELECT count(*) FROM complaints)").fetchone() == (0, 0)
