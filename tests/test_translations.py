"""The message catalogs: every UI string is translated into Russian and Kazakh, and
every translation formats with the same placeholders as its English original (Jinja
formats every translated string, so a stray '%' would break a page)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from babel.messages.pofile import read_po

from geoapp.web.i18n import TRANSLATIONS_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_string_is_translated_and_formats(language: str) -> None:
    missing, broken = [], []
    for message in catalog(language):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if not msgstr or message.fuzzy:
            missing.append(msgid)
            continue
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr)):
            broken.append(msgid)
            continue
        try:
            msgstr % defaultdict(int, {name: 1 for name in PLACEHOLDER.findall(msgstr)})
        except (ValueError, TypeError):
            broken.append(msgid)
    assert missing == []
    assert broken == []
