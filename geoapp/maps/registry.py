"""The pages the service offers and who may open each: the home page lists the maps
open to the visitor, the header shows the navigation for their role. Blueprints
register their pages here when the app is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PUBLIC = None


@dataclass(frozen=True)
class Page:
    endpoint: str
    title: Callable[[], str]
    description: Callable[[], str]
    roles: frozenset[str | None]
    is_map: bool = True

    def nav_title(self) -> str:
        return self.title()


_PAGES: dict[str, Page] = {}


def register_page(page: Page) -> None:
    _PAGES[page.endpoint] = page


def _open_to(page: Page, role: str | None) -> bool:
    return PUBLIC in page.roles or role in page.roles


def pages_for(role: str | None) -> list[Page]:
    """Map pages open to a role; `None` is the anonymous public."""
    return [p for p in _PAGES.values() if p.is_map and _open_to(p, role)]


def nav_for(role: str | None) -> list[Page]:
    return [p for p in _PAGES.values() if _open_to(p, role)]
