"""The complaint list as SQL: the arguments of the list page (filters, search, sort,
page) and the queries of the list, its exports and one complaint with its history.

No Flask here. Every fragment of SQL comes from this module; the request only picks
keys of fixed tables and supplies bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, RowMapping, text

from geoapp.errors import N_, InputError
from geoapp.maps.filters import ComplaintFilter
from geoapp.taxonomy import AREA_ONLY_PRECISIONS, OPEN_STATUSES, STATUSES
from geoapp.textsearch import contains_pattern

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_SEARCH = 200
SORTS: dict[str, str] = {
    "received_at": "c.received_at",
    "status": "array_position(CAST(:status_order AS text[]), c.status)",
    "category": "c.category",
    "microdistrict": "m.name",
}
DIRECTIONS: dict[str, str] = {"asc": "ASC", "desc": "DESC"}
DEFAULT_SORT = "received_at"
DEFAULT_DIRECTION = "desc"

# Days from receipt until now, or until closing for a closed complaint.
DAYS_OPEN = """GREATEST(0, floor(extract(epoch FROM (
        CASE WHEN c.status = ANY(:open_statuses) THEN now()
             ELSE coalesce(c.resolved_at, c.updated_at) END) - c.received_at) / 86400))::int"""
FROM_JOINED = """
    FROM complaints c
    LEFT JOIN microdistricts m ON m.id = c.microdistrict_id
    LEFT JOIN departments d ON d.id = c.department_id"""
LIST_COLUMNS = f"""
    c.id, c.ticket, c.received_at AT TIME ZONE :tz AS received_local, c.category, c.status,
    CASE WHEN :lang = 'kk' THEN coalesce(m.name_kk, m.name) ELSE m.name END AS microdistrict,
    c.address,
    CASE WHEN :lang = 'kk' THEN coalesce(d.name_kk, d.name) ELSE d.name END AS department,
    {DAYS_OPEN} AS days_open"""
EXPORT_COLUMNS = f"""{LIST_COLUMNS},
    c.external_id, c.source, c.reject_reason, c.resolved_at AT TIME ZONE :tz AS resolved_local,
    c.geocode_precision, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
    c.applicant_name, c.applicant_phone, c.language, c.text"""


def _page(raw: str | None) -> int:
    raw = raw or "1"
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise InputError(N_("page must be a whole number from 1 to %(limit)s"), limit=MAX_PAGE)
    return int(raw)


def _filters(args: Mapping[str, str]) -> ComplaintFilter:
    try:
        return ComplaintFilter.from_args(args)
    except ValueError:  # e.g. unresolved_days="²": str.isdigit() accepts it, int() does not
        raise InputError(N_("a filter value is not a valid number or date")) from None


@dataclass(frozen=True)
class ListQuery:
    """What the list page shows: the map's filters, a search text, a sort and a page."""

    filters: ComplaintFilter = field(default_factory=ComplaintFilter)
    q: str = ""
    sort: str = DEFAULT_SORT
    direction: str = DEFAULT_DIRECTION
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListQuery:
        q = (args.get("q") or "").strip()
        if len(q) > MAX_SEARCH or "\x00" in q:
            raise InputError(N_("the search text is at most %(limit)s printable characters"),
                             limit=MAX_SEARCH)
        sort = args.get("sort") or DEFAULT_SORT
        if sort not in SORTS:
            raise InputError(N_("sort must be one of: %(values)s"), values=", ".join(SORTS))
        direction = args.get("dir") or DEFAULT_DIRECTION
        if direction not in DIRECTIONS:
            raise InputError(N_("dir must be asc or desc"))
        return cls(_filters(args), q, sort, direction, _page(args.get("page")))

    def args(self, **changes: object) -> dict[str, str]:
        """Request arguments reproducing this query with `changes`; page 1 is left out."""
        out: dict[str, object] = {**self.filters.as_args(), "q": self.q, "sort": self.sort,
                                  "dir": self.direction, "page": self.page, **changes}
        if out["page"] == 1:
            del out["page"]
        return {k: str(v) for k, v in out.items() if v not in (None, "")}

    def where(self) -> tuple[str, dict[str, object]]:
        sql, params = self.filters.where("c")
        if self.q:
            sql += (" AND (c.ticket ILIKE :q ESCAPE '\\' OR c.external_id ILIKE :q ESCAPE '\\'"
                    " OR c.address ILIKE :q ESCAPE '\\')")
            params["q"] = contains_pattern(self.q)
        return sql, params

    def order_by(self) -> tuple[str, dict[str, object]]:
        direction = DIRECTIONS[self.direction]
        params: dict[str, object] = {}
        if self.sort == "status":
            params["status_order"] = list(STATUSES)
        # Only the microdistrict can be missing; a NULLS clause on a NOT NULL column
        # would keep the planner from walking the received_at index (a full sort of
        # a million rows for the default page).
        nulls = " NULLS LAST" if self.sort == "microdistrict" else ""
        return f"{SORTS[self.sort]} {direction}{nulls}, c.id {direction}", params


