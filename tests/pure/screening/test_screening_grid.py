"""Readings laid on regular grids: steps, holes, channels of one outlet side by side."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from envplan.screening import readings_frame
from envplan.screening.grid import GridError, build_grid
from envplan.screening.model import NORMAL, STOPPED
from tests.pure.screening.series import readings_of


def test_grid_hourly_holes_are_empty_slots_and_channels_line_up() -> None:
    nox = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    o2 = np.array([np.nan, 6.1, 6.2, 6.3, np.nan])

    grid = build_grid(readings_of({("a21002", "Avg"): nox, ("a19001", "Avg"): o2}))

    assert grid.channels.select("factor", "role", "length", "offset").rows() == [
        ("a19001", "oxygen", 5, 0),
        ("a21002", "pollutant", 5, 5),
    ]
    np.testing.assert_array_equal(grid.value, [np.nan, 6.1, 6.2, 6.3, np.nan, 1.0, 2.0, np.nan, 4.0, 5.0])
    assert grid.flag.tolist() == [0, 1, 1, 1, 0, 1, 1, 0, 1, 1]
    assert grid.pos.tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]


def test_grid_minute_data_takes_the_commonest_gap_as_its_step() -> None:
    values = np.arange(30, dtype=np.float64)
    values[7] = np.nan  # a missing ten minutes

    grid = build_grid(readings_of({("a21002", "Avg"): values}, kind="minute", step=dt.timedelta(minutes=10)))

    assert grid.channels.select("step", "length").row(0) == (600_000, 30)
    assert int(np.isnan(grid.value).sum()) == 1


def test_grid_later_row_wins_and_flags_are_coded() -> None:
    frame = readings_of({("a21002", "Avg"): np.array([1.0, 2.0])}, flags={"a21002": np.array(["n", "F"])})
    again = frame.head(1).with_columns(pl.lit(9.0).alias("value"), pl.lit(None, pl.String).alias("flag"))

    grid = build_grid(pl.concat([frame, again]))

    assert grid.value.tolist() == [9.0, 2.0]
    assert grid.flag.tolist() == [NORMAL, STOPPED]


def test_grid_refuses_a_stray_date_far_from_the_data() -> None:
    frame = readings_of({("a21002", "Avg"): np.ones(10)})
    stray = frame.head(1).with_columns(pl.col("time") + pl.duration(days=3650))

    with pytest.raises(GridError, match="check for a stray date"):
        build_grid(pl.concat([frame, stray]))


def test_readings_frame_takes_naive_times_as_china_standard_time() -> None:
    frame = readings_of({("a21002", "Avg"): np.ones(2)}).with_columns(
        pl.col("time").dt.replace_time_zone(None)
    )

    typed = readings_frame(frame)

    assert typed.item(0, "time").isoformat() == "2025-03-01T00:00:00+08:00"
