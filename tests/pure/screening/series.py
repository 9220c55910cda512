"""Helpers for the screening tests: readings frames from arrays, and where the real UCI series are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from envplan.screening.model import READINGS_SCHEMA, TIME, ZONE

DATA = Path(__file__).resolve().parents[2] / "data" / "cems"
START = dt.datetime(2025, 3, 1)


def readings_of(
    channels: dict[tuple[str, str], np.ndarray],
    *,
    mn: str = "MN001",
    kind: str = "hourly",
    start: dt.datetime = START,
    step: dt.timedelta = dt.timedelta(hours=1),
    flags: dict[str, np.ndarray] | None = None,
) -> pl.DataFrame:
    """Readings (READINGS_SCHEMA) of one outlet: ``channels`` maps (factor, field) to values by slot
    (NaN: no row), ``flags`` maps a factor to its flag per slot (default N)."""
    parts = []
    for (factor, field), values in channels.items():
        size = values.size
        keep = np.isfinite(values)
        flag = (flags or {}).get(factor, np.full(size, "N"))
        times = [start + step * int(i) for i in np.flatnonzero(keep)]
        parts.append(
            pl.DataFrame(
                {
                    "mn": mn,
                    "kind": kind,
                    "time": times,
                    "factor": factor,
                    "field": field,
                    "value": values[keep],
                    "flag": np.asarray(flag)[keep],
                },
                schema_overrides={"time": pl.Datetime("us")},
            )
        )
    frame = pl.concat(parts)
    return frame.with_columns(pl.col("time").dt.replace_time_zone(ZONE).cast(TIME)).select(
        list(READINGS_SCHEMA)
    )


def noisy(size: int, *, seed: int, level: float = 50.0, wave: float = 8.0, noise: float = 2.0) -> np.ndarray:
    """A daily wave with noise, rounded to 0.1 (like an analyser reporting N5.1)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(size)
    return np.round(level + wave * np.sin(2 * np.pi * hours / 24.0) + rng.normal(0.0, noise, size), 1)


def load_like(size: int, *, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(
        130.0 + 10.0 * np.sin(2 * np.pi * np.arange(size) / 24.0 + 1.0) + rng.normal(0.0, 1.5, size), 2
    )


def spans(findings: pl.DataFrame, detector: str) -> list[tuple[str, str, dt.datetime, dt.datetime]]:
    """(mn, factor, start, end) of one detector's findings, naive local times, in time order."""
    chosen = findings.filter(pl.col("detector") == detector).sort("start")
    return [
        (row["mn"], row["factor"], row["start"].replace(tzinfo=None), row["end"].replace(tzinfo=None))
        for row in chosen.iter_rows(named=True)
    ]


def at(hour: int) -> dt.datetime:
    return START + dt.timedelta(hours=hour)
