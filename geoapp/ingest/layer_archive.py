"""Where GDAL should look inside a zipped shapefile, and which file of a zip it reads.

GDAL reads the shapefiles at a zip's root. A zip made by compressing a folder (the
usual way on Windows and macOS) holds them one folder down, which GDAL does not see;
macOS adds `__MACOSX/` copies of every file's metadata, which are not shapefiles.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from geoapp.errors import N_, InputError
from geoapp.ingest.zipped import packed_files


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


GEOJSON_SUFFIXES = (".geojson", ".json")


def geojson_member(path: Path) -> str | None:
    """The name of the one GeoJSON file in the zip `path`, which GDAL reads when the
    zip holds no shapefile; None when it holds none or several."""
    with zipfile.ZipFile(path) as archive:
        found = packed_files(archive, GEOJSON_SUFFIXES)
    return found[0].filename if len(found) == 1 else None
