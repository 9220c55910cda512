"""Linking the plan's enforcement targets to the computed indicators, as the air demo links its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import configure_indicator
from envplan.inspections.demo.common import ROUND
from envplan.plans.models import Plan, Target

PASS_RATE_TARGET = "on-site pass rate of hazardous-waste producing and operating units"
CLOSED_TARGET = "2025 inspection rectification tasks completed"
ADDED_TARGETS: tuple[dict[str, Any], ...] = (
    {
        "task": 43,
        "indicator": "2025 rectification tasks closed at least a month before their deadline",
        "comparator": ">=",
        "value": Decimal(24),
        "unit_of_measure": "count",
        "deadline": dt.date(2025, 11, 30),
        "as_written": "(added by the demo) the plan's 'finished one month ahead', counted task by task",
        "computation": "inspections.rectifications_closed_early",
        "parameters": {"round": ROUND},
    },
    {
        "task": 44,
        "indicator": "random-inspection results published within the deadline",
        "comparator": ">=",
        "value": Decimal(100),
        "unit_of_measure": "%",
        "deadline": dt.date(2025, 12, 31),
        "as_written": (
            "(added by the demo) all of the year's random-inspection results published (环办执法〔2021〕18号)"
        ),
        "computation": "inspections.results_published_on_time",
        "parameters": {},
    },
)
PROVENANCE = "computed from the enforcement records"


def _compute(target: Target, computation: str, parameters: dict[str, Any]) -> None:
    indicator, _created = Indicator.objects.get_or_create(target=target)
    if (
        indicator.source != Source.COMPUTED
        or indicator.computation != computation
        or indicator.parameters != parameters
    ):
        configure_indicator(
            indicator,
            by=None,
            source=Source.COMPUTED,
            computation=computation,
            parameters=parameters,
            provenance=PROVENANCE,
        )


@transaction.atomic
def link_targets(plan: Plan) -> int:
    """Feed the plan's enforcement targets from the records, and add the two the plan implies."""
    linked = 0
    pass_rate = Target.objects.filter(plan=plan, indicator=PASS_RATE_TARGET).first()
    if pass_rate is not None:
        _compute(pass_rate, "inspections.hazardous_waste_pass_rate", {})
        linked += 1
    closed = Target.objects.filter(plan=plan, indicator=CLOSED_TARGET).first()
    if closed is not None:
        _compute(closed, "inspections.rectifications_closed", {"round": ROUND})
        linked += 1
    tasks = {
        task.number: task for task in plan.tasks.filter(number__in=[spec["task"] for spec in ADDED_TARGETS])
    }
    for spec in ADDED_TARGETS:
        task = tasks.get(spec["task"])
        if task is None:
            continue
        target = Target.objects.filter(plan=plan, task=task, indicator=spec["indicator"]).first()
        if target is None:
            position = (Target.objects.filter(plan=plan).aggregate(top=Max("position"))["top"] or 0) + 1
            target = Target.objects.create(
                plan=plan,
                task=task,
                position=position,
                indicator=spec["indicator"],
                comparator=spec["comparator"],
                value=spec["value"],
                unit_of_measure=spec["unit_of_measure"],
                deadline=spec["deadline"],
                as_written=spec["as_written"],
            )
        _compute(target, spec["computation"], spec["parameters"])
        linked += 1
    return linked
