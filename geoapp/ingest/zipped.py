"""Files sent zipped. A large 109 export goes by mail as a zip (a 200 MB CSV packs to
a tenth of that): the one export in it is unpacked into a temporary folder for the
import's length; a zip holding none, or several, is refused by name. An XLSX is a zip
too, and is read as the workbook it is. `packed_files` also finds a layer's files
in a zip (layer_archive)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from geoapp.errors import N_, InputError

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".xml", ".geojson", ".json",
                   ".htm", ".html")
BROKEN_ZIP = N_("%(file)s is not a readable ZIP archive (damaged or cut short)")
# Unpacked size beyond which a member is refused: far above any export, below what
# would fill a server's disk (a "zip bomb").
MAX_UNPACKED = 4 * 2**30


def packed_files(archive: zipfile.ZipFile, suffixes: tuple[str, ...]) -> list[zipfile.ZipInfo]:
    """The zip's files with one of `suffixes` (lower case), without the metadata
    copies macOS adds (`__MACOSX/`, `._name`)."""
    found = []
    for info in archive.infolist():
        member = PurePosixPath(info.filename)
        if (not info.is_dir() and member.suffix.lower() in suffixes
                and not member.name.startswith("._") and "__MACOSX" not in member.parts):
            found.append(info)
    return found


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's file name as its writer meant it: Windows' zip tools store Cyrillic
    names in CP866 without saying so, and Python then reads them as CP437."""
    name = PurePosixPath(info.filename).name
    if not info.flag_bits & 0x800:  # not marked UTF-8
        with suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("cp866")
    return name


def refuse_unreadable(path: Path) -> None:
    """A file of no bytes, or a .zip that is no readable archive, refused as such:
    read on, it would be called a format it is not, or a zip holding nothing."""
    if not path.is_file():
        return
    if path.stat().st_size == 0:
        raise InputError(N_("%(file)s is empty"), file=path.name)
    if path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
        raise InputError(BROKEN_ZIP, file=path.name)


@contextmanager
def unpacked_export(path: Path) -> Iterator[tuple[Path, str]]:
    """(the file to read, the name to record): `path` itself, or for a .zip that is
    not a workbook, its one export unpacked, named `zip/member`."""
    refuse_unreadable(path)
    if path.suffix.lower() != ".zip" or not path.is_file():
        yield path, path.name
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(BROKEN_ZIP, file=path.name) from None
    with archive:
        found = packed_files(archive, EXPORT_SUFFIXES)
        if not found:
            raise InputError(N_("%(file)s holds no complaints export (CSV, TSV, XLSX, XLS, "
                                "GeoJSON, an HTML table or Excel 2003 XML)"), file=path.name)
        if len(found) > 1:
            names = ", ".join(_member_name(info) for info in found[:5])
            raise InputError(N_("%(file)s holds %(n)d exports (%(names)s): unpack it and "
                                "import them one by one"), file=path.name, n=len(found),
                             names=names + (", …" if len(found) > 5 else ""))
        info = found[0]
        if info.file_size > MAX_UNPACKED:
            raise InputError(N_("%(file)s: %(member)s unpacks to %(gb).0f GB, more than an "
                                "export"), file=path.name, member=_member_name(info),
                             gb=info.file_size / 2**30)
        name = _member_name(info)
        with tempfile.TemporaryDirectory(prefix="geoapp-unzip-") as work:
            target = Path(work) / name
            try:
                with archive.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
            except (zipfile.BadZipFile, EOFError, zlib.error):  # a bad CRC, a cut stream
                raise InputError(BROKEN_ZIP, file=path.name) from None
            yield target, f"{path.name}/{name}"
