"""Location notes are written from templates and read back into them, so that the
complaint's page can show them in its language (geocode.notes)."""

from __future__ import annotations

import re

import pytest

from geoapp.geocode.notes import (
    ADDRESS_APPROXIMATE,
    COORDINATES_IGNORED,
    LETTERS_READ_BACK,
    MARKER_READ,
    MAX_NOTE_PARTS,
    NEAREST_HOUSE,
    NO_HOUSE,
    NOT_A_NUMBER,
    SEPARATOR,
    SWAPPED,
    TEMPLATES,
    UNREADABLE_GEOMETRY,
    UNREADABLE_GEOMETRY_OF_NO_KIND,
    Clause,
    clause,
    joined_notes,
    read_note,
    read_pairs,
)

# Values as the import fills them in: Cyrillic names, punctuation, "; " and ", ".
SAMPLES = {"microdistrict": "мкр. Самал", "street": "Толе би", "place": "с. Сарыкемер",
           "word": "мкр", "copy": "к?шесі", "score": "88",
           "address": "ул. Абая, 12А", "number": "06:097:001:002", "limit": "2,000",
           "length": "2,417", "kind": "Polygon", "value": "'42,9°x'"}


def _filled(template: str) -> tuple[str, dict[str, str | Clause]]:
    names = set(re.findall(r"%\((\w+)\)s", template))
    params: dict[str, str | Clause] = {n: SAMPLES[n] for n in names if n != "reason"}
    if "reason" in names:
        params["reason"] = Clause(NOT_A_NUMBER, {"value": SAMPLES["value"]})
    values = {n: (clause(v.template, **v.params) if isinstance(v, Clause) else v)
              for n, v in params.items()}
    return clause(template, **values), params


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_back_alone_and_among_others(template: str) -> None:
    text, params = _filled(template)
    assert read_note(text) == [Clause(template, params)]
    note = joined_notes(SWAPPED, text, NO_HOUSE)
    assert note is not None
    assert read_note(note) == [Clause(SWAPPED, {}), Clause(template, params),
                               Clause(NO_HOUSE, {})]


def test_a_clause_may_end_in_the_registers_address() -> None:
    note = f"{NO_HOUSE}{SEPARATOR}{NEAREST_HOUSE}, ул. Абая, 12"
    assert read_note(note) == [Clause(NO_HOUSE, {}),
                               Clause(NEAREST_HOUSE, {}, "ул. Абая, 12")]


def test_a_value_holding_the_separator_still_reads_back() -> None:
    typed = "ул. Абая 5; кв 3"  # as an operator typed it
    note = joined_notes(clause(ADDRESS_APPROXIMATE, score="83", address=typed), SWAPPED)
    assert note is not None
    assert read_note(note) == [Clause(ADDRESS_APPROXIMATE, {"score": "83", "address": typed}),
                               Clause(SWAPPED, {})]


def test_pairs_of_words_read_one_as_another() -> None:
    note = read_pairs(LETTERS_READ_BACK, [("к?шесі", "көшесі"), ("Т?ле", "Төле")])
    assert note == ("letters lost to '?' read back: «к?шесі» as «көшесі»; «Т?ле» as «Төле»")
    assert read_note(note) is not None
    assert read_pairs(MARKER_READ, [("улл", "ул")]) == "read «улл» as «ул»"


def test_a_geometry_of_no_kind_is_not_read_as_one_of_kind_the() -> None:
    assert read_note(UNREADABLE_GEOMETRY_OF_NO_KIND) == [
        Clause(UNREADABLE_GEOMETRY_OF_NO_KIND, {})]
    assert read_note(clause(UNREADABLE_GEOMETRY, kind="Polygon")) == [
        Clause(UNREADABLE_GEOMETRY, {"kind": "Polygon"})]


@pytest.mark.parametrize("note", [
    "placed by hand", "", "no house number in the address; and something else",
    clause(COORDINATES_IGNORED, reason="the GPS was off"),  # a reason of no template
])
def test_text_of_no_template_does_not_read_back(note: str) -> None:
    assert read_note(note) is None


def test_reading_back_is_bounded_for_addresses_typed_with_many_separators() -> None:
    """An address of many "; " would make every split of the note a candidate: the
    clauses' reach and the note's parts are bounded, beyond them it is shown as
    stored."""
    typed = "; ".join(["кв. 3"] * 10)  # more "; " than a clause may span
    assert read_note(clause(ADDRESS_APPROXIMATE, score="83", address=typed)) is None
    many = SEPARATOR.join([SWAPPED] * (MAX_NOTE_PARTS // 2 + 1))
    assert read_note(many) is None
    fewer = SEPARATOR.join([SWAPPED] * (MAX_NOTE_PARTS // 2))
    assert read_note(fewer) == [Clause(SWAPPED, {})] * (MAX_NOTE_PARTS // 2)
