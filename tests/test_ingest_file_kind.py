"""A file that is not text is named for what it is; a text export in any encoding the
importer reads, a stray control byte included, is never taken for one."""

from __future__ import annotations

import pytest

from geoapp.ingest.csv_table import sniff_encoding
from geoapp.ingest.file_kind import not_text_reason

TEXT = ("Номер обращения;Дата обращения;Текст обращения;Адрес\n"
        "109-1;01.10.2022;Нет отопления, батареи холодные;15 мкр, 12\n"
        "109-2;02.10.2022;Жылу жоқ, үйде суық;Төле би көшесі, 45А\n") * 20


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le",
                                      "utf-16-be"])
def test_text_in_every_read_encoding_is_text(encoding: str) -> None:
    text = TEXT if encoding != "cp1251" else TEXT.replace("қ", "к").replace("ү", "у").replace(
        "ө", "о")
    sample = text.encode(encoding)
    assert not_text_reason(sample, sniff_encoding(sample)) is None


def test_a_stray_control_byte_in_a_row_leaves_the_file_text() -> None:
    sample = TEXT.encode() + b"109-3;03.10.2022;\x00\x07 bad row;15 mkr\n"
    assert not_text_reason(sample, "utf-8") is None


@pytest.mark.parametrize(("head", "kind"), [
    (b"PK\x03\x04\x14\x00", "ZIP archive"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    (b"GIF89a\x01\x00", "GIF image"),
    (b"%PDF-1.4\n", "PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "Excel 97-2003"),
    (b"\x1f\x8b\x08\x00", "gzip archive"),
    (bytes(range(256)) * 8, "binary data"),
])
def test_known_binary_kinds(head: bytes, kind: str) -> None:
    reason = not_text_reason(head, sniff_encoding(head))
    assert reason is not None and kind in reason
