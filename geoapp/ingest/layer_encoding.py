"""The code page of a shapefile's attributes.

A .dbf stores text as bytes in some code page, named by a .cpg file or a mark in its
header. A shapefile written by an older Russian-language system may have neither, and
GDAL then reads the bytes as Latin-1: Cyrillic names turn into "Ìêð Ñàìàë". Such a
file is read byte for byte (Latin-1 maps each byte to one character), and its text
is decoded again in the code page the user names, or else the one its bytes show:
UTF-8 when they are valid UTF-8, else CP866 (DOS) or KZ-1048. KZ-1048 is CP1251
with the Kazakh letters in place of Serbian and Macedonian ones, so Russian text
reads the same in both.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from geoapp.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

GDAL_FALLBACK = "ISO-8859-1"  # what GDAL reads a .dbf of no declared code page as
BYTE_FAITHFUL = "latin-1"


def codec_name(name: str) -> str:
    """Python's name for a code page given on the command line, or a clear refusal."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(f"--encoding {name}: not a known code page "
                         "(e.g. cp1251, kz1048, cp866, utf-8)") from None


def utf8_cut_letter_dropped(raw: bytes) -> str | None:
    """`raw` as UTF-8, or None when it is not. A .dbf field holds a fixed number of
    bytes, and writers cut a longer value there, often inside a two-byte Cyrillic
    letter: a value that ends in half a letter is still UTF-8, without that half."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(raw):
            return raw[:exc.start].decode("utf-8", "replace")
        return None


def guess_code_page(raw: bytes) -> str:
    """The code page of a shapefile's text bytes (values one per line). Cyrillic
    letters are 0xC0-0xFF in CP1251/KZ-1048 and mostly 0x80-0xAF in CP866."""
    if all(utf8_cut_letter_dropped(line) is not None for line in raw.split(b"\n")):
        return "utf-8"
    windows = sum(1 for b in raw if b >= 0xC0)
    dos = sum(1 for b in raw if 0x80 <= b < 0xB0)
    return "cp866" if dos > windows else "kz1048"


def text_columns(frame: gpd.GeoDataFrame) -> list[str]:
    from pandas.api.types import is_object_dtype, is_string_dtype

    return [c for c in frame.columns if c != frame.geometry.name
            and (is_string_dtype(frame[c].dtype) or is_object_dtype(frame[c].dtype))]


def raw_text(frame: gpd.GeoDataFrame) -> bytes:
    """The bytes of the field names and text values of a frame read byte for byte."""
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    values = [v for c in text_columns(frame) for v in frame[c] if isinstance(v, str)]
    return "\n".join(names + values).encode(BYTE_FAITHFUL)


def _decoded(value: str, code_page: str) -> str:
    raw = value.encode(BYTE_FAITHFUL)
    if code_page == "utf-8" and (text := utf8_cut_letter_dropped(raw)) is not None:
        return text
    return raw.decode(code_page, "replace")


def decode_text(frame: gpd.GeoDataFrame, code_page: str) -> gpd.GeoDataFrame:
    """The frame with its field names and text values, read byte for byte, decoded in
    `code_page` (a byte it leaves undefined becomes U+FFFD)."""
    frame = frame.copy()
    for column in text_columns(frame):
        frame[column] = [_decoded(v, code_page) if isinstance(v, str) else v
                         for v in frame[column]]
    geometry = frame.geometry.name
    return frame.rename(columns={c: _decoded(str(c), code_page) for c in frame.columns
                                 if c != geometry})


@contextmanager
def _opened(path: Path, member: str | None) -> Iterator[IO[bytes]]:
    if member is None:
        with path.open("rb") as fh:
            yield fh
    else:
        with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
            yield fh


def _is_utf8(stream: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def geojson_in_utf8(path: Path, member: str | None = None) -> tuple[bytes, str] | None:
    """A GeoJSON file (or the zip `path`'s `member`) that is not UTF-8, as RFC 7946
    says it must be (Notepad and older tools save CP1251), decoded in the code page
    its bytes show and given back in UTF-8, with a note for the summary; None when it
    is UTF-8."""
    with _opened(path, member) as fh:
        if _is_utf8(fh):
            return None
    with _opened(path, member) as fh:
        raw = fh.read()
    code_page = guess_code_page(raw)
    return (raw.decode(code_page, "replace").encode("utf-8"),
            f"{code_page} (guessed: a GeoJSON file must be UTF-8, this one is not)")


def decoded_names(names: list[str], given: str | None) -> list[str]:
    """Field names read byte for byte, decoded in the code page `given`, else the
    one their bytes show."""
    raw = "\n".join(names).encode(BYTE_FAITHFUL)
    if given is None and raw.isascii():
        return names
    code_page = codec_name(given) if given is not None else guess_code_page(raw)
    return [_decoded(name, code_page) for name in names]


_NUMBERED = re.compile(r"(?:(?:ANSI|OEM|CP|WINDOWS)[- ]?)?(\d{3,5})", re.IGNORECASE)


def cpg_code_page(cpg: bytes) -> str:
    """Python's name for the code page a .cpg names ("UTF-8", "1251", "ANSI 1251",
    "CP1251"); the .cpg's own words when Python knows no such code page."""
    named = cpg.decode("ascii", "ignore").strip()
    number = _NUMBERED.fullmatch(named)
    try:
        return codecs.lookup(f"cp{number[1]}" if number else named).name
    except LookupError:
        return named


