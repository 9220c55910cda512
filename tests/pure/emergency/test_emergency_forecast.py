"""Reading a forecast: consecutive days in order, numbers only, one clear message for the first problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from envplan.standards.emergency import Forecast, ForecastError, read_forecast_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forecast.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_read_forecast_csv_reads_days_and_values(tmp_path: Path):
    path = write(tmp_path, "\ufeffregion, date ,AQI\nKundulun,2025-01-01,180\nKundulun,2025-01-02,201.5\n\n")

    assert read_forecast_csv(path) == Forecast(date(2025, 1, 1), (180.0, 201.5))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty file: expected a header line 'date,aqi'", id="empty"),
        pytest.param(
            "date,value\n2025-01-01,1\n", "1: header: no 'aqi' column (expected 'date,aqi')", id="no-aqi"
        ),
        pytest.param("date,aqi\n", "no forecast days after the header", id="header-only"),
        pytest.param("date,aqi\n2025-01-01,high\n", "2: aqi: 'high' is not a number", id="text"),
        pytest.param("date,aqi\n2025-01-01,\n", "2: aqi: '' is not a number", id="empty-aqi"),
        pytest.param("date,aqi\n2025-01-01,-5\n", "2: aqi: '-5' is not a non-negative number", id="negative"),
        pytest.param("date,aqi\n2025-01-01,nan\n", "2: aqi: 'nan' is not a non-negative number", id="nan"),
        pytest.param(
            "date,aqi\n2025/01/01,100\n", "2: date: '2025/01/01' is not a date (YYYY-MM-DD)", id="slashes"
        ),
        pytest.param(
            "date,aqi\n20250101,100\n", "2: date: '20250101' is not a date (YYYY-MM-DD)", id="compact"
        ),
        pytest.param(
            "date,aqi\n2025-01-01,100\n2025-01-03,100\n",
            "3: date: missing day(s) 2025-01-02 before 2025-01-03",
            id="one-missing-day",
        ),
        pytest.param(
            "date,aqi\n2025-01-01,100\n2025-01-05,100\n",
            "3: date: missing day(s) 2025-01-02 to 2025-01-04 before 2025-01-05",
            id="missing-days",
        ),
        pytest.param(
            "date,aqi\n2025-01-02,100\n2025-01-01,100\n",
            "3: date: 2025-01-01 comes after 2025-01-02: dates must be in order",
            id="out-of-order",
        ),
        pytest.param(
            "date,aqi\n2025-01-01,100\n2025-01-01,120\n", "3: date: 2025-01-01 appears twice", id="twice"
        ),
    ],
)
def test_read_forecast_csv_refuses_bad_input(tmp_path: Path, text: str, message: str):
    path = write(tmp_path, text)

    with pytest.raises(ForecastError) as caught:
        read_forecast_csv(path)

    separator = "" if message[0].isdigit() else " "
    assert str(caught.value) == f"{path}:{separator}{message}"


def test_read_forecast_csv_refuses_other_encodings(tmp_path: Path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("日期,aqi\n".encode("gbk"))

    with pytest.raises(ForecastError) as caught:
        read_forecast_csv(path)

    assert str(caught.value) == f"{path}: not UTF-8 text"


def test_forecast_from_days_refuses_a_gap():
    days = [(date(2025, 1, 1), 100.0), (date(2025, 1, 3), 100.0)]

    with pytest.raises(ForecastError) as caught:
        Forecast.from_days(days)

    assert str(caught.value) == "date: missing day(s) 2025-01-02 before 2025-01-03"


def test_forecast_from_days_keeps_order_and_values():
    result = Forecast.from_days([(date(2024, 12, 31), 90), (date(2025, 1, 1), 210)])

    assert (result.start, result.end, result.aqi) == (date(2024, 12, 31), date(2025, 1, 1), (90.0, 210.0))
