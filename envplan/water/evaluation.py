"""Monthly and year-to-date results of the monitoring sections, computed from the samples in the lake.

Evaluations are computed on the fly rather than read back from a stored kind: they are a pure function of
the samples (GB 3838 single factor on period means, 环办〔2011〕22号), tiny (sections × months) and take
milliseconds, so a page or an indicator is never stale after an import or a correction. `evaluate_water`
(services) writes the same frames to the lake kind `water_evaluations` as the period's record.

Result frame (`section_results`): monitoring_section, basis (`month` | `ytd`), period (Date, first day of
the month; for `ytd` the year to date through that month), waterbody, target_class, n_samples, dry, the
item means, class (`WATER_CLASS`, null when dry or nothing routine was measured), main_pollutants
(List[String]), meets_target (null when dry or no class), generated (any sample made up by the demo).

The year-to-date class is the class of the means of the year's valid results so far (not the worst month);
a section is dry for the year to date only when no sample of the year had water (reference digest §4.3:
"annual mean over the months sampled; DRY only if none").
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from envplan.standards.water import (
    WATER_CLASS,
    Shares,
    classify_samples,
    meets_target,
    period_values,
    section_shares,
)

Basis = Literal["month", "ytd"]
BASES: tuple[Basis, ...] = ("month", "ytd")


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_of(year: int, *, through: dt.date) -> list[dt.date]:
    """First days of the months of `year` up to the month of `through`."""
    last = through.month if through.year == year else (12 if through.year > year else 0)
    return [dt.date(year, month, 1) for month in range(1, last + 1)]


def with_registry(samples: pl.DataFrame, targets: dict[str, str]) -> pl.DataFrame:
    """Keep the samples of the given sections and attach their target class from the registry."""
    return samples.filter(pl.col("monitoring_section").is_in(list(targets))).with_columns(
        pl.col("monitoring_section").replace_strict(targets, return_dtype=WATER_CLASS).alias("target_class")
    )


def _classified(values: pl.DataFrame, *, basis: Basis, generated: pl.DataFrame) -> pl.DataFrame:
    classified = classify_samples(values).with_columns(
        meets_target().alias("meets_target"), pl.lit(basis).alias("basis")
    )
    return classified.join(generated, on=["monitoring_section", "period"], how="left").with_columns(
        pl.col("generated").fill_null(False)
    )


def _generated(samples: pl.DataFrame, period: pl.Expr) -> pl.DataFrame:
    return samples.group_by("monitoring_section", period.alias("period")).agg(
        pl.col("generated").fill_null(False).any()
    )


def monitoring_section_results(
    samples: pl.DataFrame, *, year: int, through: dt.date, bases: Iterable[Basis] = BASES
) -> pl.DataFrame:
    """Monthly and year-to-date results of every section with samples (see the module docstring).

    `samples`: lake rows with `target_class` attached (`with_registry`), any dates; only the months of
    `year` up to the month of `through` are used.
    """
    months = months_of(year, through=through)
    if not months:
        return pl.DataFrame()
    start, stop = months[0], month_end(months[-1])
    rows = samples.filter(pl.col("time").dt.date().is_between(start, stop)).drop("import_id", strict=False)
    if rows.height == 0:
        return pl.DataFrame()
    month = pl.col("time").dt.truncate("1mo").cast(pl.Date)
    parts: list[pl.DataFrame] = []
    wanted = set(bases)
    if "month" in wanted:
        values = period_values(rows.drop("generated"), every="month")
        parts.append(_classified(values, basis="month", generated=_generated(rows, month)))
    if "ytd" in wanted:
        for first in months:
            window = rows.filter(pl.col("time").dt.date() <= month_end(first))
            if window.height == 0:
                continue
            values = period_values(window.drop("generated"), every="year").with_columns(
                pl.lit(first).alias("period")
            )
            flags = window.group_by("monitoring_section").agg(pl.col("generated").fill_null(False).any())
            parts.append(
                _classified(values, basis="ytd", generated=flags.with_columns(pl.lit(first).alias("period")))
            )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="diagonal_relaxed").sort("basis", "period", "monitoring_section")


@dataclass(frozen=True)
class PeriodShares:
    """The I-III shares and drinking-water compliance of one period (month or year to date)."""

    basis: Basis
    period: dt.date
    shares: Shares
    drinking_compliant: int
    drinking_evaluated: int
    drinking_dry: int

    @property
    def drinking_compliance(self) -> float | None:
        if not self.drinking_evaluated:
            return None
        return 100.0 * self.drinking_compliant / self.drinking_evaluated


def period_shares(results: pl.DataFrame, *, drinking: Iterable[str]) -> list[PeriodShares]:
    """Shares per basis and period over the sections in `results` (one row per section and period).

    Drinking-water compliance: drinking-water sources whose class meets their target class over those
    evaluated; a dry source (no water to drink) is left out, as dry sections are in the official share.
    """
    if results.height == 0:
        return []
    sources = list(drinking)
    out: list[PeriodShares] = []
    for (basis, period), frame in results.partition_by(
        ["basis", "period"], as_dict=True, maintain_order=True
    ).items():
        assert isinstance(period, dt.date)
        source_rows = frame.filter(
            pl.col("monitoring_section").is_in(sources), ~pl.col("dry"), pl.col("class").is_not_null()
        )
        out.append(
            PeriodShares(
                basis="ytd" if basis == "ytd" else "month",
                period=period,
                shares=section_shares(frame),
                drinking_compliant=int(source_rows.get_column("meets_target").fill_null(False).sum()),
                drinking_evaluated=source_rows.height,
                drinking_dry=frame.filter(pl.col("monitoring_section").is_in(sources), pl.col("dry")).height,
            )
        )
    return sorted(out, key=lambda item: (item.basis, item.period))
