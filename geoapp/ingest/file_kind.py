"""Tell a file that is not text by its first bytes, so that an image, a PDF or an old
Excel workbook saved under a .csv name is refused as what it is, not as a table with
unknown columns."""

from __future__ import annotations

from geoapp.errors import N_

# What a file is, by its first bytes: the whole refusal, `%(file)s` its name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", N_("%(file)s is a ZIP archive, not text: an Excel workbook is read "
                       "as .xlsx")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     N_("%(file)s is an Excel 97-2003 workbook, not text: name it .xls to import it")),
    (b"%PDF-", N_("%(file)s is a PDF document, not text: export the table itself as CSV "
                  "or XLSX")),
    (b"\x89PNG\r\n\x1a\n", N_("%(file)s is a PNG image, not text")),
    (b"\xff\xd8\xff", N_("%(file)s is a JPEG image, not text")),
    (b"GIF8", N_("%(file)s is a GIF image, not text")),
    (b"\x1f\x8b", N_("%(file)s is a gzip archive, not text: unpack it first")),
    (b"Rar!\x1a\x07", N_("%(file)s is a RAR archive, not text: unpack it first")),
    (b"7z\xbc\xaf\x27\x1c", N_("%(file)s is a 7-Zip archive, not text: unpack it first")),
)
_BINARY = N_("%(file)s is binary data, not text")
# Bytes no text encoding of an export uses (tab, line ends and form feed aside).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_CONTROL_SHARE = 0.05


def not_text_reason(head: bytes, encoding: str) -> str | None:
    """Why a file starting with `head`, sniffed as `encoding`, is not a text table (a
    message to fill in with the file's name as `file`), or None. Control bytes are not
    counted in UTF-16, where every ASCII character comes with a NUL byte."""
    for signature, reason in _SIGNATURES:
        if head.startswith(signature):
            return reason
    if encoding.startswith("utf-16"):
        return None
    sample = head[:4096]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    if sample and control > _CONTROL_SHARE * len(sample):
        return _BINARY
    return None