def _display_params(tz: str, language: str) -> dict[str, object]:
    return {"tz": tz, "lang": language, "open_statuses": sorted(OPEN_STATUSES)}


def count_complaints(conn: Connection, query: ListQuery) -> int:
    """Without a text search the narrow, trigger-kept copy has every filtered column."""
    where, params = query.where()
    table = "complaints" if query.q else "complaint_map_points"
    return conn.execute(text(f"SELECT count(*) FROM {table} c WHERE {where}"),
                        params).scalar_one()


def _select(query: ListQuery, columns: str, tz: str, language: str) -> tuple[str, dict]:
    where, params = query.where()
    order, order_params = query.order_by()
    sql = f"SELECT {columns} {FROM_JOINED} WHERE {where} ORDER BY {order}"
    return sql, {**params, **order_params, **_display_params(tz, language)}


def list_page(conn: Connection, query: ListQuery, *, tz: str,
              language: str) -> list[RowMapping]:
    """One page of the list, PAGE_SIZE rows."""
    sql, params = _select(query, LIST_COLUMNS, tz, language)
    params.update(limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE)
    return list(conn.execute(text(f"{sql} LIMIT :limit OFFSET :offset"), params).mappings())


def export_rows(conn: Connection, query: ListQuery, *, tz: str,
                language: str) -> Iterator[RowMapping]:
    """Every row matching the query (the page is ignored), with personal data, fetched
    in batches through a server-side cursor."""
    sql, params = _select(query, EXPORT_COLUMNS, tz, language)
    result = conn.execution_options(yield_per=500).execute(text(sql), params)
    yield from result.mappings()


DETAIL_SQL = text("""
    SELECT c.id, c.ticket, c.source, c.external_id, c.category, c.category_confidence,
           c.text, c.language, c.address, c.status, c.reject_reason, c.version,
           c.exported_status,
           c.department_id, c.applicant_name, c.applicant_phone,
           c.geocode_precision, c.geocode_score, c.geocode_note,
           ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
           c.received_at AT TIME ZONE :tz AS received_local,
           c.resolved_at AT TIME ZONE :tz AS resolved_local,
           c.updated_at AT TIME ZONE :tz AS updated_local,
           CASE WHEN :lang = 'kk' THEN coalesce(m.name_kk, m.name) ELSE m.name END
               AS microdistrict,
           CASE WHEN :lang = 'kk' THEN coalesce(d.name_kk, d.name) ELSE d.name END
               AS department,
           b.address AS building, p.cadastral_number AS parcel,
           -- known only to its microdistrict: the case's map shows the area, not a point
           CASE WHEN c.geocode_precision = ANY(:area_only)
                THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(m.geom, 0.00005), 6) END
               AS area_geojson
    FROM complaints c
    LEFT JOIN microdistricts m ON m.id = c.microdistrict_id
    LEFT JOIN departments d ON d.id = c.department_id
    LEFT JOIN buildings b ON b.id = c.building_id
    LEFT JOIN parcels p ON p.id = c.parcel_id
    WHERE c.ticket = :ticket
""")

HISTORY_SQL = text("""
    SELECT e.at AT TIME ZONE :tz AS at_local, e.from_status, e.to_status, e.actor, e.comment,
           CASE WHEN :lang = 'kk' THEN coalesce(d.name_kk, d.name) ELSE d.name END
               AS department, d.name AS department_stored,
           u.full_name AS actor_full_name  -- an account's name, as the demo's events read
    FROM complaint_events e
    LEFT JOIN departments d ON d.id = e.department_id
    LEFT JOIN users u ON u.username = e.actor
    WHERE e.complaint_id = :id
    ORDER BY e.at, e.id
""")

DEPARTMENTS_SQL = text("""
    SELECT id, CASE WHEN :lang = 'kk' THEN coalesce(name_kk, name) ELSE name END AS name
    FROM departments ORDER BY 2
""")


def complaint_detail(conn: Connection, ticket: str, *, tz: str,
                     language: str) -> RowMapping | None:
    return conn.execute(DETAIL_SQL, {"ticket": ticket, "tz": tz, "lang": language,
                                     "area_only": list(AREA_ONLY_PRECISIONS)}
                        ).mappings().one_or_none()


def complaint_history(conn: Connection, complaint_id: int, *, tz: str,
                      language: str) -> list[RowMapping]:
    return list(conn.execute(HISTORY_SQL, {"id": complaint_id, "tz": tz, "lang": language}
                             ).mappings())


def department_choices(conn: Connection, language: str) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in conn.execute(DEPARTMENTS_SQL, {"lang": language})]
