"""Public request tracking: a ticket and the last four digits of the applicant's phone
give the request's status history (status, day, department) and nothing else.

The same work is done whether the ticket exists or not, and whether the digits match
or not: one lookup, a constant-time comparison against real or dummy digits, one
history query (for no id when the pair is wrong), so a wrong pair cannot be told
from an unknown ticket by the answer or by its timing."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

MAX_TICKET = 32
DUMMY_DIGITS = "\x00\x00\x00\x00"


@dataclass(frozen=True)
class TrackStep:
    status: str
    day: date
    department: str | None


def valid_pair(ticket: str, digits: str) -> bool:
    return (0 < len(ticket) <= MAX_TICKET and ticket.isascii() and len(digits) == 4
            and digits.isascii() and digits.isdigit())


def track(conn: Connection, ticket: str, digits: str, language: str = "ru"
          ) -> list[TrackStep] | None:
    """The status history of the request, or None for a wrong or unknown pair."""
    ticket = ticket.strip().upper()[:MAX_TICKET]
    digits = digits.strip()[:4].ljust(4, "\x01")
    row = conn.execute(text("""
        SELECT id, right(regexp_replace(coalesce(applicant_phone, ''), '[^0-9]', '', 'g'), 4)
        FROM complaints WHERE ticket = :ticket
    """), {"ticket": ticket}).one_or_none()
    complaint_id, real = (row[0], row[1]) if row is not None else (-1, DUMMY_DIGITS)
    if len(real) != 4:
        real = DUMMY_DIGITS
    matches = hmac.compare_digest(real.encode(), digits.encode()) and row is not None
    rows = conn.execute(text("""
        SELECT e.to_status, (e.at AT TIME ZONE 'Asia/Almaty')::date AS day,
               CASE WHEN :kk THEN coalesce(d.name_kk, d.name) ELSE d.name END AS department
        FROM complaint_events e LEFT JOIN departments d ON d.id = e.department_id
        WHERE e.complaint_id = :id ORDER BY e.at, e.id
    """), {"id": complaint_id if matches else -1, "kk": language == "kk"}).all()
    if not matches:
        return None
    return [TrackStep(status, day, department) for status, day, department in rows]
