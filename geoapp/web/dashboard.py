"""The officials' dashboard (`/dashboard`): complaint figures under the map's filters.

Also the presentation helpers the microdistrict page shares: number formats and
the chart payloads that `static/js/charts.js` draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Blueprint, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from geoapp.analysis import stats
from geoapp.maps.filters import ComplaintFilter
from geoapp.maps.registry import Page, register_page
from geoapp.taxonomy import GROUP_NAMES, category_name, status_name
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.i18n import current_language
from geoapp.web.officials import filter_choices

bp = Blueprint("dashboard", __name__)
OFFICIAL_ROLES = ("official", "admin")
OLDEST_SHOWN = 20

register_page(Page("dashboard.index", lambda: str(_l("Dashboard")),
                   lambda: str(_l("complaint figures by group, status and microdistrict")),
                   frozenset(OFFICIAL_ROLES), is_map=False))


def percent(share: float | None) -> str:
    """A share (0-1) as a percentage with one decimal in the page's locale."""
    return "—" if share is None else format_decimal(share * 100, format="#,##0.0") + "%"


def one_decimal(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.0")


def named_shares(shares: Sequence[stats.Share],
                 name: Callable[[str], str]) -> list[dict[str, object]]:
    return [{"key": s.key, "name": name(s.key), "count": s.count, "share": s.share}
            for s in shares]


def group_namer(language: str) -> Callable[[str], str]:
    return lambda group: GROUP_NAMES.get(group, {}).get(language, group)


def category_namer(language: str) -> Callable[[str], str]:
    return lambda code: category_name(code, language)


def status_namer(language: str) -> Callable[[str], str]:
    return lambda status: status_name(status, language)


def chart(kind: str, labels: Sequence[str], label: str,
          values: Sequence[float]) -> dict[str, object]:
    """Data only (no code) for one Chart.js chart; the page embeds it as JSON."""
    return {"type": kind, "labels": list(labels),
            "datasets": [{"label": label, "data": list(values)}]}


def trend_chart(weeks: Sequence[stats.WeekCount]) -> dict[str, object]:
    return chart("line", [w.label for w in weeks], _("Complaints"), [w.count for w in weeks])


def resolution_chart(times: stats.ResolutionTimes) -> dict[str, object]:
    return chart("bar", [b.label for b in times.buckets], _("Resolved complaints"),
                 [b.count for b in times.buckets])


def register_filters(blueprint: Blueprint) -> None:
    """The template filters the figure pages use."""
    blueprint.add_app_template_filter(percent, "percent")
    blueprint.add_app_template_filter(one_decimal, "one_decimal")


register_filters(bp)


@bp.get("/dashboard")
@roles_required(*OFFICIAL_ROLES)
def index() -> str:
    language = current_language()
    filters = ComplaintFilter.from_args(request.args)
    tz = settings().timezone
    with engine().connect() as conn:
        groups = stats.by_group(conn, filters)
        statuses = stats.by_status(conn, filters)
        districts = stats.by_microdistrict(conn, filters)
        trend = stats.weekly_trend(conn, filters, tz=tz)
        oldest = stats.oldest_unresolved(conn, filters, limit=OLDEST_SHOWN, tz=tz)
        resolution = stats.resolution_times(conn, filters)
    return render_template(
        "dashboard.html", filters=filters, choices=filter_choices(language),
        total=sum(s.count for s in statuses),
        groups=named_shares(groups, group_namer(language)),
        statuses=named_shares(statuses, status_namer(language)),
        districts=districts, language=language,
        oldest=oldest, category_name=category_namer(language),
        status_name=status_namer(language),
        resolution=resolution, trend_chart=trend_chart(trend),
        resolution_chart=resolution_chart(resolution),
    )
