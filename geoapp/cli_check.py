"""`geoapp check parcels`: run the parcel rules and print the totals."""

from __future__ import annotations

import click

from geoapp.config import Settings


@click.group("check", help="Automated checks of the reference data.")
def check() -> None:
    pass


@check.command("parcels", help="Run the parcel rules (R1-R6) in one transaction, store "
                               "the violations and print totals by rule and overall.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--timings", is_flag=True, help="Also print the seconds each step took.")
def check_parcels(as_json: bool, timings: bool) -> None:
    from geoapp.analysis.rule_config import load_rules
    from geoapp.analysis.violations import run_checks
    from geoapp.cli import cli_engine, print_json, require_schema

    settings = Settings.from_env()
    engine = cli_engine(settings)
    require_schema(engine)
    rules = load_rules()
    with engine.begin() as conn:
        result = run_checks(conn, rules, settings.city_bbox)
    if as_json:
        print_json({**result.as_dict(), "rules": {
            c: {"name": r.name, "severity": r.severity, "params": r.params}
            for c, r in rules.items()}})
        return
    click.echo(f"{'rule':<22} {'violations':>10} {'parcels':>8} {'hectares':>9} "
               f"{'cadastral value, KZT':>21}")
    for t in result.totals:
        label = f"{t.rule} {rules[t.rule].name}" if t.rule in rules else (t.rule or "all")
        click.echo(f"{label:<22} {t.violations:>10,} {t.parcels:>8,} {t.hectares:>9.2f} "
                   f"{t.cadastral_value_kzt:>21,}")
    click.echo(f"new or refreshed: {sum(result.found.values()):,}; "
               f"no longer found (marked resolved): {result.resolved:,}")
    if timings:
        click.echo("seconds: " + ", ".join(f"{step} {s:.2f}"
                                           for step, s in result.seconds.items()))
