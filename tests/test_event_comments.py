"""The comments geoapp writes into a complaint's history, read back for the page."""

from __future__ import annotations

import pytest

from geoapp.event_comments import (
    ASSIGNED_TO,
    STATUS_AS_EXPORTED,
    STATUS_CHANGED_IN_REIMPORT,
    ReadComment,
    assigned,
    read_comment,
    rejected,
)
from geoapp.taxonomy import REJECT_REASONS

REASONS = tuple(REJECT_REASONS)


def read(comment: str, department: str | None = None,
         into_rejected: bool = False) -> ReadComment | None:
    return read_comment(comment, into_rejected=into_rejected, department=department,
                        reasons=REASONS)


@pytest.mark.parametrize("phrase", [STATUS_AS_EXPORTED, STATUS_CHANGED_IN_REIMPORT])
def test_an_imports_phrases_read_back(phrase: str) -> None:
    assert read(phrase) == ReadComment(phrase, "", "")
    assert read(phrase, into_rejected=True) == ReadComment(phrase, "", "")


@pytest.mark.parametrize("words", ["", "срочно", "см. письмо: вх. 12; 13", "  "])
@pytest.mark.parametrize("department", ["Отдел дорог", "ГКП «Тараз Жылу»: участок 2"])
def test_an_assignment_reads_back_with_the_officials_words(department: str,
                                                           words: str) -> None:
    comment = assigned(department, words)
    assert comment == (f"assigned to {department}" + (f": {words}" if words else ""))
    assert read(comment, department) == ReadComment(ASSIGNED_TO, department, words)


def test_an_assignment_to_another_department_is_not_read() -> None:
    """The event's department names the one assigned: a comment naming another (the
    department renamed since, say) is shown as stored."""
    assert read(assigned("Отдел дорог", "x"), "Отдел дорог и мостов") is None
    assert read(assigned("Отдел дорог"), None) is None
    assert read("assigned to Отдел дорогой", "Отдел дорог") is None


@pytest.mark.parametrize("reason", REASONS)
def test_a_rejection_reads_back_its_reason(reason: str) -> None:
    assert read(rejected(reason), into_rejected=True) == ReadComment(None, reason, "")
    assert read(rejected(reason, "См. TRZ-1"), into_rejected=True) == \
        ReadComment(None, reason, "См. TRZ-1")


def test_an_officials_own_words_are_not_read() -> None:
    """Only the event that rejected the complaint starts with a reason's code; the
    same words on another event, or other words, are the official's."""
    assert read("duplicate: см. TRZ-1") is None
    assert read("duplicates of TRZ-1", into_rejected=True) is None
    assert read("Дубль", into_rejected=True) is None
    assert read("status as exported, checked") is None
    assert read("") is None
