"""What a feature's popup shows, declared per layer in its TOML (`[popup]`): a
heading property, maybe linked to the page behind the feature, and the fields below
it, each titled in the reader's language, codes shown by name.

    [popup]
    heading = "cadastral_number"
    link = "/parcels/{cadastral_number}"   # placeholders are the feature's properties
    fields = ["land_use", "status", "holder"]
    names = { land_use = "land_use", status = "parcel_status" }   # property → vocabulary
    link_roles = ["official", "admin"]   # only they get the link (others: the heading)

A placeholder is URL-encoded, but one named `*_url` (a link the source built) goes in
as it is; the browser only follows links within the app (starting with one '/')."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from geoapp.errors import ConfigError
from geoapp.maps.vocabularies import VOCABULARIES, names_of
from geoapp.taxonomy import ROLES

FIELD_TITLES = {
    "cadastral_number": _l("Cadastral number"), "land_use": _l("Land use"),
    "status": _l("Status"), "holder": _l("Holder"), "declared_area_ha": _l("Declared area, ha"),
    "allocated_at": _l("Allocated"), "flagged": _l("Open violation"),
    "kind": _l("Kind"), "name": _l("Name"), "decision_ref": _l("Decision"),
    "valid_from": _l("In force from"), "valid_to": _l("In force until"),
    "rule": _l("Rule"), "severity": _l("Severity"), "state": _l("State"),
    "overlap_m2": _l("Overlap, m²"), "ticket": _l("Ticket"), "category": _l("Category"),
    "received_at": _l("Received"), "address": _l("Address"),
    "pattern": _l("Pattern"), "microdistricts": _l("Microdistricts"),
    "first_week": _l("First hot week"), "last_week": _l("Last hot week"),
    "weeks_hot": _l("Hot weeks"), "complaints": _l("Complaints"),
    "open_complaints": _l("Open complaints"), "oldest_open_days": _l("Oldest open, days"),
    "buildings": _l("Buildings"), "affected_residents": _l("Residents affected"),
    "active": _l("Still active"),
}


@dataclass(frozen=True)
class PopupSpec:
    heading: str
    fields: tuple[str, ...]
    link: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    link_roles: tuple[str, ...] | None = None  # None: whoever sees the layer

    def config(self, language: str, role: str | None = None) -> dict[str, Any]:
        """The popup as the map script draws it, in the reader's language; the link only
        for a role that may open the page behind it."""
        linked = self.link_roles is None or role in self.link_roles
        return {
            "heading": self.heading, "link": self.link if linked else None,
            "headingTitle": str(FIELD_TITLES.get(self.heading, self.heading)),
            "fields": [[name, str(FIELD_TITLES.get(name, name))] for name in self.fields],
            "names": {prop: names_of(vocabulary, language)
                      for prop, vocabulary in self.names.items()},
            "yes": str(_l("yes")), "no": str(_l("no")),
        }


def parse_popup(data: Any, where: str) -> PopupSpec:
    """A layer's `[popup]` table, checked: every field has a title, every vocabulary
    exists, the link is within the app."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: `popup` must be a table")
    unknown = set(data) - {"heading", "fields", "link", "names", "link_roles"}
    if unknown:
        raise ConfigError(f"{where}: popup: unknown keys {', '.join(sorted(unknown))}")
    heading, fields, link = data.get("heading"), data.get("fields", []), data.get("link")
    names = data.get("names", {})
    if not isinstance(heading, str) or not heading:
        raise ConfigError(f"{where}: popup needs a `heading` property")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ConfigError(f"{where}: popup `fields` must be a list of property names")
    untitled = [f for f in (heading, *fields) if f not in FIELD_TITLES]
    if untitled:
        raise ConfigError(f"{where}: popup fields without a title in geoapp/maps/popups.py: "
                          f"{', '.join(untitled)}")
    if link is not None and (not isinstance(link, str) or not link.startswith(("/", "{"))
                             or link.startswith("//")):
        raise ConfigError(f"{where}: popup `link` must be a path within the app")
    if not isinstance(names, dict) or any(v not in VOCABULARIES for v in names.values()):
        raise ConfigError(f"{where}: popup `names` maps properties to vocabularies, one of "
                          f"{', '.join(sorted(VOCABULARIES))}")
    link_roles = data.get("link_roles")
    if link_roles is not None and (not isinstance(link_roles, list)
                                   or any(r not in ROLES for r in link_roles)):
        raise ConfigError(f"{where}: popup `link_roles` must be a list of roles, of "
                          f"{', '.join(ROLES)}")
    return PopupSpec(heading, tuple(fields), link, {str(k): str(v) for k, v in names.items()},
                     tuple(link_roles) if link_roles is not None else None)

