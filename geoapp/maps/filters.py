"""Filters shared by every complaint layer, list and export, parsed from request
arguments and turned into a WHERE fragment with bound parameters (never SQL text
from the request)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from geoapp.errors import N_, InputError
from geoapp.models.complaints import pinpointed
from geoapp.taxonomy import CATEGORY_CODES, CATEGORY_GROUPS, OPEN_STATUSES, SOURCES, STATUSES

BBox = tuple[float, float, float, float]
MAX_UNRESOLVED_DAYS = 3650
FROM_AFTER_TO = N_("the date “from” is after the date “to”")


def _whole(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 6


def _date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(N_("%(name)s must be a date like 2024-01-31, got %(value)s"),
                         name=name, value=repr(raw[:40])) from None


@dataclass(frozen=True)
class ComplaintFilter:
    group: str | None = None
    category: str | None = None
    statuses: tuple[str, ...] = ()
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    unresolved_days: int | None = None
    microdistrict: int | None = None
    area: BBox | None = None  # minlon, minlat, maxlon, maxlat (a hotspot's bounds, say)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ComplaintFilter:
        group = args.get("group") or None
        if group is not None and group not in CATEGORY_GROUPS:
            raise InputError(N_("unknown category group %(value)s"), value=repr(group[:80]))
        category = args.get("category") or None
        if category is not None and category not in CATEGORY_CODES:
            raise InputError(N_("unknown category %(value)s"), value=repr(category[:80]))
        statuses: tuple[str, ...] = ()
        if raw := args.get("status"):
            wanted = [s.strip() for s in raw.split(",") if s.strip()]
            if "open" in wanted:
                wanted = [s for s in wanted if s != "open"] + sorted(OPEN_STATUSES)
            unknown = [s for s in wanted if s not in STATUSES]
            if unknown:
                raise InputError(N_("unknown status %(value)s"), value=repr(unknown[0][:80]))
            statuses = tuple(dict.fromkeys(wanted))
        source = args.get("source") or None
        if source is not None and source not in SOURCES:
            raise InputError(N_("unknown source %(value)s"), value=repr(source[:80]))
        date_from = _date(args["from"], "from") if args.get("from") else None
        date_to = _date(args["to"], "to") if args.get("to") else None
        if date_from and date_to and date_from > date_to:
            raise InputError(FROM_AFTER_TO)
        unresolved = None
        if raw_days := args.get("unresolved_days"):
            if not _whole(raw_days) or int(raw_days) > MAX_UNRESOLVED_DAYS:
                raise InputError(N_("unresolved_days must be a whole number of days up to "
                                    "%(limit)s"), limit=MAX_UNRESOLVED_DAYS)
            unresolved = int(raw_days)
        microdistrict = None
        if raw_md := args.get("microdistrict"):
            if not _whole(raw_md):
                raise InputError(N_("microdistrict must be a microdistrict's id, got %(value)s"),
                                 value=repr(raw_md[:40]))
            microdistrict = int(raw_md)
        area = parse_area(args["area"]) if args.get("area") else None
        return cls(group, category, statuses, source, date_from, date_to, unresolved,
                   microdistrict, area)

    def where(self, alias: str = "c") -> tuple[str, dict[str, object]]:
        """A SQL condition on complaints aliased `alias`, and its parameters."""
        clauses: list[str] = []
        params: dict[str, object] = {}
        if self.category:
            clauses.append(f"{alias}.category = :f_category")
            params["f_category"] = self.category
        elif self.group:
            clauses.append(f"({alias}.category = :f_group OR {alias}.category LIKE :f_prefix)")
            params.update(f_group=self.group, f_prefix=f"{self.group}.%")
        if self.statuses:
            clauses.append(f"{alias}.status = ANY(:f_statuses)")
            params["f_statuses"] = list(self.statuses)
        if self.source:
            clauses.append(f"{alias}.source = :f_source")
            params["f_source"] = self.source
        if self.date_from:
            clauses.append(f"{alias}.received_at >= (CAST(:f_from AS date)::timestamp "
                           "AT TIME ZONE :f_tz)")
            params["f_from"] = self.date_from
        if self.date_to:
            clauses.append(f"{alias}.received_at < (CAST(:f_to AS date)::timestamp "
                           "AT TIME ZONE :f_tz)")
            params["f_to"] = self.date_to + timedelta(days=1)
        if self.date_from or self.date_to:
            params["f_tz"] = "Asia/Almaty"
        if self.unresolved_days is not None:
            clauses.append(f"{alias}.status = ANY(:f_open) AND {alias}.received_at < "
                           "now() - make_interval(days => :f_days)")
            params.update(f_open=sorted(OPEN_STATUSES), f_days=self.unresolved_days)
        if self.microdistrict is not None:
            clauses.append(f"{alias}.microdistrict_id = :f_microdistrict")
            params["f_microdistrict"] = self.microdistrict
        if self.area is not None:
            # By id through the complaints' GiST index, so that the same rows are meant
            # whether `alias` is `complaints` or its narrow copy (which has no geometry).
            clauses.append(f"{alias}.id IN (SELECT a.id FROM complaints a WHERE a.geom && "
                           "ST_MakeEnvelope(:f_area0, :f_area1, :f_area2, :f_area3, 4326) "
                           f"AND {pinpointed('a')})")
            params.update({f"f_area{i}": v for i, v in enumerate(self.area)})
        return (" AND ".join(clauses) or "true"), params

    def as_args(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value in (None, ()):
                continue
            name = {"date_from": "from", "date_to": "to", "statuses": "status"}.get(key, key)
            out[name] = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        return out

    @property
    def area_arg(self) -> str:
        return ",".join(map(str, self.area)) if self.area else ""


def parse_area(raw: str) -> BBox:
    """`minlon,minlat,maxlon,maxlat` in degrees, each a finite number in range."""
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        parts = []
    if (len(parts) != 4 or not all(math.isfinite(p) for p in parts)
            or not (-180 <= parts[0] < parts[2] <= 180 and -90 <= parts[1] < parts[3] <= 90)):
        raise InputError(N_("area must be minlon,minlat,maxlon,maxlat in degrees, min < max"))
    return parts[0], parts[1], parts[2], parts[3]


def parse_bbox(raw: str | None, city: BBox) -> BBox:
    """`minlon,minlat,maxlon,maxlat`, clipped to a sane range; the city when absent."""
    if not raw:
        return city
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        raise InputError(N_("bbox must be four numbers: minlon,minlat,maxlon,maxlat")) from None
    if len(parts) != 4 or parts[0] >= parts[2] or parts[1] >= parts[3]:
        raise InputError(N_("bbox must be minlon,minlat,maxlon,maxlat with min < max"))
    return (max(parts[0], -180.0), max(parts[1], -90.0), min(parts[2], 180.0),
            min(parts[3], 90.0))


def parse_zoom(raw: str | None, default: int = 12) -> int:
    if raw is None or raw == "":
        return default
    if not _whole(raw) or not 0 <= int(raw) <= 22:
        raise InputError(N_("zoom must be a whole number from 0 to 22"))
    return int(raw)
