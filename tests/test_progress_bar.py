"""The import's progress bar: drawn on a terminal only, and true to what has landed."""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import subprocess
from pathlib import Path

import pytest
from helpers import GEOAPP
from ingest_fixtures import migrated_with_layers

from geoapp.progress_bar import ProgressBar, render


def test_render_shows_share_rows_rate_and_time_left() -> None:
    assert render(50_000, 0.5, 10.0) == (
        "[##############..............]  50%  50,000 rows  5,000 rows/s  0:10 left")
    assert render(3, 1.0, 2.0).startswith("[############################] 100%  3 rows")
    assert "left" not in render(3, 1.0, 2.0)
    assert render(7, None, 1.0) == "importing… 7 rows  7 rows/s"


def test_redrawn_in_place_over_a_longer_line() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(1_000_000, 0.5)
    bar(1, 0.6)
    bar.close()
    first, second = stream.getvalue().rstrip("\n").split("\r")[1:]
    assert len(second) == len(first) and second.rstrip().endswith("left")


@pytest.fixture(scope="module")
def layers_url(new_database, tmp_path_factory) -> str:
    url = new_database("progress")
    migrated_with_layers(url, tmp_path_factory.mktemp("layers")).dispose()
    return url


def _export(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Номер обращения", "Дата обращения", "Источник", "Текст обращения",
                         "Адрес"])
        for i in range(rows):
            writer.writerow([f"P-{i}", "12.01.2024 09:30", "109",
                             "Нет отопления, батареи холодные " + "ж" * 300, "15 мкр, д. 7"])
    return path


def test_bar_on_a_terminal_follows_the_batches_that_landed(layers_url: str,
                                                            tmp_path: Path) -> None:
    path = _export(tmp_path / "export.csv", 120)
    leader, follower = pty.openpty()
    env = {**os.environ, "DATABASE_URL": layers_url, "GEOAPP_IMPORT_BATCH_ROWS": "40"}
    proc = subprocess.run([GEOAPP, "import", "complaints", str(path)], env=env,
                          stdout=subprocess.PIPE, stderr=follower, text=True, timeout=120)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end is closed
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert proc.returncode == 0, drawn
    assert proc.stdout.startswith("export.csv: read 120, inserted 120")
    lines = [ln.strip() for ln in drawn.decode().split("\r") if ln.strip()]
    shares = [int(m.group(1)) for ln in lines if (m := re.search(r"\]\s+(\d+)%", ln))]
    rows = [int(m.group(1)) for ln in lines if (m := re.search(r"%\s+([\d,]+) rows", ln))]
    assert rows == [40, 80, 120]
    assert shares == sorted(shares) and shares[-1] == 100 and 25 <= shares[0] <= 40


def test_no_bar_when_not_on_a_terminal(layers_url: str, tmp_path: Path) -> None:
    path = _export(tmp_path / "export.csv", 10)
    proc = subprocess.run([GEOAPP, "import", "complaints", str(path)], capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": layers_url},
                          timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
