"""Hand-made AQI forecasts for the warning-level tests."""

from __future__ import annotations

from datetime import date

from envplan.standards.emergency import Forecast

START = date(2025, 1, 1)


def forecast(*aqi: float, start: date = START) -> Forecast:
    """Daily AQI forecasts from `start`, one a day."""
    return Forecast(start, tuple(float(value) for value in aqi))
