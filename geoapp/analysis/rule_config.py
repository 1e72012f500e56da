"""The parcel rules' configuration: codes, names, titles, severities, descriptions and
parameters, read from `geoapp/data/parcel_rules.toml` (or a file given in tests)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from geoapp.errors import ConfigError

RULE_CODES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "R6")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
META_KEYS = frozenset({"name", "severity", "title", "description"})


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    description: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)  # short, as pages list rules

    def describe(self, language: str) -> str:
        return self.description.get(language) or self.description.get("en") or self.name

    def titled(self, language: str) -> str:
        """The rule's short title in `language`, its `name` when it has none."""
        return self.title.get(language) or self.title.get("en") or self.name

    def with_params(self, **changes: Any) -> Rule:
        return replace(self, params={**self.params, **changes})


def _parse(code: str, data: dict[str, Any]) -> Rule:
    where = f"parcel_rules.toml [{code}]"
    name, severity = data.get("name"), data.get("severity")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: missing `name`")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    description = data.get("description") or {}
    if not isinstance(description, dict) or not description.get("en"):
        raise ConfigError(f"{where}: `description` needs at least `en`")
    title = data.get("title") or {}
    if not isinstance(title, dict):
        raise ConfigError(f"{where}: `title` is a table of languages (ru, kk, en)")
    params = {k: v for k, v in data.items() if k not in META_KEYS}
    return Rule(code, name, severity, {str(k): str(v) for k, v in description.items()},
                params, {str(k): str(v) for k, v in title.items()})


def load_rules(path: Path | None = None) -> dict[str, Rule]:
    """Every rule by code, in code order; a clear ConfigError for a bad file."""
    raw = (path.read_bytes() if path is not None else
           resources.files("geoapp.data").joinpath("parcel_rules.toml").read_bytes())
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"parcel_rules.toml is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(RULE_CODES))
    if unknown:
        raise ConfigError(f"parcel_rules.toml: unknown rules {', '.join(unknown)}")
    return {code: _parse(code, data[code]) for code in RULE_CODES if code in data}
