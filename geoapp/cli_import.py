"""`geoapp import layer|complaints`: the ingestion commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from geoapp.config import Settings
from geoapp.ingest.layers import LAYER_KINDS
from geoapp.progress_bar import ProgressBar
from geoapp.taxonomy import AREA_ONLY_PRECISIONS, SOURCES

if TYPE_CHECKING:
    from geoapp.ingest.layer_lost_letters import LostLetters

UNMAPPED_PRINTED = 10  # unknown category labels listed in the text summary
FILES_PRINTED = 5  # complaint files named in a layer import's summary


def _engine():  # type: ignore[no-untyped-def]
    from geoapp.cli import cli_engine, require_schema

    engine = cli_engine(Settings.from_env())
    require_schema(engine)
    return engine


def _print_json(data: object) -> None:
    from geoapp.cli import print_json

    print_json(data)


@click.group("import", help="Import reference layers and complaint exports.")
def import_group() -> None:
    pass


@import_group.command("layer", help="Import a layer from GeoJSON, GeoPackage or Shapefile.")
@click.argument("kind", type=click.Choice(LAYER_KINDS))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--crs", type=int, default=None,
              help="EPSG code of the file's coordinates: needed when it declares "
                   "none; overrides one it declares.")
@click.option("--source-layer", default=None,
              help="The layer to read from a file of several (a GeoPackage, a zip of "
                   "shapefiles); by default the one named after KIND.")
@click.option("--encoding", default=None,
              help="Code page of a shapefile's attributes (cp1251, kz1048, cp866, utf-8); "
                   "by default its .cpg, else guessed from the bytes.")
@click.option("--retire-missing", is_flag=True,
              help="Parcels only: a parcel of the database that the file no longer lists "
                   "is set to `cancelled` (kept with its history, not deleted).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_layer_command(kind: str, path: Path, crs: int | None, source_layer: str | None,
                         encoding: str | None, retire_missing: bool, as_json: bool) -> None:
    from geoapp.analysis.freshness import CHECKED_LAYERS
    from geoapp.ingest.layer_stages import StageLines
    from geoapp.ingest.layers import import_layer

    stages = StageLines(sys.stderr) if sys.stderr.isatty() and not as_json else None
    summary = import_layer(_engine(), kind, path, crs, source_layer, encoding, retire_missing,
                           stage=stages, city=Settings.from_env().city_bbox)
    if as_json:
        _print_json(summary.as_dict())
        return
    click.echo(f"{kind} from {path.name} ({summary.source_crs}): read {summary.read}, "
               f"inserted {summary.inserted}, updated {summary.updated}, unchanged "
               f"{summary.unchanged}, repaired {summary.repaired}, rejected "
               f"{len(summary.rejected)}")
    if summary.text_encoding:
        click.echo(f"  attributes read as {summary.text_encoding}")
    if summary.attributes_not_read:
        click.echo(f"  attributes not read: {', '.join(summary.attributes_not_read)}")
    if relocated := summary.complaints_relocated:
        by_precision = ", ".join(f"{precision} {count:,}" for precision, count in relocated.items())
        click.echo(f"  complaints placed anew by their address: {sum(relocated.values()):,} "
                   f"({by_precision})")
    if rematched := summary.complaints_rematched:
        click.echo(f"  complaints left in place, their address matched better: {rematched:,}")
    if moved := summary.complaints_reassigned.moved:
        click.echo(f"  complaints now in another {kind[:-1]}: {moved:,}")
    if placed := summary.complaints_reassigned.placed:
        click.echo(f"  complaints given a {kind[:-1]}, having had none: {placed:,}")
    if roughly := summary.complaints_placed_roughly:
        files = [f"{file or 'not imported from a file'} ({count:,})"
                 for file, count in list(roughly.items())[:FILES_PRINTED]]
        more = len(roughly) - FILES_PRINTED
        click.echo(f"  complaints whose address the register still places short of a "
                   f"building or not at all: {sum(roughly.values()):,}, from "
                   f"{', '.join(files)}"
                   + (f" and {more} more (see --json)" if more > 0 else ""))
    if summary.retired:
        click.echo(f"  parcels no longer in the register, now cancelled: {summary.retired}")
    _echo_lost_letters(summary.lost_letters)
    if kind in CHECKED_LAYERS and summary.inserted + summary.updated + summary.retired:
        click.echo("  the violations register predates this import: run "
                   "`geoapp check parcels`")
    for number, warning in summary.warnings[:50]:
        click.echo(f"  feature {number} kept, but {warning}")
    for number, reason in summary.rejected[:50]:
        click.echo(f"  feature {number}: {reason}")
    if len(summary.rejected) > 50:
        click.echo(f"  … and {len(summary.rejected) - 50} more (see --json)")




def _echo_lost_letters(lost: LostLetters) -> None:
    if lost.features:
        written = lost.features - lost.kept
        click.echo(f"  features with letters lost to '?' (saved in a code page without "
                   f"Kazakh letters): "
                   f"{lost.features:,}; read as the register's text they copy: {lost.kept:,}"
                   + (f"; kept as written: {written:,} (import the file saved in UTF-8 to "
                      "give them their letters)" if written else ""))
    if lost.restored:
        click.echo(f"  register rows given back letters lost to '?': {lost.restored:,}")


@import_group.command("complaints",
                      help="Import a complaints export (CSV, TSV, XLSX, XLS, GeoJSON, "
                           "an HTML table, Excel 2003 XML, or a zip of one).")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", type=click.Choice(SOURCES), default=None,
              help="Source of rows that do not name one.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write refused rows here with their line and reason.")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The source's own category and status labels mapped to "
              "geoapp's codes (CSV of label and code, or TOML [labels] and [statuses] "
              "tables), over the built-in mapping.")
@click.option("--sheet", default=None, help="The workbook's sheet to read (XLSX, XLS, XML), when "
              "several hold complaints.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_complaints_command(path: Path, source: str | None, rejects_path: Path | None,
                              labels_path: Path | None, sheet: str | None,
                              as_json: bool) -> None:
    from geoapp.ingest.complaints import import_complaints

    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() and not as_json else None
    try:
        summary = import_complaints(_engine(), path, settings=Settings.from_env(),
                                    default_source=source, rejects_path=rejects_path,
                                    labels_path=labels_path, sheet=sheet,
                                    progress=progress)
    finally:
        if progress:
            progress.close()
    data = summary.as_dict()
    if as_json:
        _print_json(data)
        sys.exit(130 if summary.interrupted else 0)
    click.echo(f"{path.name}: read {summary.read:,}, inserted {summary.inserted:,}, "
               f"updated {summary.updated:,}, unchanged {summary.unchanged:,}, "
               f"rejected {summary.rejected:,}")
    if summary.relocated:
        click.echo(f"  placed anew (a corrected address, or a house the register now "
                   f"knows): {summary.relocated:,}")
    if data["rejected_by_reason"]:
        reasons = ", ".join(f"{k} {v}" for k, v in data["rejected_by_reason"].items())
        click.echo(f"  rejected by reason: {reasons}")
    precisions = ", ".join(f"{k} {v:,}" for k, v in data["geocoded_by_precision"].items())
    click.echo(f"  located by: {precisions or 'nothing'}")
    if area_only := sum(data["geocoded_by_precision"].get(p, 0) for p in AREA_ONLY_PRECISIONS):
        click.echo(f"  known only to their microdistrict: {area_only:,} (counted per "
                   "microdistrict, not drawn as points)")
    if summary.total_rows:
        click.echo(f"  a report's total lines left out (Итого, Всего): {summary.total_rows:,}")
    if summary.classified:
        click.echo(f"  categorised from the text (no usable category in the row): "
                   f"{summary.classified:,}"
                   + (f", of them {summary.classified_as_other:,} with no keyword of any "
                      "category, filed as «other»" if summary.classified_as_other else ""))
    if summary.unmapped_labels:
        shown = summary.unmapped_labels.most_common(UNMAPPED_PRINTED)
        listed = ", ".join(f"«{label}» {count:,}" for label, count in shown)
        more = len(summary.unmapped_labels) - len(shown)
        click.echo(f"  category labels not in the mapping (classified from the text; "
                   f"map them with --labels): {listed}"
                   + (f" and {more} more (see --json)" if more > 0 else ""))
    if summary.columns_not_read:
        click.echo(f"  columns not read: {', '.join(summary.columns_not_read)}")
    if summary.lost_letters:
        click.echo(f"  rows with letters lost to '?': {summary.lost_letters:,} (saved in an "
                   "encoding without Kazakh letters, as Excel's CSV on a Russian Windows; "
                   "stored complaints keep their text, address and department; the "
                   "original workbook or a UTF-8 CSV places new ones better)")
    if rejects_path and summary.rejected:
        click.echo(f"  rejects written to {rejects_path}")
    if summary.interrupted:
        click.echo(f"interrupted: {summary.batches_committed} whole batches landed; the "
                   "unfinished batch was rolled back", err=True)
        sys.exit(130)


@import_group.command("history", help="The last imports: when, what, and what they changed.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many imports to list, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
def import_history_command(limit: int, as_json: bool) -> None:
    from zoneinfo import ZoneInfo

    from geoapp.ingest.history import recent_imports

    with _engine().connect() as conn:
        imports = recent_imports(conn, limit)
    if as_json:
        _print_json(imports)
        return
    if not imports:
        click.echo("no imports yet")
        return
    tz = ZoneInfo(Settings.from_env().timezone)
    for entry in imports:
        started = entry["started_at"].astimezone(tz).strftime("%d.%m.%Y %H:%M")
        counts = ", ".join(f"{name} {entry[name]:,}" for name in (
            "read", "inserted", "updated", "unchanged", "rejected") if entry[name] is not None)
        took = f" in {entry['seconds']} s" if entry["seconds"] is not None else ""
        named = " ".join(part for part in (entry["kind"], entry["layer_or_source"],
                                           entry["file"]) if part)
        by = f" by {entry['imported_by']}" if entry["imported_by"] else ""
        doing = f" ({entry['stage']})" if entry["stage"] else ""
        click.echo(f"#{entry['id']} {started} {named}{by}: {entry['status']}{doing}{took}"
                   + (f"; {counts}" if counts else ""))

