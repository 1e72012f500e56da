"""An import's error keeps what shows it in the reader's language (geoapp.errors)."""

from __future__ import annotations

import json

from geoapp.errors import N_, InputError, error_fields, worded


def test_an_import_error_keeps_its_template_and_values() -> None:
    exc = InputError(N_("%(file)s is not valid JSON: %(reason)s"), file="cut.geojson",
                     reason="parse error: premature EOF")
    fields = error_fields(worded(exc))
    assert json.loads(json.dumps(fields)) == {
        "error": "cut.geojson is not valid JSON: parse error: premature EOF",
        "error_template": "%(file)s is not valid JSON: %(reason)s",
        "error_params": {"file": "cut.geojson", "reason": "parse error: premature EOF"}}


def test_an_error_without_values_is_its_own_template() -> None:
    """Translated where the catalogue knows it, shown as it is where it does not."""
    assert error_fields(worded(InputError("no such file: x.csv"))) == {
        "error": "no such file: x.csv", "error_template": "no such file: x.csv",
        "error_params": {}}
    assert error_fields(None) == {}
