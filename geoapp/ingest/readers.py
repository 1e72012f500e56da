"""A complaint export opened by what it is, whatever its name says: CSV/TSV
(csv_table), a workbook (workbook, xls, spreadsheet_xml), a web page's table
(html_table) or GeoJSON (geojson_table). Each streams rows with their original
line number and original values, mapped onto contract fields by header aliases
(table_source)."""

from __future__ import annotations

from pathlib import Path

from geoapp.errors import N_, InputError
from geoapp.ingest.csv_table import open_csv
from geoapp.ingest.geojson_table import open_geojson
from geoapp.ingest.html_table import is_web_page, open_html
from geoapp.ingest.table_source import TableSource
from geoapp.ingest.workbook import open_xlsx


def open_table(path: Path, sheet: str | None = None) -> TableSource:
    """The export at `path`; `sheet` names a workbook's sheet."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the export file itself")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(1024)
    if suffix in (".xlsx", ".xlsm", ".xls", ".html", ".htm", ".xml"):
        # by content: an old .xls saved as .xlsx, or the other way round, is still read,
        # and so is a web page under a workbook's name (a web system's "Excel" export)
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
        from geoapp.ingest.xls import open_xls

        return open_xls(path, sheet)
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
                     file=path.name, suffix=suffix or "(none)")
