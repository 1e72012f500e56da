"""The status history of each complaint as `complaint_events` rows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from geoapp.demo.complaints import SOURCES, Chunk
from geoapp.demo.departments import DEPARTMENTS, department_of_category
from geoapp.demo.lifecycle import NEVER, REJECTED, STATUSES
from geoapp.demo.plan import KIND_OUTAGE
from geoapp.taxonomy import CATEGORY_CODES, REJECT_REASONS

Row = tuple[int, str, str | None, str, str, str, int | None]

_RECEIVED_BY = {"109": "Оператор 109", "eotinish": "eOtinish", "web": "Портал акимата",
                "walk_in": "Канцелярия акимата"}
_DISPATCHER = "Диспетчер акимата г. Тараз"
_RESOLVED = {
    "housing_utilities": ("Неисправность устранена", "Работы выполнены, заявитель уведомлен"),
    "land": ("Проведена проверка, заявителю дан ответ", "Материалы направлены в комиссию"),
}
_RESOLVED_OTHER = ("Работы выполнены", "Вопрос решён, заявителю дан ответ")
_REJECTED = {
    "duplicate": "Повторное обращение, ответ дан ранее",
    "not_our_responsibility": "Вопрос не входит в компетенцию исполнителя",
    "unfounded": "Факты, изложенные в обращении, не подтвердились",
}
OUTAGE_FIXED = ("Заменён участок теплотрассы, теплоснабжение домов 15 мкр восстановлено")
_DEPARTMENT = department_of_category()


def utc_text(utc: np.ndarray) -> list[str]:
    """ISO 8601 UTC timestamps for PostgreSQL; None-safe callers check NEVER first."""
    text = np.datetime_as_string(np.where(utc == NEVER, 0, utc).astype("datetime64[s]"),
                                 unit="s").tolist()
    return [f"{t}+00" for t in text]


def event_rows(chunk: Chunk, ids: list[int], department_ids: list[int]) -> Iterator[Row]:
    life = chunk.life
    times = [utc_text(a) for a in (chunk.received, life.assigned, life.in_progress,
                                   life.closed)]
    raw = (life.assigned.tolist(), life.in_progress.tolist(), life.closed.tolist())
    rows = zip(ids, chunk.index.tolist(), chunk.source.tolist(), chunk.category.tolist(),
               chunk.kind.tolist(), life.status.tolist(), life.reason.tolist(), *raw, *times,
               strict=True)
    for (cid, number, source, cat, kind, status, reason, assigned, progress, closed,
         t_received, t_assigned, t_progress, t_closed) in rows:
        dept = _DEPARTMENT[cat]
        dept_id = department_ids[dept]
        dept_name = DEPARTMENTS[dept][0]
        yield (cid, t_received, None, "received", _RECEIVED_BY[SOURCES[source]],
               "Обращение зарегистрировано", None)
        previous = "received"
        if assigned != NEVER:
            yield (cid, t_assigned, previous, "assigned", _DISPATCHER,
                   f"Передано исполнителю: {dept_name}", dept_id)
            previous = "assigned"
        if progress != NEVER:
            yield (cid, t_progress, previous, "in_progress", dept_name, "Принято в работу",
                   dept_id)
            previous = "in_progress"
        if closed != NEVER:
            final = STATUSES[status]
            if status == REJECTED:
                comment = _REJECTED[REJECT_REASONS[reason]]
            elif kind == KIND_OUTAGE:
                comment = OUTAGE_FIXED
            else:
                options = _RESOLVED.get(CATEGORY_CODES[cat].split(".")[0], _RESOLVED_OTHER)
                comment = options[number % len(options)]
            yield (cid, t_closed, previous, final, dept_name, comment, dept_id)
