"""The local engine: the pure functions on the whole frame, in this process (what the commands always did).

:class:`Engine` is what every engine offers; each method's result is documented by the pure function it
composes. Screening is the same on every engine but for where the scan runs: :meth:`Engine.screen` computes
what every outlet shares once (:class:`OutletScreening`) and ranks the findings; each engine's
:meth:`Engine.scan_outlets` runs the scan.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import polars as pl

from envplan.screening.baselines import industry_baselines
from envplan.screening.options import ScanOptions
from envplan.screening.scan import baselines_of, rank, scan
from envplan.standards.air.stats import annual_evaluation, city_hourly, daily_aqi, daily_statistics
from envplan.standards.water.assess import Assessment, assess
from envplan.standards.water.periods import Every
from envplan.standards.water.rules import DEFAULT_RULES, WaterRules


class Engine(ABC):
    name: str

    @abstractmethod
    def air_daily(self, hourly: pl.DataFrame) -> pl.DataFrame:
        """``daily_aqi(daily_statistics(hourly))``: one row per station and day, sorted."""

    @abstractmethod
    def air_annual(self, daily: pl.DataFrame, *, year: int) -> pl.DataFrame:
        """``annual_evaluation(daily, year=year)`` per station, sorted by station."""

    @abstractmethod
    def air_city_annual(self, hourly: pl.DataFrame, *, year: int) -> pl.DataFrame:
        """The annual evaluation of each city's point-mean series (``city_hourly`` of the stations' hours,
        then ``daily_statistics``, ``daily_aqi``, ``annual_evaluation``); `station_code` holds the city."""

    @abstractmethod
    def water_assess(
        self, samples: pl.DataFrame, *, every: Every, rules: WaterRules = DEFAULT_RULES
    ) -> Assessment:
        """``assess(samples, every=every, rules=rules)``: samples of one period."""

    def screen(
        self,
        readings: pl.DataFrame,
        *,
        limits: pl.DataFrame | None = None,
        history: pl.DataFrame | None = None,
        outlets: pl.DataFrame | None = None,
        maintenance: pl.DataFrame | None = None,
        options: ScanOptions | None = None,
    ) -> pl.DataFrame:
        """Screening findings (``scan``), ranked, with what is usual (the history's baselines) and the
        peers (industry baselines) computed once over every outlet (:func:`shared_context`), so that an
        outlet's findings do not depend on which outlets share its partition."""
        options = options or ScanOptions()
        shared = shared_context(readings, limits=limits, history=history, outlets=outlets, options=options)
        screening = OutletScreening(
            limits, shared.baselines, shared.industries, outlets, maintenance, options
        )
        return rank(self.scan_outlets(readings, screening))

    @abstractmethod
    def scan_outlets(self, readings: pl.DataFrame, screening: OutletScreening) -> pl.DataFrame:
        """``screening(readings)``: the findings of every outlet, in any order."""

    @abstractmethod
    def stop(self) -> None: ...


@dataclass(frozen=True)
class ScreeningContext:
    baselines: pl.DataFrame | None
    industries: pl.DataFrame | None


def shared_context(
    readings: pl.DataFrame,
    *,
    limits: pl.DataFrame | None,
    history: pl.DataFrame | None,
    outlets: pl.DataFrame | None,
    options: ScanOptions,
) -> ScreeningContext:
    """The history's baselines, and the industries' baselines from them (or, without a history, from
    the readings' own channels), for every outlet at once."""
    baselines = baselines_of(history, options, limits=limits) if history is not None else None
    industries = None
    if outlets is not None:
        basis = baselines if baselines is not None else baselines_of(readings, options, limits=limits)
        industries = industry_baselines(basis, outlets)
    return ScreeningContext(baselines, industries)


@dataclass(frozen=True)
class OutletScreening:
    """The scan of some outlets' readings, with what every outlet shares computed once."""

    limits: pl.DataFrame | None
    baselines: pl.DataFrame | None
    industries: pl.DataFrame | None
    outlets: pl.DataFrame | None
    maintenance: pl.DataFrame | None
    options: ScanOptions

    def __call__(self, readings: pl.DataFrame) -> pl.DataFrame:
        return scan(
            readings,
            limits=self.limits,
            baselines=self.baselines,
            industries=self.industries,
            outlets=self.outlets,
            maintenance=self.maintenance,
            options=self.options,
        )


class LocalEngine(Engine):
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

    def scan_outlets(self, readings: pl.DataFrame, screening: OutletScreening) -> pl.DataFrame:
        return screening(readings)

    def stop(self) -> None:
        return None
