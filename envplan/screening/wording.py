"""The wording of the detectors' English explanations: numbers, shares, durations, moments and
recurrences as text (polars expressions). envplan.cases writes the same sentences in the reader's language
from a finding's evidence."""

from __future__ import annotations

import polars as pl

from envplan.screening.model import ZONE


def number(value: pl.Expr, decimals: int = 1) -> pl.Expr:
    """A number as text for an explanation: rounded, without a trailing `.0`."""
    text = value.round(decimals).cast(pl.String)
    return pl.when(text.str.ends_with(".0")).then(text.str.strip_suffix(".0")).otherwise(text)


def percent(share: pl.Expr, decimals: int = 0) -> pl.Expr:
    """A share as a percentage; one more decimal below 10 % so that small changes do not read as 0."""
    hundred = share * 100.0
    return pl.format(
        "{} %",
        pl.when(hundred.abs() < 10.0)
        .then(number(hundred, decimals + 1))
        .otherwise(number(hundred, decimals)),
    )


def duration(points: pl.Expr, step_ms: pl.Expr) -> pl.Expr:
    """Slots x step as `N h` (or `N min` below an hour, `N d` from three days on)."""
    hours = points.cast(pl.Float64) * step_ms.cast(pl.Float64) / 3_600_000.0
    return (
        pl.when(hours < 1.0)
        .then(pl.format("{} min", number(hours * 60.0, 0)))
        .when(hours < 72.0)
        .then(pl.format("{} h", number(hours, 1)))
        .otherwise(pl.format("{} d", number(hours / 24.0, 1)))
    )


def moment(ms: pl.Expr) -> pl.Expr:
    """Milliseconds since the epoch -> local date-time text for explanations (YYYY-MM-DD HH:MM)."""
    return ms.cast(pl.Datetime("ms", "UTC")).dt.convert_time_zone(ZONE).dt.strftime("%Y-%m-%d %H:%M")


def recurrence(log10_slots: pl.Expr, step_ms: pl.Expr) -> pl.Expr:
    """`once in about N years` (or days, hours) for an event expected once in 10**log10_slots slots."""
    hours = pl.lit(10.0).pow(log10_slots.clip(upper_bound=12.0)) * step_ms.cast(pl.Float64) / 3_600_000.0
    years = hours / 8760.0
    return (
        pl.when(years >= 1000.0)
        .then(pl.lit("less than once in a thousand years"))
        .when(years >= 2.0)
        .then(pl.format("about once in {} years", number(years, 0)))
        .when(hours >= 72.0)
        .then(pl.format("about once in {} days", number(hours / 24.0, 0)))
        .otherwise(pl.format("about once in {} h", number(hours, 0)))
    )
