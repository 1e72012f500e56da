"""Status changes and assignments of a complaint (DATA_CONTRACT "Statuses").

Optimistic locking: every write names the `version` the user saw, and the UPDATE
matches it; when someone else saved in between, nothing is written and the user is
told to reload. Each change writes an event row with actor, time and comment. The
caller owns the transaction. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geoapp import event_comments
from geoapp.errors import Conflict, InputError, NotFound
from geoapp.taxonomy import OPEN_STATUSES, REJECT_REASONS, STATUSES, can_transition

MAX_COMMENT = 2000


def N_(msgid: str) -> str:
    """Marks a message for catalog extraction; it is translated where it is shown."""
    return msgid


class Refusal(Exception):
    """A refused change whose message can be shown translated: `msgid` % `params`.
    Parameters named `*_status` hold status codes, to be shown by their names."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


class InvalidChange(Refusal, InputError):
    """The workflow does not allow this change, or the form is incomplete."""


class StaleVersion(Refusal, Conflict):
    """The complaint changed since the form was loaded."""


STALE = N_("Someone else changed this complaint; reload the page and try again.")


@dataclass(frozen=True)
class Current:
    id: int
    status: str
    version: int
    department_id: int | None


def parse_version(raw: str | None) -> int:
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidChange(N_("The form is incomplete; reload the page and try again."))
    return int(raw)


def parse_department(raw: str | None) -> int:
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidChange(N_("Choose a department."))
    return int(raw)


def _comment(raw: str | None) -> str:
    comment = (raw or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidChange(N_("The comment is longer than %(limit)d characters."),
                            limit=MAX_COMMENT)
    return comment


def _load(conn: Connection, ticket: str, version: int) -> Current:
    row = conn.execute(text("""
        SELECT id, status, version, department_id FROM complaints WHERE ticket = :ticket
    """), {"ticket": ticket}).one_or_none()
    if row is None:
        raise NotFound(f"no complaint {ticket}")
    current = Current(row.id, row.status, row.version, row.department_id)
    if current.version != version:
        raise StaleVersion(STALE)
    return current


def _guarded_update(conn: Connection, sets: str, params: dict[str, object]) -> None:
    """UPDATE the complaint only if it still has the version the user saw."""
    done = conn.execute(text(f"""
        UPDATE complaints SET {sets}, updated_at = now(), version = version + 1
        WHERE id = :id AND version = :version
    """), params)
    if done.rowcount != 1:
        raise StaleVersion(STALE)


def _event(conn: Connection, current: Current, to_status: str, actor: str, comment: str,
           department_id: int | None) -> None:
    conn.execute(text("""
        INSERT INTO complaint_events
            (complaint_id, at, from_status, to_status, actor, comment, department_id)
        VALUES (:id, now(), :from_status, :to_status, :actor, :comment, :department_id)
    """), {"id": current.id, "from_status": current.status, "to_status": to_status,
           "actor": actor, "comment": comment or None, "department_id": department_id})


# resolved_at per new status: fixed SQL fragments, chosen by the (validated) status.
RESOLVED_AT = {"resolved": "now()", "reopened": "NULL"}


def change_status(conn: Connection, ticket: str, *, version: int, new_status: str,
                  actor: str, comment: str | None = None, reason: str | None = None) -> str:
    """Move the complaint to `new_status`; returns it. A rejection needs a reason,
    which is kept on the complaint and at the head of the event's comment."""
    note = _comment(comment)
    current = _load(conn, ticket, version)
    if new_status not in STATUSES:
        raise InvalidChange(N_("Choose a new status."))
    if not can_transition(current.status, new_status):
        raise InvalidChange(N_("A complaint cannot go from “%(from_status)s” to "
                               "“%(to_status)s”."),
                            from_status=current.status, to_status=new_status)
    if new_status == "rejected":
        if reason not in REJECT_REASONS:
            raise InvalidChange(N_("Choose a reason for the rejection."))
        note = event_comments.rejected(str(reason), note)
    else:
        reason = None
    resolved_at = RESOLVED_AT.get(new_status, "resolved_at")
    _guarded_update(conn, f"status = :status, reject_reason = :reason, "
                          f"resolved_at = {resolved_at}",
                    {"id": current.id, "version": version, "status": new_status,
                     "reason": reason})
    _event(conn, current, new_status, actor, note, current.department_id)
    return new_status


def assign(conn: Connection, ticket: str, *, version: int, department_id: int, actor: str,
           comment: str | None = None) -> tuple[str, str]:
    """Give the complaint to a department; a `received` complaint becomes `assigned`.
    Returns the department's name and the complaint's status afterwards."""
    extra = _comment(comment)
    current = _load(conn, ticket, version)
    if current.status not in OPEN_STATUSES:
        raise InvalidChange(N_("A closed complaint cannot be assigned; reopen it first."))
    name = conn.execute(text("SELECT name FROM departments WHERE id = :id"),
                        {"id": department_id}).scalar_one_or_none()
    if name is None:
        raise InvalidChange(N_("Choose a department."))
    new_status = "assigned" if current.status == "received" else current.status
    if department_id == current.department_id and new_status == current.status:
        raise InvalidChange(N_("The complaint is already assigned to %(department)s."),
                            department=name)
    _guarded_update(conn, "department_id = :department_id, status = :status",
                    {"id": current.id, "version": version, "department_id": department_id,
                     "status": new_status})
    _event(conn, current, new_status, actor, event_comments.assigned(name, extra),
           department_id)
    return name, new_status
