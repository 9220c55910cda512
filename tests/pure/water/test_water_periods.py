"""Period values: means of valid results, pH through [H+], dry sections. Hand-checked."""

from __future__ import annotations

import math
from datetime import datetime

import polars as pl
import pytest

from envplan.standards.water import classify_samples, period_values


def _samples(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema_overrides={
            "time": pl.Datetime("us"),
            "ph": pl.Float64,
            "codmn": pl.Float64,
            "nh3n": pl.Float64,
        },
    )


def test_period_values_ph_mean_goes_through_hydrogen_ion_concentration() -> None:
    samples = _samples(
        [
            {"monitoring_section": "a", "time": datetime(2024, 3, 1), "waterbody": "river", "ph": 6.0},
            {"monitoring_section": "a", "time": datetime(2024, 9, 1), "waterbody": "river", "ph": 8.0},
        ]
    )

    values = period_values(samples, every="year")

    # [H+] = (1e-6 + 1e-8) / 2 = 5.05e-7 -> pH 6.2967, not the arithmetic 7.0.
    assert values.get_column("ph").item() == pytest.approx(-math.log10(5.05e-7))
    assert values.get_column("ph").item() == pytest.approx(6.2967, abs=1e-4)


def test_period_values_ph_mean_can_leave_the_6_to_9_range_where_the_arithmetic_mean_does_not() -> None:
    samples = _samples(
        [
            {"monitoring_section": "a", "time": datetime(2024, 3, 1), "waterbody": "river", "ph": 5.0},
            {"monitoring_section": "a", "time": datetime(2024, 9, 1), "waterbody": "river", "ph": 9.0},
        ]
    )

    values = classify_samples(period_values(samples, every="year"))

    # (1e-5 + 1e-9) / 2 -> pH 5.30: outside 6-9, so the year is 劣V (the arithmetic mean 7.0 would not be).
    assert values.get_column("ph").item() == pytest.approx(5.301, abs=1e-3)
    assert values.get_column("class").cast(pl.String).item() == "劣V"


def test_period_values_annual_class_is_the_class_of_the_means_not_the_worst_month() -> None:
    samples = _samples(
        [
            {
                "monitoring_section": "a",
                "time": datetime(2024, month, 15),
                "waterbody": "river",
                "codmn": codmn,
            }
            for month, codmn in ((1, 3.0), (2, 9.0), (3, 3.0))
        ]
    )

    monthly = classify_samples(period_values(samples, every="month"))
    annual = classify_samples(period_values(samples, every="year"))

    # Months: II, IV, II. Year: mean CODMn 5.0 -> III.
    assert monthly.get_column("class").cast(pl.String).to_list() == ["II", "IV", "II"]
    assert annual.get_column("codmn").item() == 5.0
    assert annual.get_column("class").cast(pl.String).item() == "III"


def test_period_values_mean_ignores_unmeasured_results() -> None:
    samples = _samples(
        [
            {"monitoring_section": "a", "time": datetime(2024, 1, 5), "waterbody": "river", "nh3n": 0.4},
            {"monitoring_section": "a", "time": datetime(2024, 1, 20), "waterbody": "river", "nh3n": None},
            {"monitoring_section": "a", "time": datetime(2024, 1, 25), "waterbody": "river", "nh3n": 0.8},
        ]
    )

    values = period_values(samples, every="month")

    assert values.get_column("nh3n").item() == pytest.approx(0.6)
    assert values.get_column("n_samples").item() == 3


def test_period_values_quarters_group_three_months() -> None:
    samples = _samples(
        [
            {
                "monitoring_section": "a",
                "time": datetime(2024, month, 1),
                "waterbody": "river",
                "nh3n": float(month),
            }
            for month in (1, 3, 4, 6)
        ]
    )

    values = period_values(samples, every="quarter")

    assert values.select(pl.col("period").cast(pl.String), "nh3n").rows() == [
        ("2024-01-01", 2.0),
        ("2024-04-01", 5.0),
    ]


def test_period_values_section_is_dry_only_when_no_sample_had_water() -> None:
    samples = pl.DataFrame(
        {
            "monitoring_section": ["wet", "wet", "dry"],
            "time": [datetime(2024, 1, 1), datetime(2024, 2, 1), datetime(2024, 1, 1)],
            "waterbody": ["river"] * 3,
            "dry": [True, False, True],
            "nh3n": [None, 0.4, None],
        }
    )

    values = classify_samples(period_values(samples, every="year"))

    assert values.select(
        "monitoring_section", "dry", "n_samples", pl.col("class").cast(pl.String)
    ).rows() == [
        ("wet", False, 1, "II"),
        ("dry", True, 0, None),
    ]
