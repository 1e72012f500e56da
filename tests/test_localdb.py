"""The embedded default: `geoapp db up|down|status` on a throw-away cluster of its own."""

from __future__ import annotations

import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import assert_one_line_error, free_port, run_geoapp

from geoapp.config import PROJECT_ROOT


@pytest.fixture
def cluster_env() -> Iterator[dict[str, str]]:
    # Under the project's .geoapp/ so that the postgres OS user can reach it when root.
    data_dir = PROJECT_ROOT / ".geoapp" / "test-clusters" / uuid.uuid4().hex[:8]
    data_dir.mkdir(parents=True)
    env = {"GEOAPP_DATA_DIR": str(data_dir), "GEOAPP_DB_PORT": str(free_port())}
    yield env
    run_geoapp("db", "down", env=env)
    shutil.rmtree(data_dir, ignore_errors=True)


def test_up_is_idempotent_status_and_down(cluster_env: dict[str, str]) -> None:
    port = cluster_env["GEOAPP_DB_PORT"]
    first = run_geoapp("db", "up", env=cluster_env)
    assert first.returncode == 0, first.stderr
    assert f"127.0.0.1:{port}/geoapp" in first.stdout
    assert (Path(cluster_env["GEOAPP_DATA_DIR"]) / "pgdata" / "PG_VERSION").exists()
    again = run_geoapp("db", "up", env=cluster_env)
    assert again.returncode == 0, again.stderr
    status = run_geoapp("db", "status", env=cluster_env)
    assert status.returncode == 0, status.stderr
    assert f":{port}/geoapp" in status.stdout
    assert "postgresql: 1" in status.stdout
    assert "postgis: 3." in status.stdout
    down = run_geoapp("db", "down", env=cluster_env)
    assert down.returncode == 0 and "stopped" in down.stdout
    assert "not running" in run_geoapp("db", "down", env=cluster_env).stdout
    stopped = run_geoapp("db", "status", env=cluster_env)
    assert_one_line_error(stopped, "not running", "geoapp db up")


def test_port_taken_by_another_program(cluster_env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(cluster_env["GEOAPP_DB_PORT"])))
        squatter.listen()
        proc = run_geoapp("db", "up", env=cluster_env)
    assert_one_line_error(proc, "port", "taken", "GEOAPP_DB_PORT")


def test_data_directory_from_another_major_version(cluster_env: dict[str, str]) -> None:
    pgdata = Path(cluster_env["GEOAPP_DATA_DIR"]) / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("11\n")
    proc = run_geoapp("db", "up", env=cluster_env)
    assert_one_line_error(proc, "PostgreSQL 11")


def test_bad_port_setting(cluster_env: dict[str, str]) -> None:
    proc = run_geoapp("db", "up", env={**cluster_env, "GEOAPP_DB_PORT": "fifty"})
    assert_one_line_error(proc, "GEOAPP_DB_PORT")
