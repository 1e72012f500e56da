"""A complaint export opened by what it is, whatever its name says: CSV/TSV
(csv_table), a workbook (workbook, xls, spreadsheet_xml), a web page's table
(html_table) or GeoJSON (geojson_table). Each streams rows with their original
line number and original values, mapped onto contract fields by header aliases
(table_source)."""

from __future__ import annotations

from pathlib import Path

from geoapp.errors import N_, InputError
from geoapp.ingest.csv_table import open_csv, sniff_encoding
from geoapp.ingest.file_kind import not_text_reason
from geoapp.ingest.geojson_table import open_geojson
from geoapp.ingest.html_table import is_web_page, open_html
from geoapp.ingest.table_source import TableSource
from geoapp.ingest.workbook import open_xlsx

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook's first bytes
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".html", ".htm", ".xml")


def _looks_like_text(head: bytes) -> bool:
    return bool(head) and not_text_reason(head, sniff_encoding(head)) is None


def _suffix(path: Path) -> str:
    """The name's extension; a name that is only one (".csv", as a mail client may
    save an attachment) is that extension."""
    if path.suffix:
        return path.suffix.lower()
    return path.name.lower() if path.name.startswith(".") else ""


def open_table(path: Path, sheet: str | None = None) -> TableSource:
    """The export at `path`; `sheet` names a workbook's sheet."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the export file itself")
    suffix = _suffix(path)
    with path.open("rb") as fh:
        head = fh.read(1024)
    if suffix in WORKBOOK_SUFFIXES or not suffix:
        # by content: an old .xls saved as .xlsx, or the other way round, is still read,
        # and so is a web page under a workbook's name (a web system's "Excel" export),
        # a CSV under one, and a file whose name lost its extension
        if head.startswith(b"PK\x03\x04"):
            return open_xlsx(path, sheet)
        if suffix in (".html", ".htm") or is_web_page(head):
            if sheet is not None:
                raise InputError(N_("%(file)s is a web page: it has no sheets for --sheet"),
                                 file=path.name)
            return open_html(path)
        from geoapp.ingest.spreadsheet_xml import is_spreadsheet_xml, open_spreadsheet_xml

        if is_spreadsheet_xml(head):
            return open_spreadsheet_xml(path, sheet)
        if suffix == ".xml" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            raise InputError(N_("%(file)s is an XML file but not an Excel 2003 XML "
                                "spreadsheet: export CSV or XLSX"), file=path.name)
        if head.startswith(OLE2) or (suffix and not _looks_like_text(head)):
            from geoapp.ingest.xls import open_xls

            return open_xls(path, sheet)
        if not suffix and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return open_geojson(path)
        if not suffix and not _looks_like_text(head):
            raise InputError(N_("%(file)s: unsupported format (no extension, and not a "
                                "table geoapp can read); use CSV, TSV, XLSX, XLS, GeoJSON, "
                                "an HTML table or Excel 2003 XML"), file=path.name)
        suffix = ".csv"  # text under a workbook's name, or under no name: a CSV export
    if sheet is not None:
        raise InputError(N_("--sheet applies to workbooks (XLSX, XLS), not to %(file)s"),
                         file=path.name)
    if suffix in (".csv", ".tsv", ".txt"):
        if is_web_page(head):  # a web system's export under a text name
            return open_html(path)
        return open_csv(path)
    if suffix in (".geojson", ".json"):
        return open_geojson(path)
    raise InputError(N_("%(file)s: unsupported format %(suffix)s; use CSV, TSV, XLSX, XLS, "
                        "GeoJSON, an HTML table or Excel 2003 XML"),
                     file=path.name, suffix=suffix)
