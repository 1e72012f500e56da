"""What every template may use: the navigation for the visitor's role, whether the
data is the synthetic demo, number and date formatting, codes by name."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from geoapp.maps.registry import nav_for
from geoapp.maps.vocabularies import name_of
from geoapp.web import engine, settings
from geoapp.web.auth import current_role
from geoapp.web.i18n import current_language


def thousands(value: object) -> str:
    try:
        return f"{int(value):,}".replace(",", "\u202f")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "—"


def _as_datetime(value: object) -> date | None:
    """A date, a datetime (aware ones in the city's time zone) or an ISO string."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(ZoneInfo(settings().timezone))
    return value if isinstance(value, date) else None


def day(value: object) -> str:
    """dd.mm.yyyy, as every page writes dates; none as a dash."""
    moment = _as_datetime(value)
    return moment.strftime("%d.%m.%Y") if moment else "—"


def local_time(value: object) -> str:
    """dd.mm.yyyy HH:MM in the city's time zone (stored times are UTC)."""
    moment = _as_datetime(value)
    return moment.strftime("%d.%m.%Y %H:%M") if moment else "—"


def layer_name(layer: str) -> str:
    """A reference layer's name in the page's language, as a sentence uses it."""
    return named("layer", layer)


def demo_data_loaded() -> bool:
    try:
        with engine().connect() as conn:
            return bool(conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM import_batches WHERE kind = 'demo')"
            )).scalar_one())
    except SQLAlchemyError:
        return False


def role_name(role: str) -> str:
    return named("role", role)


def named(vocabulary: str, code: str | None) -> str:
    """A code as people read it, in the page's language (`{{ named("land_use", p.land_use) }}`)."""
    return name_of(vocabulary, code, current_language())


def register(app: Flask) -> None:
    app.add_template_filter(thousands, "thousands")
    app.add_template_filter(day, "day")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(layer_name, "layer_name")

    @app.context_processor
    def common() -> dict[str, object]:
        items = [{"title": page.nav_title(), "url": url_for(page.endpoint),
                  "active": request.endpoint == page.endpoint}
                 for page in nav_for(current_role())]
        return {"nav_items": items, "demo_data": demo_data_loaded(), "role_name": role_name,
                "named": named}
