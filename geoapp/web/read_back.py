"""Messages kept in English shown in the page's language (geoapp.read_back): a
complaint's location note, a rejects file's reasons, the comments geoapp writes into
a complaint's history."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import RowMapping

from geoapp.event_comments import IMPORT_ACTOR, read_comment, with_words
from geoapp.geocode.notes import SEPARATOR, read_note
from geoapp.ingest.row_reasons import read_reason
from geoapp.read_back import Clause


def shown_note(note: str | None) -> str | None:
    """The note translated clause by clause; as stored when it does not read back."""
    if not note:
        return note
    clauses = read_note(note)
    if clauses is None:
        return note
    return SEPARATOR.join(map(_shown, clauses))


def shown_reason(reason: str) -> str:
    """A refused row's reason translated; as written when it does not read back."""
    found = read_reason(reason)
    return reason if found is None else _shown(found)


def _shown(found: Clause) -> str:
    params = {name: _shown(value) if isinstance(value, Clause) else value
              for name, value in found.params.items()}
    worded = _(found.template, **params) if params else _(found.template)
    return f"{worded}, {found.address}" if found.address else worded


def shown_comment(event: RowMapping, reason_names: Mapping[str, str]) -> str | None:
    """A history event's comment, what geoapp wrote in it translated (the event's
    department by its name in the page's language, a rejection's reason by
    `reason_names`) and an official's words as typed; as stored otherwise."""
    comment = event["comment"]
    if not comment:
        return comment
    found = read_comment(
        comment, department=event["department_stored"], reasons=tuple(reason_names),
        into_rejected=(event["to_status"] == "rejected"
                       and event["from_status"] != "rejected"))
    if found is None:
        return comment
    if found.template is None:
        worded = str(reason_names[found.value])
    elif found.value:
        worded = _(found.template, department=event["department"] or found.value)
    else:
        worded = _(found.template)
    return with_words(worded, found.words)


def shown_actor(actor: str | None) -> str | None:
    """Who wrote a history event: an account's name as it is, an import by that word
    in the page's language."""
    return _(IMPORT_ACTOR) if actor == IMPORT_ACTOR else actor
