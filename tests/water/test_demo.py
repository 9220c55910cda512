"""The water demo: illustrative sections, generated samples, and the plan's water targets linked."""

from __future__ import annotations

import datetime as dt

import polars as pl

from envplan.core import worker
from envplan.indicators.models import Indicator, Source
from envplan.water import lake as water_lake
from envplan.water.demo_data import generated_samples, load_water_demo
from envplan.water.jobs import evaluate_water_job
from envplan.water.models import MonitoringSection


def test_load_water_demo_is_idempotent_and_marks_samples_generated(demo):
    first = load_water_demo(plan=demo.plan)
    second = load_water_demo(plan=demo.plan)

    samples = water_lake.samples()
    assert (first["sections"], first["generated_samples"], first["targets"]) == (6, 60, 3)
    assert (second["generated_samples"], MonitoringSection.objects.count()) == (0, 6)
    assert samples.height == 60
    assert samples.get_column("generated").all()
    assert samples.filter(pl.col("dry")).get_column("monitoring_section").unique().to_list() == ["KDL-W05"]


def test_load_water_demo_links_the_plans_goal_by_value(demo):
    load_water_demo(plan=demo.plan)

    linked = Indicator.objects.filter(source=Source.COMPUTED, computation__startswith="water.").order_by(
        "target__position"
    )
    assert [
        (i.target.task_id is None, format(i.target.value.normalize(), "f"), i.computation) for i in linked
    ] == [
        (True, "83.3", "water.class_iii_share_plan_rule"),
        (False, "83.3", "water.class_iii_share_plan_rule"),
        (False, "100", "water.drinking_water_compliance"),
    ]


def test_generated_samples_are_deterministic_and_cover_january_to_october():
    first, second = generated_samples(), generated_samples()

    assert first.equals(second)
    assert first.select(pl.col("time").dt.month().unique().sort()).to_series().to_list() == list(range(1, 11))


def test_water_evaluation_job_is_registered_and_stores_the_year(demo):
    load_water_demo(plan=demo.plan)

    result = worker.discover()["water-evaluation"].function(dt.date(2025, 10, 20))

    stored = water_lake.evaluations()
    assert worker.REGISTRY["water-evaluation"].function is evaluate_water_job
    assert result == {"sections": 6, "months": 10, "rows": 120}
    assert stored is not None and stored.height == 120
