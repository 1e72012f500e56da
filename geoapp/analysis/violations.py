"""Running the parcel checks, the register's totals, and reviews of violations.

`run_checks` runs every rule (one statement each) and then marks the violations that
were not found again as resolved, all in the caller's transaction. Reviews keep their
state across runs because a violation's row is keyed by (rule, parcel, zone/other).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from geoapp.analysis.parcel_rules import (
    DROP_WORK_TABLE_SQL,
    INTERIORS_MEET,
    METRIC_SRID,
    WORK_TABLE_SQL,
    BBox,
    rule_statement,
    valid,
)
from geoapp.analysis.rule_config import Rule
from geoapp.errors import N_, InputError
from geoapp.models.violations import REVIEW_STATES

CHECKS_ACTOR = "geoapp check"
# What the checks write in a review history when a violation is no longer found:
# stored in English as written, shown translated on the parcel card.
NO_LONGER_FOUND = N_("no longer found by the checks")
REGISTER_STATES: tuple[str, ...] = (*REVIEW_STATES, "resolved")


@dataclass(frozen=True)
class Totals:
    rule: str | None
    violations: int
    parcels: int
    hectares: float
    cadastral_value_kzt: int


@dataclass(frozen=True)
class RunResult:
    found: dict[str, int]
    resolved: int
    totals: list[Totals] = field(default_factory=list)
    # wall seconds per step: "prepare" (the work table), each rule, "stale", "totals"
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"found": self.found, "resolved": self.resolved,
                "totals": [t.__dict__ for t in self.totals], "seconds": self.seconds}


def run_checks(conn: Connection, rules: dict[str, Rule], city: BBox) -> RunResult:
    """The work table, every rule, then stale marking; the caller owns the transaction."""
    found: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with stopwatch(seconds, "prepare"):
        for sql in WORK_TABLE_SQL:
            conn.execute(text(sql))
    for code, rule in rules.items():
        with stopwatch(seconds, code):
            sql, params = rule_statement(rule, city)
            found[code] = len(conn.execute(text(sql), params).all())
    conn.execute(text(DROP_WORK_TABLE_SQL))
    with stopwatch(seconds, "stale"):
        resolved = mark_stale(conn, tuple(rules))
    with stopwatch(seconds, "totals"):
        result_totals = totals(conn, codes=tuple(rules))
    # As of the transaction's start: a layer imported while the rules ran may be unseen.
    conn.execute(text("INSERT INTO check_runs (finished_at, summary) "
                      "VALUES (now(), CAST(:summary AS jsonb))"),
                 {"summary": json.dumps({"found": found, "resolved": resolved})})
    return RunResult(found, resolved, result_totals,
                     {k: round(v, 3) for k, v in seconds.items()})


@contextmanager
def stopwatch(seconds: dict[str, float], step: str) -> Iterator[None]:
    """Add the wall seconds of the block to `seconds[step]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started


def mark_stale(conn: Connection, codes: tuple[str, ...]) -> int:
    """Resolve the open violations of these rules that this run did not see again."""
    resolved = conn.execute(text(f"""
        WITH gone AS (
            UPDATE parcel_violations SET resolved_at = now()
            WHERE resolved_at IS NULL AND last_seen_at < now() AND rule = ANY(:rules)
            RETURNING id, review_state
        )
        INSERT INTO violation_reviews (violation_id, actor, from_state, to_state, comment)
        SELECT id, :actor, review_state, 'resolved', '{NO_LONGER_FOUND}'
        FROM gone RETURNING id
    """), {"rules": list(codes), "actor": CHECKS_ACTOR}).all()
    return len(resolved)


@dataclass(frozen=True)
class Selection:
    """Which violations a register view, its totals or an export covers."""

    rule: str | None = None
    state: str | None = None
    ids: tuple[int, ...] = ()
    parcel_id: int | None = None

    @classmethod
    def from_args(cls, args: Any, rules: dict[str, Rule]) -> Selection:
        rule = args.get("rule") or None
        if rule is not None and rule not in rules:
            raise InputError(N_("unknown rule %(value)s"), value=repr(rule[:40]))
        state = args.get("state") or None
        if state is not None and state not in REGISTER_STATES:
            raise InputError(N_("unknown state %(value)s; one of %(values)s"),
                             value=repr(state[:40]), values=", ".join(REGISTER_STATES))
        raw_ids = args.getlist("id") if hasattr(args, "getlist") else []
        raw_ids += [p for p in (args.get("ids") or "").split(",") if p.strip()]
        try:
            ids = tuple(sorted({int(i) for i in raw_ids}))
        except ValueError:
            raise InputError(N_("ids must be whole numbers")) from None
        return cls(rule, state, ids)

    def where(self, alias: str = "v") -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        if self.state == "resolved":
            clauses.append(f"{alias}.resolved_at IS NOT NULL")
        else:
            clauses.append(f"{alias}.resolved_at IS NULL")
            if self.state:
                clauses.append(f"{alias}.review_state = :s_state")
                params["s_state"] = self.state
        if self.rule:
            clauses.append(f"{alias}.rule = :s_rule")
            params["s_rule"] = self.rule
        if self.ids:
            clauses.append(f"{alias}.id = ANY(:s_ids)")
            params["s_ids"] = list(self.ids)
        if self.parcel_id is not None:
            clauses.append(f"({alias}.parcel_id = :s_parcel "
                           f"OR {alias}.other_parcel_id = :s_parcel)")
            params["s_parcel"] = self.parcel_id
        return " AND ".join(clauses), params

    def as_args(self) -> dict[str, str]:
        out = {"rule": self.rule or "", "state": self.state or ""}
        if self.ids:
            out["ids"] = ",".join(map(str, self.ids))
        return {k: v for k, v in out.items() if v}


def totals(conn: Connection, selection: Selection | None = None,
           codes: tuple[str, ...] = ()) -> list[Totals]:
    """Per rule and overall (rule None, last): violations, distinct parcels, hectares of
    the union of the violating parcels' geometry, and their cadastral value, each
    parcel counted once. Rules in `codes` without violations get a row of zeros."""
    chosen = selection or Selection()
    where, params = chosen.where("v")
    rows = conn.execute(text(totals_sql(where, chosen.where("w")[0])), params).all()
    found = {r[0]: Totals(r[0], r[1], r[2], round(float(r[3]), 4), int(r[4])) for r in rows}
    order = sorted(set(codes) | {k for k in found if k is not None})
    return [found.get(c) or Totals(c, 0, 0, 0.0, 0) for c in order] + [
        found.get(None) or Totals(None, 0, 0, 0.0, 0)]


def totals_sql(where_v: str, where_w: str) -> str:
    """The totals over the selected violations (`where_v` on alias v, the same test as
    `where_w` on alias w).

    The area of a union is the sum of the parts' areas wherever no two parts' interiors
    meet, so only the parcels that overlap another selected parcel of the same level
    (rule, or all) go through ST_Union; the rest add their own area. Each selected
    parcel is looked up once: its geometry made valid, its area, and the rules of the
    selected parcels that overlap it (`partner_rules`). Every lookup is by index per
    parcel, so stale statistics right after a run cannot turn it into a cross join."""
    vp, vo = valid("p.geom"), valid("o.geom")
    return f"""
        WITH v AS (SELECT v.rule, v.parcel_id FROM parcel_violations v WHERE {where_v}),
        selected AS (SELECT parcel_id, array_agg(rule) AS rules FROM v GROUP BY parcel_id),
        shapes AS MATERIALIZED (
            SELECT s.rules, p.cadastral_value_kzt AS value, pg.g,
                   ST_Area(ST_Transform(pg.g, {METRIC_SRID})) AS m2, x.partner_rules
            FROM selected s JOIN parcels p ON p.id = s.parcel_id
            CROSS JOIN LATERAL (
                SELECT b.g, ST_XMin(b.g) AS x0, ST_YMin(b.g) AS y0, ST_XMax(b.g) AS x1,
                       ST_YMax(b.g) AS y1
                FROM (SELECT {vp} AS g OFFSET 0) b OFFSET 0
            ) pg
            CROSS JOIN LATERAL (
                SELECT array_agg(r.rule) AS partner_rules
                FROM (
                    SELECT (SELECT array_agg(w.rule) FROM parcel_violations w
                            WHERE w.parcel_id = o.id AND {where_w}) AS rules
                    FROM parcels o
                    WHERE o.geom && pg.g AND o.id <> p.id
                      AND CASE WHEN pg.x0 < ST_XMax(o.geom) AND ST_XMin(o.geom) < pg.x1
                                    AND pg.y0 < ST_YMax(o.geom) AND ST_YMin(o.geom) < pg.y1
                               THEN {INTERIORS_MEET.format(a='pg.g', b=vo)} ELSE false END
                ) o
                CROSS JOIN LATERAL unnest(o.rules) AS r(rule)
            ) x
        )
        SELECT l.rule, sum(l.n)::int, count(*)::int,
               (coalesce(sum(sh.m2) FILTER (WHERE NOT f.overlapped), 0)
                + coalesce(ST_Area(ST_Transform(ST_Union(sh.g) FILTER (WHERE f.overlapped),
                                                {METRIC_SRID})), 0)) / 10000,
               coalesce(sum(sh.value), 0)::bigint
        FROM shapes sh
        CROSS JOIN LATERAL (
            SELECT r.rule, count(*) AS n FROM unnest(sh.rules) AS r(rule) GROUP BY r.rule
            UNION ALL SELECT NULL::text, cardinality(sh.rules)
        ) l
        CROSS JOIN LATERAL (
            SELECT CASE WHEN l.rule IS NULL THEN sh.partner_rules IS NOT NULL
                        ELSE coalesce(l.rule = ANY(sh.partner_rules), false) END AS overlapped
        ) f
        GROUP BY l.rule ORDER BY l.rule NULLS LAST
    """


def review(conn: Connection, violation_id: int, state: str, actor: str,
           comment: str | None) -> None:
    """Set a violation's review state and record it; a dismissal needs a comment."""
    if state not in REVIEW_STATES:
        raise InputError(N_("unknown review state %(value)s"), value=repr(state[:40]))
    comment = (comment or "").strip() or None
    if state == "dismissed" and not comment:
        raise InputError(N_("a dismissal needs a comment"))
    if comment and len(comment) > 2000:
        raise InputError(N_("the comment is too long (2,000 characters at most)"))
    row = conn.execute(text("""
        WITH old AS (SELECT id, review_state FROM parcel_violations WHERE id = :id FOR UPDATE),
        upd AS (
            UPDATE parcel_violations v SET review_state = :state, reviewed_by = :actor,
                   reviewed_at = now(), review_comment = :comment
            FROM old WHERE v.id = old.id RETURNING v.id
        )
        INSERT INTO violation_reviews (violation_id, actor, from_state, to_state, comment)
        SELECT old.id, :actor, old.review_state, :state, :comment FROM old JOIN upd USING (id)
        RETURNING id
    """), {"id": violation_id, "state": state, "actor": actor, "comment": comment}).first()
    if row is None:
        raise InputError(N_("no violation %(id)s"), id=violation_id)


def as_number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
