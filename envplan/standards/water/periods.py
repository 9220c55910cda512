"""Period values (month, quarter, year) of monitoring sections: means of the period's valid results."""

from __future__ import annotations

from typing import Final, Literal

import polars as pl

from envplan.standards.water.limits import ITEM_CODES

Every = Literal["month", "quarter", "year"]
_TRUNCATE: Final[dict[Every, str]] = {"month": "1mo", "quarter": "1q", "year": "1y"}


def ph_mean(ph: pl.Expr) -> pl.Expr:
    """Mean pH through hydrogen-ion concentration: -log10(mean(10^-pH)).

    环办监测函〔2020〕82号 (地表水环境质量监测数据统计技术规定): pH is averaged as [H+], not arithmetically.
    """
    return -((pl.lit(10.0) ** (-ph)).mean().log10())


def item_mean(code: str, values: pl.Expr) -> pl.Expr:
    """Arithmetic mean of the valid (non-null) results of one item; pH through [H+]."""
    return ph_mean(values) if code == "ph" else values.mean()


def period_values(
    samples: pl.DataFrame | pl.LazyFrame,
    *,
    every: Every,
    by: tuple[str, ...] = ("monitoring_section",),
) -> pl.DataFrame:
    """Mean of each item per monitoring section and period (环办〔2011〕22号: arithmetic means of the period).

    Input: ``monitoring_section`` (String), ``time`` (Date or Datetime), ``waterbody``, item columns (Float64,
    null = not measured), optional ``dry`` (Boolean: no water at sampling time), optional ``target_class``.
    Output, one row per section and period in order of first appearance: the ``by`` columns, ``period``
    (Date, first day of the period), ``waterbody`` (first value), ``target_class`` (first non-null, when
    present), ``n_samples`` (UInt32, rows that were not dry), ``dry`` (Boolean: no sample with water in the
    period), then the mean of each item present (dry rows excluded; pH via [H+]).

    Quarterly and annual classes are therefore classes of the means, never the worst month. No minimum number
    of samples is enforced (the counts recalled for the 2011 method are unverified); ``n_samples`` lets the
    caller apply one.
    """
    lazy = samples.lazy()
    names = lazy.collect_schema().names()
    present = [code for code in ITEM_CODES if code in names]
    if "dry" not in names:
        lazy = lazy.with_columns(pl.lit(False).alias("dry"))
    wet = ~pl.col("dry").fill_null(False)
    aggregations: list[pl.Expr] = [pl.col("waterbody").first()]
    if "target_class" in names:
        aggregations.append(pl.col("target_class").drop_nulls().first())
    aggregations.append(wet.sum().cast(pl.UInt32).alias("n_samples"))
    aggregations.append((wet.sum() == 0).alias("dry"))
    aggregations.extend(
        item_mean(code, pl.col(code).cast(pl.Float64).fill_nan(None).filter(wet)).alias(code)
        for code in present
    )
    period = pl.col("time").dt.truncate(_TRUNCATE[every]).cast(pl.Date).alias("period")
    return (
        lazy.with_columns(period).group_by([*by, "period"], maintain_order=True).agg(aggregations).collect()
    )
