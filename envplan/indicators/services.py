"""Indicator values and attainment: where each target stands against its value and deadline."""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from envplan.core import clock
from envplan.core.services import Actor, record_audit, snapshot
from envplan.indicators import registry
from envplan.indicators.models import Indicator, IndicatorValue, Source
from envplan.plans.models import Plan, Target


def period_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


@transaction.atomic
def ensure_indicators(plan: Plan) -> int:
    """Give every target of the plan an indicator (reported by default). Returns how many were created."""
    missing = Target.objects.filter(plan=plan, indicator_link__isnull=True)
    created = Indicator.objects.bulk_create(
        [Indicator(target=target, source=Source.REPORTED) for target in missing]
    )
    return len(created)


def default_source(target: Target) -> str:
    """A target to act by a date (the parser's "milestone" unit) is a milestone; others are reported."""
    return Source.MILESTONE if target.unit_of_measure == "milestone" else Source.REPORTED


@transaction.atomic
def configure_indicator(
    indicator: Indicator,
    *,
    by: Actor,
    source: str,
    computation: str = "",
    parameters: dict[str, Any] | None = None,
    provenance: str = "",
) -> Indicator:
    """Set where a target's value comes from. A computed indicator must name a registered computation."""
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    if source == Source.COMPUTED:
        registry.get(computation)
    fields = ("source", "computation", "parameters", "provenance")
    before = snapshot(indicator, fields)
    indicator.source = source
    indicator.computation = computation if source == Source.COMPUTED else ""
    indicator.parameters = parameters or {}
    indicator.provenance = provenance
    indicator.save()
    record_audit(
        indicator,
        action="indicator.configured",
        actor=by,
        before=before,
        after=snapshot(indicator, fields),
        plan_id=indicator.target.plan_id,
    )
    return indicator


def report_value_date(period: dt.date, today: dt.date) -> dt.date:
    """The date a report's value carries: the period's end, or today while the period runs (a value
    approved on 20 October for October is the latest value from that day on, not from 31 October)."""
    return min(period_end(period), max(period, today))


def record_report_values(report: Any) -> int:
    """Copy an approved report's values into its targets' series, one value per target and period."""
    date = report_value_date(report.period, clock.today())
    count = 0
    for reported in report.values.select_related("target"):
        indicator, _ = Indicator.objects.get_or_create(target=reported.target)
        if indicator.source == Source.COMPUTED:
            continue  # a computed indicator is fed by data, not by reports
        # A value of the same period approved earlier (and so dated earlier) gives way to this one.
        IndicatorValue.objects.filter(
            indicator=indicator,
            date__range=(report.period, period_end(report.period)),
            origin__startswith="report:",
        ).exclude(date=date).delete()
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            date=date,
            defaults={
                "value": reported.value,
                "origin": f"report:{report.pk}",
                "generated": report.generated,
            },
        )
        count += 1
    return count


@transaction.atomic
def evaluate_computed(plan: Plan, *, as_of: dt.date) -> dict[str, int]:
    """Run the plan's computed indicators up to `as_of` and store their values. Returns counts per name."""
    counts: dict[str, int] = {}
    for indicator in Indicator.objects.filter(target__plan=plan, source=Source.COMPUTED):
        computation = registry.get(indicator.computation)
        series = computation.compute(indicator.parameters, as_of)
        for date, value in series:
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                date=date,
                defaults={"value": value, "origin": f"computed:{computation.name}"},
            )
        counts[computation.name] = counts.get(computation.name, 0) + len(series)
    return counts


# --- attainment -------------------------------------------------------------------------------------

GREEN, AMBER, RED, UNKNOWN = "green", "amber", "red", "unknown"


def meets(value: Decimal, comparator: str, target: Decimal) -> bool:
    return {
        ">=": value >= target,
        ">": value > target,
        "=": value == target,
        "<=": value <= target,
        "<": value < target,
    }[comparator]


@dataclass(frozen=True)
class Attainment:
    rating: str  # green | amber | red | unknown
    latest: Decimal | None
    latest_date: dt.date | None
    projected: Decimal | None  # the trend's value at the deadline (or year end), where the series allows
    projected_date: dt.date | None
    met: bool


def project(series: Sequence[tuple[dt.date, Decimal]], when: dt.date) -> Decimal | None:
    """Least-squares straight line through the series, read at `when`. Needs three points on two dates."""
    if len(series) < 3 or len({d for d, _ in series}) < 2:
        return None
    origin = series[0][0]
    xs = [float((d - origin).days) for d, _ in series]
    ys = [float(v) for _, v in series]
    slope, intercept = statistics.linear_regression(xs, ys)
    return Decimal(str(round(intercept + slope * (when - origin).days, 6)))


def within_range(value: Decimal, unit_of_measure: str) -> Decimal:
    """A straight line can run below zero or past 100 %; the quantities of a plan cannot."""
    value = max(value, Decimal(0))
    return min(value, Decimal(100)) if unit_of_measure == "%" else value


def attainment(
    target: Target, series: Sequence[tuple[dt.date, Decimal]], *, today: dt.date, year_end: dt.date
) -> Attainment:
    """Red/amber/green of a target from its series.

    green: the latest value meets the target. red: it does not and the deadline has passed, or the trend
    will not reach it by the deadline. amber: not met yet, deadline ahead, and the trend reaches it (or
    there is no trend yet). unknown: no value.
    """
    points = sorted((d, v) for d, v in series if d <= today)
    deadline = target.deadline or year_end
    if not points:
        rating = RED if today > deadline else UNKNOWN
        return Attainment(rating, None, None, None, None, False)
    latest_date, latest = points[-1]
    met = meets(latest, target.comparator, target.value)
    projected = project(points, deadline) if not met and today <= deadline else None
    if projected is not None:
        projected = within_range(projected, target.unit_of_measure)
    if met:
        rating = GREEN
    elif today > deadline:
        rating = RED
    elif projected is not None and not meets(projected, target.comparator, target.value):
        rating = RED
    else:
        rating = AMBER
    return Attainment(
        rating, latest, latest_date, projected, deadline if projected is not None else None, met
    )


def series_by_target(targets: Iterable[Target]) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Every target's series in one query."""
    ids = [t.pk for t in targets]
    result: dict[int, list[tuple[dt.date, Decimal]]] = {i: [] for i in ids}
    rows = (
        IndicatorValue.objects.filter(indicator__target_id__in=ids)
        .values_list("indicator__target_id", "date", "value")
        .order_by("date")
    )
    for target_id, date, value in rows:
        result[target_id].append((date, value))
    return result


@transaction.atomic
def record_value(
    indicator: Indicator, *, by: Actor, date: dt.date, value: Decimal, note: str = ""
) -> IndicatorValue:
    """A value entered by hand: a milestone reached (1) or not (0), or a figure given by another body."""
    if indicator.source == Source.COMPUTED:
        raise ValueError("a computed indicator takes its values from data")
    row, created = IndicatorValue.objects.update_or_create(
        indicator=indicator, date=date, defaults={"value": value, "note": note, "origin": "manual"}
    )
    record_audit(
        indicator,
        action="indicator.value_recorded",
        actor=by,
        after={"date": date.isoformat(), "value": str(value), "note": note, "new": created},
        plan_id=indicator.target.plan_id,
    )
    return row
