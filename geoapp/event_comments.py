"""The comments geoapp itself writes into a complaint's history: an assignment, a
rejection's reason, an import's status (and the import's name as the actor). Stored
in English as written (an export or the database reads the same whatever the page's
language); a complaint's page reads them back here and shows them translated. An
official's own words are kept as typed.
"""

from __future__ import annotations

from typing import NamedTuple

from geoapp.errors import N_

IMPORT_ACTOR = N_("import")  # who wrote an import's events
STATUS_AS_EXPORTED = N_("status as exported")
STATUS_CHANGED_IN_REIMPORT = N_("status changed in a re-import")
ASSIGNED_TO = N_("assigned to %(department)s")
_WORDS_FOLLOW = ": "  # between geoapp's part of a comment and the official's words
_FIXED = (STATUS_AS_EXPORTED, STATUS_CHANGED_IN_REIMPORT)


def assigned(department: str, words: str = "") -> str:
    """The comment of an assignment to `department`, the official's words after it."""
    return with_words(ASSIGNED_TO % {"department": department}, words)


def rejected(reason: str, words: str = "") -> str:
    """The comment of a rejection: its reason's code, the official's words after it."""
    return with_words(reason, words)


def with_words(head: str, words: str) -> str:
    """geoapp's part of a comment, and the official's words after it if any."""
    return f"{head}{_WORDS_FOLLOW}{words}" if words else head


class ReadComment(NamedTuple):
    """A history comment read back: what geoapp wrote (a template to translate, with
    the department's or the reason's name to fill in) and the official's words."""

    template: str | None  # None: a rejection, shown by its reason's name
    value: str  # the department as stored, or the reason's code; "" for none
    words: str


def read_comment(comment: str, *, into_rejected: bool, department: str | None,
                 reasons: tuple[str, ...]) -> ReadComment | None:
    """What geoapp wrote in `comment`, or None for a comment it did not write (an
    official's own words alone). `into_rejected`: the event rejected the complaint;
    `department`: the event's department, its name as stored; `reasons`: the codes of
    the rejection reasons."""
    if comment in _FIXED:
        return ReadComment(comment, "", "")
    if department is not None:
        head = ASSIGNED_TO % {"department": department}
        if (words := _words_after(comment, head)) is not None:
            return ReadComment(ASSIGNED_TO, department, words)
    if into_rejected:
        for reason in reasons:
            if (words := _words_after(comment, reason)) is not None:
                return ReadComment(None, reason, words)
    return None


def _words_after(comment: str, head: str) -> str | None:
    """The words after `head` in `comment` ("" for none), or None when it does not
    start so."""
    if comment == head:
        return ""
    if comment.startswith(head + _WORDS_FOLLOW):
        return comment[len(head) + len(_WORDS_FOLLOW):]
    return None
