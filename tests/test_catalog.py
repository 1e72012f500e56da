"""The layer catalog: the shipped files validate, and bad files are refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import assert_one_line_error, run_geoapp

from geoapp.errors import ConfigError
from geoapp.maps.catalog import LAYERS_DIR, load_catalog

GOOD = """
id = "x"
kind = "heat"
source = "complaint_heat"
roles = ["official"]
maps = ["officials"]
[title]
ru = "Х"
kk = "Х"
en = "X"
"""


def test_shipped_catalog_is_valid() -> None:
    catalog = load_catalog()
    assert {"complaints_heat", "complaints_clusters", "microdistrict_rates",
            "heating_weeks"} <= set(catalog)
    assert len(list(LAYERS_DIR.glob("*.toml"))) == len(catalog)
    proc = run_geoapp("layers", "check")
    assert proc.returncode == 0, proc.stderr
    assert f"{len(catalog)} layers OK" in proc.stdout


@pytest.mark.parametrize(("change", "message"), [
    (('kind = "heat"', 'kind = "sparkles"'), "unknown kind"),
    (('source = "complaint_heat"', 'source = "DROP TABLE complaints"'), "unknown source"),
    (('roles = ["official"]', 'roles = ["mayor"]'), "roles must be among"),
    (('maps = ["officials"]', 'maps = ["public"]'), "must be open to `public`"),
    (('en = "X"', ''), "title lacks en"),
    (('id = "x"', 'id = "x"\nsql = "SELECT 1"'), "unknown keys sql"),
    (('en = "X"', 'en = "X"\n[fixed_filters]\ncategory = "nope"'), "fixed_filters"),
    (('id = "x"', 'id = "x"\nmin_zoom = 9\nmax_zoom = 3'), "zoom range"),
    (('en = "X"', 'en = "X"\n[popup]\nfields = ["land_use"]'), "popup needs a `heading`"),
    (('en = "X"', 'en = "X"\n[popup]\nheading = "ticket"\nfields = ["secret"]'),
     "popup fields without a title in geoapp/maps/popups.py: secret"),
    (('en = "X"', 'en = "X"\n[popup]\nheading = "ticket"\nlink = "https://evil.example/"'),
     "popup `link` must be a path within the app"),
    (('en = "X"', 'en = "X"\n[popup]\nheading = "ticket"\nlink = "//evil.example/"'),
     "popup `link` must be a path within the app"),
    (('en = "X"', 'en = "X"\n[popup]\nheading = "kind"\nnames = { kind = "zones" }'),
     "popup `names` maps properties to vocabularies"),
    (('en = "X"', 'en = "X"\n[popup]\nheading = "kind"\nsql = "x"'),
     "popup: unknown keys sql"),
])
def test_bad_layer_files_are_refused(tmp_path: Path, change: tuple[str, str],
                                     message: str) -> None:
    (tmp_path / "x.toml").write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_catalog(tmp_path)


def test_duplicate_ids_and_broken_toml(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD)
    (tmp_path / "b.toml").write_text(GOOD)
    with pytest.raises(ConfigError, match="duplicate layer id"):
        load_catalog(tmp_path)
    (tmp_path / "b.toml").write_text("id = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_catalog(tmp_path)


def test_app_refuses_to_start_with_a_bad_catalog(tmp_path: Path, test_db_url: str) -> None:
    proc = run_geoapp("serve", "--port", "1", env={"DATABASE_URL": test_db_url,
                                                   "GEOAPP_LAYERS_DIR": str(tmp_path)})
    assert_one_line_error(proc, "no layer files")
