"""Reads for the water pages: the sections table, a section's trend, the plan's water indicators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from envplan.indicators.models import Indicator, Source
from envplan.indicators.target_rows import TargetRow, target_rows
from envplan.standards.water import ITEM_BY_CODE, ROUTINE_CODES, STATUS_BY_CLASS
from envplan.water import evaluation, indicators
from envplan.water import lake as water_lake
from envplan.water.evaluation import PeriodShares
from envplan.water.models import MonitoringSection

CLASS_III_INDEX = 2  # GB 3838-2002 Table 1 limits are listed class I … V
#: Items a trend chart can show: routine items with class limits (pH has a range, not a limit).
CHART_ITEMS = tuple(code for code in ROUTINE_CODES if code != "ph")


@dataclass
class Result:
    """One section's result for one period."""

    water_class: str | None = None
    dry: bool = False
    meets_target: bool | None = None
    main_pollutants: list[str] = field(default_factory=list)
    n_samples: int = 0
    generated: bool = False
    values: dict[str, float | None] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return STATUS_BY_CLASS.get(self.water_class or "", "")


def _result(record: dict[str, Any]) -> Result:
    return Result(
        water_class=record.get("class"),
        dry=bool(record.get("dry")),
        meets_target=record.get("meets_target"),
        main_pollutants=list(record.get("main_pollutants") or []),
        n_samples=int(record.get("n_samples") or 0),
        generated=bool(record.get("generated")),
        values={code: record.get(code) for code in CHART_ITEMS},
    )


def year_results(
    monitoring_sections: list[MonitoringSection], *, year: int, through: dt.date
) -> pl.DataFrame:
    """Monthly and year-to-date results of the given sections (see envplan.water.evaluation)."""
    targets = {
        monitoring_section.code: monitoring_section.target_class for monitoring_section in monitoring_sections
    }
    if not targets:
        return pl.DataFrame()
    samples = evaluation.with_registry(
        water_lake.samples(start=dt.date(year, 1, 1), end=evaluation.month_end(dt.date(year, 12, 1))), targets
    )
    return evaluation.monitoring_section_results(samples, year=year, through=through)


def _by_monitoring_section(results: pl.DataFrame, basis: str, period: dt.date | None) -> dict[str, Result]:
    if results.height == 0 or period is None:
        return {}
    rows = results.filter(pl.col("basis") == basis, pl.col("period") == period)
    return {
        record["monitoring_section"]: _result(record)
        for record in rows.with_columns(pl.col("class").cast(pl.String)).iter_rows(named=True)
    }


def latest_period(results: pl.DataFrame, basis: str = "month") -> dt.date | None:
    if results.height == 0:
        return None
    value = results.filter(pl.col("basis") == basis).get_column("period").max()
    return value if isinstance(value, dt.date) else None


@dataclass
class MonitoringSectionRow:
    monitoring_section: MonitoringSection
    month: Result | None
    year_to_date: Result | None

    @property
    def generated(self) -> bool:
        return any(r is not None and r.generated for r in (self.month, self.year_to_date))


@dataclass
class MonitoringSectionsTable:
    rows: list[MonitoringSectionRow]
    month: dt.date | None
    year: int

    @property
    def generated(self) -> bool:
        return any(row.generated for row in self.rows)


def monitoring_sections_table(*, today: dt.date) -> MonitoringSectionsTable:
    """Every registered section with its latest month's result and its year-to-date result."""
    monitoring_sections = list(MonitoringSection.objects.all())
    results = year_results(monitoring_sections, year=today.year, through=today)
    month = latest_period(results)
    monthly = _by_monitoring_section(results, "month", month)
    to_date = _by_monitoring_section(results, "ytd", month)
    rows = [MonitoringSectionRow(s, monthly.get(s.code), to_date.get(s.code)) for s in monitoring_sections]
    return MonitoringSectionsTable(rows=rows, month=month, year=today.year)


@dataclass
class TrendMonth:
    month: dt.date
    result: Result | None


@dataclass
class Trend:
    monitoring_section: MonitoringSection
    year: int
    months: list[TrendMonth]
    item: str
    limit: float | None
    points: list[tuple[dt.date, float | None]]
    year_to_date: Result | None

    @property
    def generated(self) -> bool:
        return any(m.result is not None and m.result.generated for m in self.months)


def class_iii_limit(item: str, waterbody: str) -> float | None:
    limits = ITEM_BY_CODE[item].limits_for("lake" if waterbody == "lake" else "river")
    return float(limits[CLASS_III_INDEX]) if limits is not None else None


