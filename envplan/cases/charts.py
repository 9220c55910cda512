"""A case's series with the suspicious spans marked: one server-side SVG per channel with findings
(envplan.core.charts.time_chart), its limit line when the registry has one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl
from django.utils.safestring import SafeString

from envplan.cases.explain import channel, detector_name, moment, number
from envplan.cases.models import Finding
from envplan.core.charts import LIMIT_COLOUR, Span, time_chart
from envplan.lake import Lake
from envplan.sources import lake as sources_lake
from envplan.sources.models import FactorLimit

MARGIN: Final = dt.timedelta(days=2)  # shown on each side of the findings
MAX_DAYS: Final = 42
HOUR: Final = dt.timedelta(hours=1)


@dataclass
class ChannelChart:
    mn: str
    factor: str
    field: str
    label: str
    start: dt.datetime
    end: dt.datetime
    limit: FactorLimit | None
    findings: list[Finding] = dataclasses.field(default_factory=list)
    svg: SafeString = dataclasses.field(default_factory=lambda: SafeString(""))


def _window(findings: list[Finding]) -> tuple[dt.datetime, dt.datetime]:
    """The findings' hours with a margin, at most MAX_DAYS (then from the strongest finding's start)."""
    start = min(f.start for f in findings) - MARGIN
    end = max(f.end for f in findings) + HOUR + MARGIN
    if end - start > dt.timedelta(days=MAX_DAYS):
        start = max(f.start for f in findings if f.score == max(g.score for g in findings)) - MARGIN
        end = start + dt.timedelta(days=MAX_DAYS)
    return start, end


def case_charts(findings: list[Finding], *, lake: Lake | None = None, width: int = 720) -> list[ChannelChart]:
    """One chart per channel (MN, factor, field) with findings, strongest channel first."""
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (-f.score, f.start, f.pk or 0)):
        grouped.setdefault((finding.mn, finding.factor, finding.field), []).append(finding)
    limits = {
        (limit.outlet_id, limit.factor, limit.field): limit
        for limit in FactorLimit.objects.filter(outlet_id__in={f.outlet_id for f in findings})
    }
    charts = []
    for (mn, factor, field_name), mine in grouped.items():
        start, end = _window(mine)
        charts.append(
            ChannelChart(
                mn=mn,
                factor=factor,
                field=field_name,
                label=channel(factor, field_name),
                start=start,
                end=end,
                limit=limits.get((mine[0].outlet_id, factor, field_name)),
                findings=mine,
            )
        )
    by_mn: dict[str, list[ChannelChart]] = {}
    for chart in charts:
        by_mn.setdefault(chart.mn, []).append(chart)
    for mn, mine_charts in by_mn.items():
        values = (
            sources_lake.scan(
                "hourly",
                mns=[mn],
                start=min(c.start for c in mine_charts),
                end=max(c.end for c in mine_charts),
                store_=lake,
            )
            .select("time", "factor", "field", "value")
            .collect()
        )
        for chart in mine_charts:
            chart.svg = _draw(chart, values, width=width)
    return charts


def _draw(chart: ChannelChart, values: pl.DataFrame, *, width: int) -> SafeString:
    rows = values.filter(
        (pl.col("factor") == chart.factor)
        & (pl.col("field") == chart.field)
        & (pl.col("time") >= sources_lake.moment(chart.start))
        & (pl.col("time") < sources_lake.moment(chart.end))
    ).sort("time")
    points = list(zip(rows.get_column("time").to_list(), rows.get_column("value").to_list(), strict=True))
    limit = float(chart.limit.limit) if chart.limit is not None else None
    present = [v for _, v in points if v is not None]
    spans = [
        Span(
            start=f.start,
            end=f.end + HOUR,
            title=f"{detector_name(f.detector)} {number(f.score, 2)}: {moment(f.start)} – {moment(f.end)}",
        )
        for f in chart.findings
    ]
    return time_chart(
        points,
        start=chart.start,
        end=chart.end,
        label=f"{chart.mn} {chart.label}",
        css_class="cases-chart",
        testid="case-chart",
        ceiling=max([*present, (limit or 0.0) * 1.2, 1.0]),
        limit=limit,
        dot=lambda value: LIMIT_COLOUR if limit is not None and value > limit else None,
        spans=spans,
        day_labels=12,
        width=width,
        height=220,
    )
