"""The local engine: the pure functions on the whole frame, in this process (what the commands always did).

:class:`Engine` is what every engine offers; each method's result is documented by the pure function it
composes.
"""

from __future__ import annotations

from typing import Protocol

import polars as pl

from envplan.standards.air.stats import annual_evaluation, city_hourly, daily_aqi, daily_statistics
from envplan.standards.water.assess import Assessment, assess
from envplan.standards.water.periods import Every
from envplan.standards.water.rules import DEFAULT_RULES, WaterRules


class Engine(Protocol):
    name: str

    def air_daily(self, hourly: pl.DataFrame) -> pl.DataFrame:
        """``daily_aqi(daily_statistics(hourly))``: one row per station and day, sorted."""
        ...

    def air_annual(self, daily: pl.DataFrame, *, year: int) -> pl.DataFrame:
        """``annual_evaluation(daily, year=year)`` per station, sorted by station."""
        ...

    def air_city_annual(self, hourly: pl.DataFrame, *, year: int) -> pl.DataFrame:
        """The annual evaluation of each city's point-mean series (``city_hourly`` of the stations' hours,
        then ``daily_statistics``, ``daily_aqi``, ``annual_evaluation``); `station_code` holds the city."""
        ...

    def water_assess(
        self, samples: pl.DataFrame, *, every: Every, rules: WaterRules = DEFAULT_RULES
    ) -> Assessment:
        """``assess(samples, every=every, rules=rules)``: samples of one period."""
        ...

    def stop(self) -> None: ...


class LocalEngine:
    name = "local"

    def air_daily(self, hourly: pl.DataFrame) -> pl.DataFrame:
        return daily_aqi(daily_statistics(hourly)).sort("station_code", "date")

    def air_annual(self, daily: pl.DataFrame, *, year: int) -> pl.DataFrame:
        return annual_evaluation(daily, year=year).sort("station_code")

    def air_city_annual(self, hourly: pl.DataFrame, *, year: int) -> pl.DataFrame:
        series = daily_aqi(daily_statistics(city_hourly(hourly)))
        return annual_evaluation(series, year=year).sort("station_code")

    def water_assess(
        self, samples: pl.DataFrame, *, every: Every, rules: WaterRules = DEFAULT_RULES
    ) -> Assessment:
        return assess(samples, every=every, rules=rules)

    def stop(self) -> None:
        return None
