"""Where GDAL should look inside a zipped shapefile, and which file of a zip it reads.

GDAL reads the shapefiles at a zip's root. A zip made by compressing a folder (the
usual way on Windows and macOS) holds them one folder down, which GDAL does not see;
macOS adds `__MACOSX/` copies of every file's metadata, which are not shapefiles.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath

from geoapp.errors import N_, InputError
from geoapp.ingest.zipped import BROKEN_ZIP, packed_files


def dataset_path(path: Path) -> Path | str:
    """The path to give GDAL: the file itself, or for a zip whose shapefiles all sit
    in one folder, that folder inside it (/vsizip/)."""
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return path
    with zipfile.ZipFile(path) as archive:
        folders = {str(PurePosixPath(info.filename).parent)
                   for info in packed_files(archive, (".shp",))}
    if not folders or folders == {"."}:
        return path
    if len(folders) > 1:
        shown = ", ".join(sorted(f if f != "." else "(top level)" for f in folders))
        raise InputError(N_("%(file)s holds shapefiles in several folders (%(folders)s): "
                            "zip the one to import on its own"), file=path.name,
                         folders=shown)
    return f"/vsizip/{path.resolve()}/{folders.pop()}"


def companion_file(path: Path, layer: str, suffix: str, size: int = -1) -> bytes | None:
    """The first `size` bytes (all by default) of the file with `suffix` (".cpg")
    beside the shapefile of `layer`: next to `path`, in the folder `path` is, or
    anywhere in the zip `path` is (one folder at most: see dataset_path); None when
    there is none. Names are compared without case, as Windows writes them."""
    wanted = f"{layer}{suffix}".lower()
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                member = PurePosixPath(name)
                if member.name.lower() == wanted and "__MACOSX" not in member.parts:
                    with archive.open(name) as fh:
                        return fh.read(size)
        return None
    folder = path if path.is_dir() else path.parent
    for candidate in folder.iterdir():
        if candidate.name.lower() == wanted and candidate.is_file():
            with candidate.open("rb") as fh:
                return fh.read(size)
    return None


# The files without which GDAL cannot read a shapefile (it reads none without its
# .shx, and one without its .dbf as features without attributes).
SHAPEFILE_PARTS = (".shx", ".dbf")
SHAPEFILE_CODE = b"\x00\x00\x27\x0a"  # the first bytes of every .shp (file code 9994)


def refuse_incomplete_shapefile(path: Path, layer: str | None) -> None:
    """A shapefile sent without a file it needs, refused by naming that file: GDAL's
    own failure says nothing a user can act on. `layer`: the shapefile chosen among
    several (its name without .shp); all are checked when None. A file named .shp
    that is no shapefile (GeoJSON under a wrong name) is left to GDAL."""
    files = _files_by_stem(path)
    for stem, (suffixes, head) in sorted(files.items()):
        if head != SHAPEFILE_CODE or (layer is not None and stem != layer.lower()):
            continue
        missing = [suffix for suffix in SHAPEFILE_PARTS if suffix not in suffixes]
        if missing:
            raise InputError(N_("%(file)s: the shapefile %(shapefile)s comes without its "
                                "%(missing)s; send its .shp, .shx, .dbf and .prj files "
                                "together"), file=path.name, shapefile=f"{stem}.shp",
                             missing=", ".join(missing))


def _files_by_stem(path: Path) -> dict[str, tuple[set[str], bytes | None]]:
    """The files of the zip, folder or .shp `path` by lower-case stem: their suffixes,
    and the first 4 bytes of the stem's .shp (None without one)."""
    found: dict[str, tuple[set[str], bytes | None]] = {}

    def add(name: str, read_head: Callable[[], bytes]) -> None:
        stem, suffix = PurePosixPath(name).stem.lower(), PurePosixPath(name).suffix.lower()
        suffixes, head = found.get(stem, (set(), None))
        suffixes.add(suffix)
        found[stem] = (suffixes, read_head() if suffix == ".shp" else head)

    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if "__MACOSX" not in PurePosixPath(info.filename).parts and not info.is_dir():
                    add(info.filename, partial(_zip_head, archive, info))
    elif path.is_dir() or path.suffix.lower() == ".shp":
        folder = path if path.is_dir() else path.parent
        for child in folder.iterdir():
            if child.is_file() and (path.is_dir() or child.stem.lower() == path.stem.lower()):
                add(child.name, partial(_file_head, child))
    return found


def _zip_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as fh:
            return fh.read(4)
    except (zipfile.BadZipFile, EOFError, zlib.error):  # a damaged member
        raise InputError(BROKEN_ZIP, file=Path(archive.filename or "").name) from None


def _file_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


GEOJSON_SUFFIXES = (".geojson", ".json")


def geojson_member(path: Path) -> str | None:
    """The name of the one GeoJSON file in the zip `path`, which GDAL reads when the
    zip holds no shapefile; None when it holds none or several."""
    with zipfile.ZipFile(path) as archive:
        found = packed_files(archive, GEOJSON_SUFFIXES)
    return found[0].filename if len(found) == 1 else None
