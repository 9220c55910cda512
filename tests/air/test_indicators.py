"""City year-to-date indicators against small hand-checked series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.conf import settings

from envplan.air import indicators
from envplan.indicators import registry
from envplan.lake import Lake

STATS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h")
LOW = {"pm10": 20.0, "so2": 5.0, "no2": 10.0, "co": 0.3, "o3_8h": 50.0, "o3_1h": 60.0}


def daily_rows(values: list[tuple[str, str, dt.date, float]]) -> pl.DataFrame:
    """Station-day rows as the evaluation stores them: every statistic valid, only PM2.5 varies."""
    records = []
    for code, city, day, pm25 in values:
        record: dict[str, object] = {"station_code": code, "city": city, "date": day, "pm25": pm25, **LOW}
        record.update({f"valid_{s}": True for s in STATS})
        record["generated"] = False
        records.append(record)
    return pl.DataFrame(records)


@pytest.fixture
def series() -> None:
    jan, feb = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    rows = []
    # City daily PM2.5 (mean of A and B): 35, 55, 110, 210 in January, 25 on 1 February.
    for offset, (a, b) in enumerate([(30, 40), (50, 60), (100, 120), (200, 220)]):
        rows += [
            ("A", "Baotou", jan + dt.timedelta(days=offset), a),
            ("B", "Baotou", jan + dt.timedelta(days=offset), b),
        ]
    rows += [("A", "Baotou", feb, 20), ("B", "Baotou", feb, 30), ("C", "Elsewhere", feb, 500)]
    Lake(settings.LAKE_URL).append("air_daily", daily_rows(rows), date_column="date")


AS_OF = dt.date(2025, 2, 10)


def test_pm25_ytd_mean_rounds_half_to_even(series):
    result = indicators.pm25_ytd_mean({"city": "Baotou"}, AS_OF)

    # January: (35 + 55 + 110 + 210) / 4 = 102.5 -> 102 (GB/T 8170); to 10 Feb: 435 / 5 = 87.
    assert result == [(dt.date(2025, 1, 31), Decimal("102.0")), (AS_OF, Decimal("87.0"))]


def test_good_days_ratio_ytd_counts_aqi_up_to_100(series):
    result = indicators.good_days_ratio_ytd({"city": "Baotou"}, AS_OF)

    # City AQI (PM2.5 24-h, HJ 633-2012): 35 -> 50, 55 -> 75, 110 -> 144, 210 -> 260, 25 -> 36.
    assert result == [(dt.date(2025, 1, 31), Decimal("50.0")), (AS_OF, Decimal("60.0"))]


def test_heavy_pollution_share_ytd_counts_aqi_above_200(series):
    result = indicators.heavy_pollution_days_share_ytd({"city": "Baotou"}, AS_OF)

    assert result == [(dt.date(2025, 1, 31), Decimal("25.0")), (AS_OF, Decimal("20.0"))]


def test_indicator_of_a_city_without_data_is_empty(series):
    assert indicators.pm25_ytd_mean({"city": "Nowhere"}, AS_OF) == []


def test_indicators_are_registered_under_their_names(db):
    names = ["air.good_days_ratio_ytd", "air.heavy_pollution_days_share_ytd", "air.pm25_ytd_mean"]

    assert [registry.get(name).unit_of_measure for name in names] == ["%", "%", "µg/m³"]
