"""Settings from the environment (GEOAPP_*, DATABASE_URL), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from geoapp.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-secret-change-me"
# Taraz, roughly (DATA_CONTRACT): lon_min, lat_min, lon_max, lat_max.
DEFAULT_CITY_BBOX = (71.25, 42.82, 71.50, 42.97)


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError as exc:
        raise ConfigError(f"GEOAPP_CITY_BBOX must be four numbers, got {value!r}") from exc
    if len(parts) != 4 or parts[0] >= parts[2] or parts[1] >= parts[3]:
        raise ConfigError("GEOAPP_CITY_BBOX must be lon_min,lat_min,lon_max,lat_max")
    return parts  # type: ignore[return-value]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Every setting the service reads; see the README's configuration table."""

    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".geoapp"
    db_port: int = 55432
    secret_key: str = DEFAULT_SECRET_KEY
    env: str = "development"
    city_bbox: tuple[float, float, float, float] = DEFAULT_CITY_BBOX
    timezone: str = "Asia/Almaty"
    basemap_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    host: str = "127.0.0.1"
    port: int = 5000
    max_upload_mb: int = 200  # the largest export /imports takes
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("GEOAPP_DATA_DIR") or PROJECT_ROOT / ".geoapp")
        bbox_raw = os.environ.get("GEOAPP_CITY_BBOX")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            data_dir=data_dir.resolve(),
            db_port=_int("GEOAPP_DB_PORT", 55432),
            secret_key=os.environ.get("GEOAPP_SECRET_KEY") or DEFAULT_SECRET_KEY,
            env=os.environ.get("GEOAPP_ENV") or "development",
            city_bbox=_bbox(bbox_raw) if bbox_raw else DEFAULT_CITY_BBOX,
            timezone=os.environ.get("GEOAPP_TIMEZONE") or "Asia/Almaty",
            basemap_url=os.environ.get("GEOAPP_BASEMAP_URL")
            or "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            host=os.environ.get("GEOAPP_HOST") or "127.0.0.1",
            port=_int("GEOAPP_PORT", 5000),
            max_upload_mb=_int("GEOAPP_MAX_UPLOAD_MB", 200),
        )

    def with_overrides(self, overrides: dict[str, Any] | None) -> Settings:
        """A copy with the known keys of `overrides` replaced; others go to `extra`."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        values = {k: v for k, v in overrides.items() if k in known}
        extra = {**self.extra, **{k: v for k, v in overrides.items() if k not in known}}
        return Settings(**{**{f.name: getattr(self, f.name) for f in fields(self)},
                           **values, "extra": extra})

    @property
    def uses_local_database(self) -> bool:
        return self.database_url is None
