"""A forecast of daily AQI for a region: consecutive days, checked on the way in."""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from envplan.standards.textfiles import read_text


class ForecastError(ValueError):
    """A forecast that cannot be assessed; the message names the file, the line and the field."""


@dataclass(frozen=True)
class Forecast:
    """Predicted daily AQI on consecutive days from ``start``."""

    start: date
    aqi: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.aqi:
            raise ForecastError("a forecast has at least one day")
        for index, value in enumerate(self.aqi):
            if not math.isfinite(value) or value < 0:
                raise ForecastError(f"{self.day(index)}: AQI {value!r} is not a non-negative number")

    @property
    def end(self) -> date:
        return self.day(len(self.aqi) - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    @classmethod
    def from_days(cls, days: Iterable[tuple[date, float]]) -> Forecast:
        """From (date, AQI) pairs, which must follow each other day by day."""
        pairs = list(days)
        if not pairs:
            raise ForecastError("a forecast has at least one day")
        for (previous, _), (current, _) in itertools.pairwise(pairs):
            _check_next(previous, current)
        return cls(pairs[0][0], tuple(float(aqi) for _, aqi in pairs))


def _check_next(previous: date, current: date, where: str = "") -> None:
    expected = previous + timedelta(days=1)
    if current == expected:
        return
    if current == previous:
        raise ForecastError(f"{where}date: {current} appears twice")
    if current < previous:
        raise ForecastError(f"{where}date: {current} comes after {previous}: dates must be in order")
    last_missing = current - timedelta(days=1)
    missing = str(expected) if expected == last_missing else f"{expected} to {last_missing}"
    raise ForecastError(f"{where}date: missing day(s) {missing} before {current}")


def read_forecast_csv(source: str | Path | bytes, *, name: str | None = None) -> Forecast:
    """Read ``date,aqi`` (UTF-8, header first; other columns are ignored) into a forecast.

    The first problem raises ``ForecastError`` as ``FILE:LINE: FIELD: message``.
    """
    label = name or ("<stdin>" if isinstance(source, bytes) else str(source))
    text = read_text(source, label=label, error=ForecastError)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ForecastError(f"{label}: empty file: expected a header line 'date,aqi'")
    columns = [column.strip().lower() for column in header]
    for needed in ("date", "aqi"):
        if needed not in columns:
            raise ForecastError(f"{label}:1: header: no '{needed}' column (expected 'date,aqi')")
    date_at, aqi_at = columns.index("date"), columns.index("aqi")
    days: list[tuple[date, float]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{label}:{line}: "
        day = _parse_date(_cell(row, date_at), where)
        aqi = _parse_aqi(_cell(row, aqi_at), where)
        if days:
            _check_next(days[-1][0], day, where)
        days.append((day, aqi))
    if not days:
        raise ForecastError(f"{label}: no forecast days after the header")
    return Forecast(days[0][0], tuple(aqi for _, aqi in days))


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _parse_date(text: str, where: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ForecastError(f"{where}date: {text!r} is not a date (YYYY-MM-DD)") from None


def _parse_aqi(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ForecastError(f"{where}aqi: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ForecastError(f"{where}aqi: {text!r} is not a non-negative number")
    return value