def monitoring_section_trend(
    monitoring_section: MonitoringSection, *, year: int, today: dt.date, item: str
) -> Trend:
    """The section's monthly classes of `year` (through `today` in the current year) and one item's
    monthly means against its class-III limit."""
    through = min(today, dt.date(year, 12, 31))
    results = year_results([monitoring_section], year=year, through=through)
    monthly = {
        record["period"]: _result(record)
        for record in (
            results.filter(pl.col("basis") == "month")
            .with_columns(pl.col("class").cast(pl.String))
            .to_dicts()
            if results.height
            else []
        )
    }
    months = [TrendMonth(m, monthly.get(m)) for m in evaluation.months_of(year, through=through)]
    points = [(m.month, m.result.values.get(item) if m.result and not m.result.dry else None) for m in months]
    last = latest_period(results, "ytd")
    ytd = _by_monitoring_section(results, "ytd", last).get(monitoring_section.code)
    return Trend(
        monitoring_section=monitoring_section,
        year=year,
        months=months,
        item=item,
        limit=class_iii_limit(item, monitoring_section.waterbody),
        points=points,
        year_to_date=ytd,
    )


@dataclass
class CountedMonitoringSection:
    monitoring_section: MonitoringSection
    result: Result | None

    @property
    def counted_official(self) -> bool:
        return self.result is not None and not self.result.dry and self.result.water_class is not None

    @property
    def counted_plan(self) -> bool:
        return self.result is not None and (self.result.dry or self.result.water_class is not None)

    @property
    def iii_or_better(self) -> bool:
        return (
            self.counted_official
            and self.result is not None
            and self.result.water_class in ("I", "II", "III")
        )


@dataclass
class ShareBlock:
    """The two I-III shares and the drinking-water compliance of one period, with the sections counted."""

    basis: str
    period: dt.date
    shares: PeriodShares
    monitoring_sections: list[CountedMonitoringSection]
    plan_rule: Decimal | None
    official: Decimal | None
    drinking: Decimal | None

    @property
    def drinking_monitoring_sections(self) -> list[CountedMonitoringSection]:
        return [row for row in self.monitoring_sections if row.monitoring_section.is_drinking_water_source]

    @property
    def generated(self) -> bool:
        return any(row.result is not None and row.result.generated for row in self.monitoring_sections)


@dataclass
class WaterIndicators:
    today: dt.date
    blocks: list[ShareBlock]
    targets: list[TargetRow]

    @property
    def generated(self) -> bool:
        return any(block.generated for block in self.blocks)


def water_indicators(*, today: dt.date) -> WaterIndicators:
    """Year to date and latest month: both I-III shares, drinking-water compliance, sections counted, and
    the plan targets fed by the water computations with their attainment."""
    monitoring_sections = list(MonitoringSection.objects.filter(active=True))
    results = year_results(monitoring_sections, year=today.year, through=today)
    drinking = [s.code for s in monitoring_sections if s.is_drinking_water_source]
    shares = {(s.basis, s.period): s for s in evaluation.period_shares(results, drinking=drinking)}
    month = latest_period(results)
    blocks = []
    for basis in ("ytd", "month"):
        item = shares.get((basis, month)) if month is not None else None
        if item is None or month is None:
            continue
        by_code = _by_monitoring_section(results, basis, month)
        blocks.append(
            ShareBlock(
                basis=basis,
                period=month,
                shares=item,
                monitoring_sections=[
                    CountedMonitoringSection(s, by_code.get(s.code)) for s in monitoring_sections
                ],
                plan_rule=indicators.percent(item.shares.dry_counts_as_compliant),
                official=indicators.percent(item.shares.official),
                drinking=indicators.percent(item.drinking_compliance),
            )
        )
    linked = (
        Indicator.objects.filter(source=Source.COMPUTED, computation__in=indicators.COMPUTATIONS)
        .select_related("target__plan", "target__task")
        .order_by("target__plan_id", "target__position")
    )
    cache: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {}
    computations = {
        indicators.PLAN_RULE: indicators.class_iii_share_plan_rule,
        indicators.OFFICIAL: indicators.class_iii_share_official,
        indicators.DRINKING: indicators.drinking_water_compliance,
    }

    def series_of(indicator: Indicator) -> list[tuple[dt.date, Decimal]]:
        key = (indicator.computation, repr(sorted((indicator.parameters or {}).items())))
        if key not in cache:
            cache[key] = computations[indicator.computation](indicator.parameters or {}, today)
        return cache[key]

    targets = target_rows(linked, series_of, today=today)
    return WaterIndicators(today=today, blocks=blocks, targets=targets)
