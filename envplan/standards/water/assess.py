"""Target attainment, I-III shares and river/basin status (环办〔2011〕22号)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from envplan.standards.water.classify import classify_samples
from envplan.standards.water.limits import (
    CLASS_III,
    ITEM_CODES,
    STATUS_BY_CLASS,
    STATUS_EN,
    STATUS_EXCELLENT,
    STATUS_GOOD,
    STATUS_HEAVY,
    STATUS_LIGHT,
    STATUS_MODERATE,
    WORSE_THAN_V,
)
from envplan.standards.water.periods import Every, item_mean, period_values
from envplan.standards.water.rules import DEFAULT_RULES, WaterRules


def meets_target() -> pl.Expr:
    """``class`` at or better than ``target_class`` (both ``WATER_CLASS``); null when either is null."""
    return pl.col("class").to_physical() <= pl.col("target_class").to_physical()


@dataclass(frozen=True, slots=True)
class Shares:
    """Counts and shares (percent, unrounded) of sections at or better than class III.

    ``official``: dry sections left out of numerator and denominator (CNEMC practice, e.g. the 2007 week-2
    weekly report: 49 of 83 sampled sections = 59.0 %). ``dry_counts_as_compliant``: the plan's rule,
    (N_I-III + N_dry) / (N_evaluated + N_dry). Shares are None when their denominator is zero.
    """

    evaluated: int
    iii_or_better: int
    worse_than_v: int
    dry: int
    official: float | None
    dry_counts_as_compliant: float | None
    worse_than_v_share: float | None


def section_shares(sections: pl.DataFrame) -> Shares:
    """Shares over a frame of sections with ``class`` (``WATER_CLASS``) and optional ``dry`` (Boolean).

    A section is evaluated when it has a class and is not dry; a section without a class that is not dry
    (nothing routine measured) counts nowhere.
    """
    dry = pl.col("dry").fill_null(False) if "dry" in sections.columns else pl.lit(False)
    rank = pl.col("class").to_physical().cast(pl.Int16) + 1
    evaluated = ~dry & pl.col("class").is_not_null()
    counts = sections.select(
        evaluated.sum().alias("evaluated"),
        (evaluated & (rank <= CLASS_III)).sum().alias("iii_or_better"),
        (evaluated & (rank == WORSE_THAN_V)).sum().alias("worse_than_v"),
        dry.sum().alias("dry"),
    ).row(0, named=True)
    n_evaluated = int(counts["evaluated"] or 0)
    n_good = int(counts["iii_or_better"] or 0)
    n_bad = int(counts["worse_than_v"] or 0)
    n_dry = int(counts["dry"] or 0)
    return Shares(
        evaluated=n_evaluated,
        iii_or_better=n_good,
        worse_than_v=n_bad,
        dry=n_dry,
        official=100.0 * n_good / n_evaluated if n_evaluated else None,
        dry_counts_as_compliant=(
            100.0 * (n_good + n_dry) / (n_evaluated + n_dry) if n_evaluated + n_dry else None
        ),
        worse_than_v_share=100.0 * n_bad / n_evaluated if n_evaluated else None,
    )


@dataclass(frozen=True, slots=True)
class BasinStatus:
    """Status of a river or basin. ``water_class`` is set by the mean method only."""

    method: Literal["class_share", "mean"]
    status: str
    sections_evaluated: int
    water_class: str | None = None

    @property
    def status_en(self) -> str:
        return STATUS_EN[self.status]


def class_share_status(shares: Shares, *, rules: WaterRules = DEFAULT_RULES) -> str:
    """Status by the class-share method of 环办〔2011〕22号.

    优 I-III ≥ 90 %; 良好 75-90 %; below 75 %: 轻度污染 when 劣V < 20 %, 中度污染 when 20 % ≤ 劣V < 40 %,
    重度污染 when 劣V ≥ 40 % and I-III < ``rules.heavy_share_below``.

    The recalled rule leaves I-III = 60 % with 劣V = 40 % uncovered; it is read as 中度污染 (the milder).
    Comparisons are done on counts, so 9 of 10 is exactly 90 %.
    """
    n = shares.evaluated
    if n == 0:
        raise ValueError("no evaluated section")
    good, bad = shares.iii_or_better, shares.worse_than_v
    if good * 100 >= 90 * n:
        return STATUS_EXCELLENT
    if good * 100 >= 75 * n:
        return STATUS_GOOD
    if bad * 100 >= 40 * n and good * 100 < rules.heavy_share_below * n:
        return STATUS_HEAVY
    if bad * 100 >= 20 * n:
        return STATUS_MODERATE
    return STATUS_LIGHT


def basin_status(sections: pl.DataFrame, *, rules: WaterRules = DEFAULT_RULES) -> BasinStatus | None:
    """Status of the river/basin formed by ``sections`` (classified period values, one row per section).

    With at least ``rules.min_sections_for_class_share`` evaluated sections: class-share method. Otherwise
    the mean method: each item is averaged over the evaluated sections (pH via [H+]), the means are
    classified by the single-factor method, and the class gives the status (I-II 优 … 劣V 重度污染). The mean
    uses lake limits only when every section is a lake or reservoir. None when no section was evaluated.
    """
    shares = section_shares(sections)
    if shares.evaluated == 0:
        return None
    if shares.evaluated >= rules.min_sections_for_class_share:
        return BasinStatus("class_share", class_share_status(shares, rules=rules), shares.evaluated)
    dry = pl.col("dry").fill_null(False) if "dry" in sections.columns else pl.lit(False)
    evaluated = sections.filter(~dry & pl.col("class").is_not_null())
    present = [code for code in ITEM_CODES if code in evaluated.columns]
    all_lakes = (evaluated.get_column("waterbody").cast(pl.String) == "lake").all()
    means = evaluated.select(
        pl.lit("lake" if all_lakes else "river").alias("waterbody"),
        *(item_mean(code, pl.col(code).cast(pl.Float64)).alias(code) for code in present),
    )
    water_class = classify_samples(means).get_column("class").cast(pl.String).item()
    if water_class is None:
        return None
    return BasinStatus("mean", STATUS_BY_CLASS[water_class], shares.evaluated, water_class)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Result of :func:`assess`.

    ``sections``: one row per monitoring section (see :func:`assess` for the schema).
    """

    sections: pl.DataFrame
    shares: Shares
    status: BasinStatus | None


def assess(
    samples: pl.DataFrame | pl.LazyFrame,
    *,
    every: Every,
    rules: WaterRules = DEFAULT_RULES,
) -> Assessment:
    """Assess the sections of one period (month, quarter or year) from their samples.

    ``samples`` must all fall in one period (filter first); schema as for :func:`period_values`. The sections
    frame is the period values classified (:func:`classify_samples`) plus ``meets_target`` (Boolean: class at
    or better than ``target_class``; null without a target, for dry sections and sections without a class).
    """
    values = period_values(samples, every=every)
    if values.get_column("period").n_unique() > 1:
        raise ValueError("samples span more than one period; filter them to one period first")
    sections = classify_samples(values)
    if "target_class" in sections.columns:
        sections = sections.with_columns(meets_target().alias("meets_target"))
    else:
        sections = sections.with_columns(pl.lit(None, pl.Boolean).alias("meets_target"))
    return Assessment(sections, section_shares(sections), basin_status(sections, rules=rules))
