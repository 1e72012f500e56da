"""`geoapp analyze hotspots`: the heating-outage hotspot analysis from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from geoapp.config import Settings
from geoapp.errors import InputError
from geoapp.taxonomy import CATEGORY_CODES


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--{name} must be a date like 2024-01-31, got {value!r}") from None


@click.group("analyze", help="Analyses over the complaints.")
def analyze() -> None:
    pass


@analyze.command("hotspots", help="Significant, emerging and persistent hotspots "
                                  "(space-time Gi*, FDR, Mann-Kendall).")
@click.option("--category", default="housing_utilities.heating", show_default=True)
@click.option("--from", "date_from", default=None, help="First day (default: the first data).")
@click.option("--to", "date_to", default=None, help="Last day (default: the last data).")
@click.option("--hex", "hex_across", default=250.0, show_default=True, type=float,
              help="Hexagon size across, in metres.")
@click.option("--alpha", default=0.05, show_default=True, type=float,
              help="False-discovery rate.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def hotspots(category: str, date_from: str | None, date_to: str | None, hex_across: float,
             alpha: float, as_json: bool) -> None:
    from geoapp.analysis.cube import CubeParams
    from geoapp.analysis.hotspot_export import to_json
    from geoapp.analysis.hotspots import analyze_hotspots
    from geoapp.cli import cli_engine, print_json, require_schema

    if category not in CATEGORY_CODES:
        raise InputError(f"unknown category {category!r}")
    first, last = _day(date_from, "from"), _day(date_to, "to")
    if first and last and first > last:
        raise InputError("--from is after --to")
    if not 50 <= hex_across <= 5000 or not 0 < alpha < 1:
        raise InputError("--hex must be 50-5000 m and --alpha between 0 and 1")
    engine = cli_engine(Settings.from_env())
    require_schema(engine)
    params = CubeParams(category=category, date_from=first, date_to=last,
                        hex_across_m=hex_across)
    with engine.connect() as conn:
        result = analyze_hotspots(conn, params, alpha)
    if as_json:
        print_json(to_json(result))
        return
    click.echo(f"{category} {result.date_from} .. {result.date_to}: {result.weeks} weeks × "
               f"{result.hexagons} hexagons, {result.hot_bins} hot bins, "
               f"{len(result.hotspots)} hotspots ({result.seconds:.1f} s)")
    for h in result.hotspots:
        click.echo(f"#{h.id} {', '.join(h.microdistricts[:2]) or '-'}: {h.pattern}, "
                   f"weeks {h.first_week}..{h.last_week} ({h.weeks_hot} hot), "
                   f"{h.complaints} complaints from {h.buildings} buildings, "
                   f"{h.open_complaints} open; central heating: {h.central_buildings} "
                   f"buildings, {h.central_residents} residents; "
                   f"seasons {', '.join(h.seasons)}")


@analyze.command("classifier", help="The text classifier's accuracy per category against "
                                    "a ground truth (the demo writes complaints_truth.csv).")
@click.argument("complaints", type=click.Path(path_type=Path))
@click.argument("truth", type=click.Path(path_type=Path))
@click.option("--target", default=0.9, show_default=True, type=float,
              help="Accuracy to flag categories below.")
@click.option("--min-samples", default=100, show_default=True, type=int,
              help="Flag only categories with at least this many samples.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def classifier(complaints: Path, truth: Path, target: float, min_samples: int,
               as_json: bool) -> None:
    from geoapp.classify_eval import evaluate, labelled_texts, read_truth
    from geoapp.cli import print_json

    report = evaluate(labelled_texts(complaints, read_truth(truth)))
    if not report.overall.samples:
        raise InputError(f"no complaint of {complaints.name} is in {truth.name}")
    below = report.below(target, min_samples)
    if as_json:
        print_json({**report.as_dict(), "target": target, "min_samples": min_samples,
                    "below_target": [c.category for c in below]})
        return
    click.echo(f"{'category':36}{'samples':>9}{'accuracy':>10}{'no label':>10}{'accuracy':>10}")
    for row in (*report.categories, report.overall):
        without = row.unlabelled_accuracy
        click.echo(f"{row.category:36}{row.samples:>9,}{row.accuracy:>10.1%}"
                   f"{row.unlabelled:>10,}{'' if without is None else f'{without:.1%}':>10}")
    for true, guessed, count in report.confusions[:5]:
        click.echo(f"confused: {true} -> {guessed}: {count}")
    click.echo(f"categories with >= {min_samples} samples below {target:.0%}: "
               f"{', '.join(c.category for c in below) or 'none'}")
