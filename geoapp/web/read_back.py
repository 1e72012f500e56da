"""Messages kept in English shown in the page's language (geoapp.read_back): a
complaint's location note, a rejects file's reasons."""

from __future__ import annotations

from flask_babel import gettext as _

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