# The .dbf header's code page marks (byte 29) of the Cyrillic code pages.
CYRILLIC_MARKS = {0x26: "cp866", 0x65: "cp866", 0xC9: "cp1251"}
WESTERN_MARK = "a Western code page"  # what a .dbf's other marks declare, here
# Read as KZ-1048, which has the Kazakh letters where CP1251 has Serbian, Macedonian
# and a few Ukrainian ones: Russian reads the same in both, and a Kazakh system's
# file labelled CP1251 keeps its "қ" rather than turning it into "ќ".
WINDOWS_CYRILLIC = ("cp1251", "kz1048")


def declared_code_page(gdal_reports: str | None, cpg: bytes | None,
                       dbf_header: bytes | None) -> str | None:
    """The code page a shapefile declares. GDAL converts text from the code page of the
    .cpg, else of the mark in the .dbf's header, and then reports UTF-8, whatever it
    converted from: only the .cpg tells a UTF-8 file (read here byte for byte) from
    a CP1251 one. Another mark than a Cyrillic one ("ANSI", 1252, 437) is
    WESTERN_MARK: Russian-language ArcView and MapInfo wrote it over CP1251 text, and
    GDAL would make "Ìêð" of it; such text is decoded as its bytes show."""
    if not declares_utf8(gdal_reports):
        return gdal_reports
    if cpg is not None:
        return cpg_code_page(cpg)
    mark = dbf_header[29] if dbf_header is not None and len(dbf_header) > 29 else 0
    return CYRILLIC_MARKS.get(mark, WESTERN_MARK)


def declares_utf8(declared: str | None) -> bool:
    try:
        return declared is not None and codecs.lookup(declared).name == "utf-8"
    except LookupError:
        return False


def reads_byte_for_byte(file_name: str, driver: str | None, declared: str | None,
                        given: str | None) -> bool:
    """Whether a layer's text is read byte for byte and decoded here: a shapefile's,
    when its code page is given on the command line (over its .cpg), GDAL could not
    know it, it is UTF-8 (where GDAL refuses a whole file for one value cut inside a
    letter) or Windows Cyrillic (read as KZ-1048). Other formats' text is UTF-8 by
    definition."""
    if driver != "ESRI Shapefile":
        if given is not None:
            raise InputError(f"--encoding is for shapefiles; {file_name} is {driver}, "
                             "whose text is UTF-8")
        return False
    if given is not None:
        codec_name(given)
        return True
    return (declared in (GDAL_FALLBACK, WESTERN_MARK, *WINDOWS_CYRILLIC)
            or declares_utf8(declared))


def decode_layer_text(frame: gpd.GeoDataFrame, given: str | None,
                      declared: str | None = None) -> tuple[gpd.GeoDataFrame, str | None]:
    """A frame read byte for byte, decoded in the code page `given`, else the one the
    shapefile declares when that is UTF-8 and its text is, or Windows Cyrillic (as
    KZ-1048), else the one its bytes show; and a note for the summary (None when the
    code page was the declared one, or its text is all ASCII and no code page was
    given)."""
    if given is not None:
        code_page = codec_name(given)
        return decode_text(frame, code_page), f"{code_page} (as given)"
    raw = raw_text(frame)
    if raw.isascii():
        return frame, None
    if declared in WINDOWS_CYRILLIC:
        if guess_code_page(raw) == "utf-8":  # Cyrillic in CP1251 is next to never UTF-8
            return (decode_text(frame, "utf-8"),
                    f"utf-8 (guessed: the shapefile says {declared}, but the text is UTF-8)")
        kazakh = raw.decode("kz1048", "replace") != raw.decode(declared, "replace")
        return decode_text(frame, "kz1048"), (
            f"kz1048 (the shapefile says {declared}, but its letters are KZ-1048's Kazakh "
            "ones)" if kazakh and declared != "kz1048" else None)
    code_page = guess_code_page(raw)
    if declares_utf8(declared):
        if code_page == "utf-8":
            return decode_text(frame, "utf-8"), None
        return (decode_text(frame, code_page),
                f"{code_page} (guessed: the .cpg says UTF-8, but the text is not)")
    named = ("its .dbf names a Western code page" if declared == WESTERN_MARK
             else "the shapefile names no code page")
    return decode_text(frame, code_page), f"{code_page} (guessed: {named})"
