"""A complaint's location note (geocode.notes) in the page's language."""

from __future__ import annotations

from flask_babel import gettext as _

from geoapp.geocode.notes import SEPARATOR, Clause, read_note


def shown_note(note: str | None) -> str | None:
    """The note translated clause by clause; as stored when it does not read back."""
    if not note:
        return note
    clauses = read_note(note)
    if clauses is None:
        return note
    return SEPARATOR.join(map(_shown, clauses))


def _shown(found: Clause) -> str:
    params = {name: _shown(value) if isinstance(value, Clause) else value
              for name, value in found.params.items()}
    worded = _(found.template, **params) if params else _(found.template)
    return f"{worded}, {found.address}" if found.address else worded
