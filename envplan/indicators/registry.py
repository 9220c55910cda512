"""Computed indicators: functions over data that other apps (air, water, sources) register here.

A computation takes the indicator's parameters and a date and returns the dated values it can give up to
that date. Apps register in their AppConfig.ready():

    from envplan.indicators.registry import register
    register("air.pm25_annual_mean", label=_("PM2.5 year-to-date mean"), unit_of_measure="µg/m³",
             compute=pm25_year_to_date)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Series = list[tuple[dt.date, Decimal]]
Compute = Callable[[Mapping[str, Any], dt.date], Series]


@dataclass(frozen=True)
class Computation:
    name: str
    label: str
    unit_of_measure: str
    compute: Compute


REGISTRY: dict[str, Computation] = {}


class UnknownComputation(KeyError):
    pass


def register(name: str, *, label: Any, unit_of_measure: str, compute: Compute) -> None:
    """Register a computation under a dotted name; registering the same name twice is a mistake."""
    if name in REGISTRY and REGISTRY[name].compute is not compute:
        raise ValueError(f"computation {name!r} is already registered")
    REGISTRY[name] = Computation(
        name=name, label=str(label), unit_of_measure=unit_of_measure, compute=compute
    )


def get(name: str) -> Computation:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownComputation(name) from None


def choices() -> list[tuple[str, str]]:
    return sorted((name, computation.label) for name, computation in REGISTRY.items())
