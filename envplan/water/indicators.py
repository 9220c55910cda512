"""Computed indicators of the plan's water targets, from the samples in the lake.

* `water.class_iii_share_plan_rule`: share of the assessed sections at class III or better, the plan's
  rule: dry sections count as compliant, (N_I-III + N_dry) / (N_evaluated + N_dry).
* `water.class_iii_share_official`: the same share by national practice: dry sections left out of both
  numerator and denominator (CNEMC reports; reference digest §4.3).
* `water.drinking_water_compliance`: drinking-water sources meeting their target class over the sources
  evaluated (a dry source is left out).

Each returns one value per month of the year of `as_of`, dated at the month's end (the running month at
`as_of`): by default the year to date through that month (class of the period means, 环办〔2011〕22号), or
with parameters {"basis": "month"} the month alone. Parameters may also restrict the sections:
{"sections": ["code", ...]}; by default every active registered section. Values are percentages rounded to
one decimal (half to even); months without any evaluated section give no value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from envplan.indicators.registry import Series, register
from envplan.water import evaluation
from envplan.water import lake as water_lake
from envplan.water.evaluation import PeriodShares
from envplan.water.models import MonitoringSection

PLAN_RULE = "water.class_iii_share_plan_rule"
OFFICIAL = "water.class_iii_share_official"
DRINKING = "water.drinking_water_compliance"
COMPUTATIONS = (PLAN_RULE, OFFICIAL, DRINKING)


def percent(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def shares_by_month(parameters: Mapping[str, Any], as_of: dt.date) -> list[PeriodShares]:
    """The shares of each month of `as_of`'s year through `as_of`, on the basis the parameters ask for."""
    basis: evaluation.Basis = "month" if parameters.get("basis") == "month" else "ytd"
    monitoring_sections = MonitoringSection.objects.filter(active=True)
    chosen = parameters.get("sections")
    if chosen:
        monitoring_sections = monitoring_sections.filter(code__in=[str(code) for code in chosen])
    registry = list(monitoring_sections.values_list("code", "target_class", "is_drinking_water_source"))
    if not registry:
        return []
    year_start = dt.date(as_of.year, 1, 1)
    samples = evaluation.with_registry(
        water_lake.samples(start=year_start, end=as_of), {code: target for code, target, _ in registry}
    )
    results = evaluation.monitoring_section_results(samples, year=as_of.year, through=as_of, bases=(basis,))
    drinking = [code for code, _, source in registry if source]
    return evaluation.period_shares(results, drinking=drinking)


def _series(
    parameters: Mapping[str, Any], as_of: dt.date, pick: Callable[[PeriodShares], float | None]
) -> Series:
    result: Series = []
    for item in shares_by_month(parameters, as_of):
        value = percent(pick(item))
        if value is not None:
            result.append((min(evaluation.month_end(item.period), as_of), value))
    return result


def class_iii_share_plan_rule(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _series(parameters, as_of, lambda item: item.shares.dry_counts_as_compliant)


def class_iii_share_official(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _series(parameters, as_of, lambda item: item.shares.official)


def drinking_water_compliance(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _series(parameters, as_of, lambda item: item.drinking_compliance)


def register_all() -> None:
    register(
        PLAN_RULE,
        label=_(
            "Surface-water sections at class III or better, plan's rule (dry sections count as compliant)"
        ),
        unit_of_measure="%",
        compute=class_iii_share_plan_rule,
    )
    register(
        OFFICIAL,
        label=_("Surface-water sections at class III or better, national practice (dry sections left out)"),
        unit_of_measure="%",
        compute=class_iii_share_official,
    )
    register(
        DRINKING,
        label=_("Drinking-water sources meeting their target class"),
        unit_of_measure="%",
        compute=drinking_water_compliance,
    )
