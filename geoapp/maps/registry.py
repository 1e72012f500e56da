"""The map pages the service offers and who may open each; the home page lists
the ones open to the visitor. Blueprints register their pages here."""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = None


@dataclass(frozen=True)
class MapPage:
    endpoint: str
    title: str
    description: str
    roles: frozenset[str | None]


_PAGES: dict[str, MapPage] = {}


def register_page(page: MapPage) -> None:
    _PAGES[page.endpoint] = page


def pages_for(role: str | None) -> list[MapPage]:
    """Pages open to a role; `None` is the anonymous public."""
    return [p for p in _PAGES.values() if role in p.roles or PUBLIC in p.roles]
