"""The layer catalog: one TOML file per map layer in `layers/`, validated against
the kinds the map can draw and the named sources registered in code. A file names
its source; it never carries SQL."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geoapp.config import PROJECT_ROOT
from geoapp.errors import ConfigError, InputError
from geoapp.maps.filters import ComplaintFilter
from geoapp.maps.popups import PopupSpec, parse_popup
from geoapp.taxonomy import ROLES

LAYERS_DIR = PROJECT_ROOT / "layers"
KINDS = ("heat", "clusters", "choropleth", "polygons", "points", "hexbins")
AUDIENCES = (*ROLES, "public")
MAPS = ("officials", "inspector", "public")
LANGUAGES = ("ru", "kk", "en")


@dataclass(frozen=True)
class LayerSpec:
    id: str
    kind: str
    source: str
    title: dict[str, str]
    roles: tuple[str, ...]
    maps: tuple[str, ...]
    visible: bool = True
    min_zoom: int = 0
    max_zoom: int = 20
    follows_filters: bool = True
    style: dict[str, Any] = field(default_factory=dict)
    legend: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    fixed_filters: dict[str, str] = field(default_factory=dict)
    time_step: str | None = None
    popup: PopupSpec | None = None

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["ru"]

    def open_to(self, role: str | None) -> bool:
        return (role or "public") in self.roles or "public" in self.roles


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise ConfigError(f"{where}: missing `{key}`")
    if not isinstance(data[key], kind):
        raise ConfigError(f"{where}: `{key}` must be a {kind.__name__}")
    return data[key]


def parse_layer(data: dict[str, Any], where: str, known_sources: set[str]) -> LayerSpec:
    layer_id = _require(data, "id", str, where)
    kind = _require(data, "kind", str, where)
    if kind not in KINDS:
        raise ConfigError(f"{where}: unknown kind {kind!r}; one of {', '.join(KINDS)}")
    source = _require(data, "source", str, where)
    if source not in known_sources:
        raise ConfigError(f"{where}: unknown source {source!r}; registered: "
                          f"{', '.join(sorted(known_sources))}")
    title = _require(data, "title", dict, where)
    missing = [lang for lang in LANGUAGES if not title.get(lang)]
    if missing:
        raise ConfigError(f"{where}: title lacks {', '.join(missing)}")
    roles = tuple(_require(data, "roles", list, where))
    unknown = [r for r in roles if r not in AUDIENCES]
    if unknown or not roles:
        raise ConfigError(f"{where}: roles must be among {', '.join(AUDIENCES)}")
    maps = tuple(_require(data, "maps", list, where))
    if not maps or any(m not in MAPS for m in maps):
        raise ConfigError(f"{where}: maps must be among {', '.join(MAPS)}")
    if "public" in maps and "public" not in roles:
        raise ConfigError(f"{where}: a layer on the public map must be open to `public`")
    min_zoom, max_zoom = int(data.get("min_zoom", 0)), int(data.get("max_zoom", 20))
    if not 0 <= min_zoom <= max_zoom <= 22:
        raise ConfigError(f"{where}: zoom range must satisfy 0 <= min_zoom <= max_zoom <= 22")
    fixed = {str(k): str(v) for k, v in dict(data.get("fixed_filters", {})).items()}
    try:
        ComplaintFilter.from_args(fixed)
    except InputError as exc:
        raise ConfigError(f"{where}: fixed_filters: {exc}") from exc
    time_step = data.get("time_step")
    if time_step not in (None, "week"):
        raise ConfigError(f"{where}: time_step can only be 'week'")
    unknown_keys = set(data) - {"id", "kind", "source", "title", "roles", "maps", "visible",
                                "min_zoom", "max_zoom", "follows_filters", "style", "legend",
                                "order", "fixed_filters", "time_step", "popup"}
    if unknown_keys:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown_keys))}")
    return LayerSpec(
        id=layer_id, kind=kind, source=source, title=dict(title), roles=roles, maps=maps,
        visible=bool(data.get("visible", True)), min_zoom=min_zoom, max_zoom=max_zoom,
        follows_filters=bool(data.get("follows_filters", True)),
        style=dict(data.get("style", {})), legend=dict(data.get("legend", {})),
        order=int(data.get("order", 100)), fixed_filters=fixed, time_step=time_step,
        popup=parse_popup(data["popup"], where) if "popup" in data else None,
    )


def load_catalog(directory: Path | None = None) -> dict[str, LayerSpec]:
    """Every layer in the directory (GEOAPP_LAYERS_DIR or layers/), by id, in map order;
    a clear error for a bad file."""
    from geoapp.maps.sources import all_sources

    directory = directory or Path(os.environ.get("GEOAPP_LAYERS_DIR") or LAYERS_DIR)
    layers: dict[str, LayerSpec] = {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ConfigError(f"no layer files in {directory}")
    for path in files:
        where = f"layers/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
        spec = parse_layer(data, where, set(all_sources()))
        if spec.id in layers:
            raise ConfigError(f"{where}: duplicate layer id {spec.id!r}")
        layers[spec.id] = spec
    return dict(sorted(layers.items(), key=lambda item: (item[1].order, item[0])))


def layers_for(catalog: dict[str, LayerSpec], map_name: str, role: str | None
               ) -> list[LayerSpec]:
    return [s for s in catalog.values() if map_name in s.maps and s.open_to(role)]
