"""English messages read back into the N_-marked templates they were written from.

What is stored or kept as text in English (a complaint's location note, a rejects
file's reasons) is shown to a reader in their language: the text is matched against
the templates it can have been written from, each value taken as written. A value
named `reason` is a message of its own, read back in turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

NESTED = "reason"
_PARAM = re.compile(r"%\((\w+)\)s")


def clause(template: str, **params: str | int | float) -> str:
    """A message written from `template`, in English."""
    return template % params if params else template


@dataclass(frozen=True)
class Clause:
    """A message read back: its template, its values (a nested reason a Clause), and
    what followed it after ", " where that may be (a location note's register
    address)."""

    template: str
    params: dict[str, str | Clause]
    address: str | None = None


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    seen: set[str] = set()
    regex = []
    for n, part in enumerate(parts):  # odd parts are parameter names
        if n % 2 == 0:
            regex.append(re.escape(part))
        elif part in seen:  # the same name twice reads the same text
            regex.append(f"(?P={part})")
        else:
            seen.add(part)
            regex.append(f"(?P<{part}>.+?)")
    return re.compile("".join(regex), re.DOTALL)


def read_message(text: str, templates: Sequence[str]) -> Clause | None:
    """The first of `templates` that `text` was written from, with its values; None
    when none was. A template is tried before those after it."""
    for template in templates:
        match = _pattern(template).fullmatch(text)
        if match is None:
            continue
        params: dict[str, str | Clause] = dict(match.groupdict())
        if NESTED in params:
            nested = read_message(str(params[NESTED]), templates)
            if nested is None:
                continue
            params[NESTED] = nested
        return Clause(template, params)
    return None

