"""A district grown large, for the PostgreSQL scale bench (bench/scale.py) and its query-count tests: plans
of several years built from the demo plan, with more units and every unit's monthly reports.

Plan i is the demo plan with its own document number and year (`years` in turn) and its units renamed
into one of `unit_sets` sets (the demo's 21 units times 5 sets: 105 units), so plans share units as a real
district's do. Reports are the demo's routine reports (`fill_routine_reports`, approved, with values) for
`months` months of the plan's year. Generated data, marked so; never part of the demo.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from envplan.demo.activity import fill_routine_reports
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Plan
from envplan.plans.services import save_plan
from envplan.progress.models import ReportingSettings


def scaled_plan_data(index: int, *, year: int, unit_set: int) -> dict[str, Any]:
    base = demo_plan_data()
    text = json.dumps(base, ensure_ascii=False)
    for unit in base["units"]:
        code = unit["code"]
        text = text.replace(f'"{code}"', f'"{code}-s{unit_set}"')
    data: dict[str, Any] = json.loads(text)
    for unit in data["units"]:
        for field in ("name", "name_fr", "name_zh"):
            if unit.get(field):
                unit[field] = f"{unit[field]} ({unit_set})"
        unit["aliases"] = []
    data["plan"].update(
        title=f"{data['plan']['title']} (scale copy {index})",
        doc_number=f"Scale [{year}] n° {index}",
        doc_number_zh=f"规模〔{year}〕{index}号",
        date=f"{year}-03-01",
        year=year,
    )
    return data


def build_scaled_district(
    *,
    plans: int = 10,
    years: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025),
    unit_sets: int = 5,
    months: int = 12,
) -> list[Plan]:
    """Store the plans and their reports; returns the plans, oldest first."""
    built = []
    for index in range(plans):
        year = years[index % len(years)]
        plan, _ = save_plan(scaled_plan_data(index, year=year, unit_set=index % unit_sets), by=None)
        ReportingSettings.objects.update_or_create(
            plan=plan, defaults={"first_period": dt.date(year, 1, 1), "last_period": dt.date(year, 12, 1)}
        )
        fill_routine_reports(
            plan,
            by=None,
            periods=[dt.date(year, month, 1) for month in range(1, months + 1)],
            with_values=True,
        )
        built.append(plan)
    return sorted(built, key=lambda plan: (plan.year, plan.pk))
