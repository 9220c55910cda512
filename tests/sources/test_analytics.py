"""Screening on a small hand-checked series: exceedances (with the O2 conversion), validity rate, flags."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from envplan.hj212.rows import SCHEMA
from envplan.sources.analytics import (
    DEVICES_SCHEMA,
    LIMITS_SCHEMA,
    exceedance_events,
    flag_shares,
    month_windows,
    validity_rates,
)

CST = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2025, 1, 1, tzinfo=CST)


def hour(h: int) -> dt.datetime:
    return DAY + dt.timedelta(hours=h)


def rows(*values: tuple[int, str, str, float, str | None]) -> pl.DataFrame:
    """(hour, factor, field, value, flag) of device MN1 as frames_to_rows gives them."""
    return pl.DataFrame(
        {
            "mn": ["MN1"] * len(values),
            "kind": ["hour"] * len(values),
            "time": [hour(h) for h, *_ in values],
            "factor": [f for _, f, *_ in values],
            "field": [fi for _, _, fi, *_ in values],
            "value": [v for *_, v, _ in values],
            "flag": [flag for *_, flag in values],
            "code2017": [f for _, f, *_ in values],
            "st": ["31"] * len(values),
            "qn": [None] * len(values),
            "variants": [None] * len(values),
        },
        schema=SCHEMA,
    )


# SO2 limit 35 mg/m³ at 6 % O2 (ultra-low emission): hours 1-2 exceed, hour 3 is maintenance (not valid,
# breaks the event), hour 4 sent no ZsAvg: 26 × (21 − 6) / (21 − 11) = 39 exceeds, hour 5 equals the limit.
SERIES = rows(
    (0, "a21026", "Avg", 25.0, "N"),
    (0, "a21026", "ZsAvg", 30.0, "N"),
    (1, "a21026", "Avg", 30.0, "N"),
    (1, "a21026", "ZsAvg", 36.0, "N"),
    (2, "a21026", "Avg", 33.0, "N"),
    (2, "a21026", "ZsAvg", 40.0, "N"),
    (3, "a21026", "Avg", 41.0, "M"),
    (3, "a21026", "ZsAvg", 50.0, "M"),
    (4, "a21026", "Avg", 26.0, "N"),
    (4, "a19001", "Avg", 11.0, "N"),
    (5, "a21026", "Avg", 29.0, "N"),
    (5, "a21026", "ZsAvg", 35.0, "N"),
)
DEVICES = pl.DataFrame([("MN1", 10, 100)], schema=DEVICES_SCHEMA, orient="row")
LIMITS = pl.DataFrame([(10, "a21026", "ZsAvg", 35.0, 6.0)], schema=LIMITS_SCHEMA, orient="row")


def test_exceedance_events_group_consecutive_valid_hours_and_convert_to_reference_o2():
    events = exceedance_events(SERIES, devices=DEVICES, limits=LIMITS)

    assert events.select("outlet_id", "factor", "field", "start", "end", "max_value", "hours").rows() == [
        (10, "a21026", "ZsAvg", hour(1), hour(3), 40.0, 2),
        (10, "a21026", "ZsAvg", hour(4), hour(5), pytest.approx(39.0), 1),
    ]


def test_exceedance_events_compare_avg_when_the_limit_is_on_avg():
    limits = pl.DataFrame([(10, "a21026", "Avg", 30.0, None)], schema=LIMITS_SCHEMA, orient="row")

    events = exceedance_events(SERIES, devices=DEVICES, limits=limits)

    assert events.select("start", "hours", "max_value").rows() == [(hour(2), 1, 33.0)]


def test_validity_rate_counts_flag_n_hourly_values_over_expected_hours():
    rates = validity_rates(SERIES, devices=DEVICES, limits=LIMITS, start=hour(0), end=hour(6))

    # 6 hours × 1 (device, factor) pair expected; hours 0, 1, 2, 4, 5 have an Avg flagged N
    assert rates.select("enterprise_id", "month", "expected", "valid").rows() == [
        (100, dt.date(2025, 1, 1), 6, 5)
    ]
    assert rates.get_column("rate").to_list() == [pytest.approx(500 / 6)]


def test_validity_rate_is_none_without_limits():
    no_limits = LIMITS.clear()

    rates = validity_rates(SERIES, devices=DEVICES, limits=no_limits, start=hour(0), end=hour(6))

    assert rates.height == 0


def test_flag_shares_per_enterprise_and_month():
    shares = flag_shares(SERIES, devices=DEVICES)

    # 7 hourly Avg values: 6 flagged N (five SO2, one O2) and one M
    row = shares.row(0, named=True)
    assert (row["enterprise_id"], row["month"], row["values"]) == (100, dt.date(2025, 1, 1), 7)
    assert (row["N"], row["M"], row["D"]) == (pytest.approx(6 / 7), pytest.approx(1 / 7), 0.0)


def test_month_windows_split_hours_at_month_boundaries():
    windows = month_windows(dt.datetime(2025, 1, 31, 22, tzinfo=CST), dt.datetime(2025, 2, 1, 3, tzinfo=CST))

    assert windows.rows() == [(dt.date(2025, 1, 1), 2), (dt.date(2025, 2, 1), 3)]
