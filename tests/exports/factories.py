"""The exports tests' world (tests/world.py) and the hand-checked reporting history the assessment is
tested on."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from envplan.plans.models import Task, Unit
from envplan.progress.models import ProgressReport
from envplan.progress.services import review_report, save_report
from tests.world import FEB, JAN, MAR, PASSWORD, TODAY, World, build_world, set_today, user

__all__ = [
    "FEB",
    "JAN",
    "MAR",
    "PASSWORD",
    "TODAY",
    "World",
    "build_world",
    "seed_history",
    "set_today",
    "user",
]


def submit(
    world: World,
    task: Task,
    unit: Unit,
    by: User,
    period: dt.date,
    *,
    on: dt.date,
    status: str = "in_progress",
    values: dict[int, object] | None = None,
) -> ProgressReport:
    set_today(on)
    return save_report(
        task=task,
        unit=unit,
        period=period,
        by=by,
        narrative=f"{unit.code} {period:%Y-%m}",
        status=status,
        values=values,
        submit=True,
    )


def seed_history(world: World) -> None:
    """The hand-checked history (due dates: January's 2025-02-25, February's 2025-03-25).

    ecology, task 1: Jan on time, Feb late (03-28) saying done with 12 km, approved.
    housing, tasks 1 and 2: all four reports on time, none approved.
    water, task 2: nothing submitted (a draft for January only).
    town-a, task 3: both on time; February approved, done.  town-b, task 3: both on time, none approved.
    """
    w = world
    submit(w, w.task1, w.ecology, w.ecology_reporter, JAN, on=dt.date(2025, 2, 20))
    feb = submit(
        w,
        w.task1,
        w.ecology,
        w.ecology_reporter,
        FEB,
        on=dt.date(2025, 3, 28),
        status="done",
        values={w.target1.pk: "12"},
    )
    review_report(feb, by=w.supervisor, approve=True)
    for task in (w.task1, w.task2):
        submit(w, task, w.housing, w.housing_reporter, JAN, on=dt.date(2025, 2, 25))
        submit(w, task, w.housing, w.housing_reporter, FEB, on=dt.date(2025, 3, 1))
    set_today(dt.date(2025, 2, 1))
    save_report(
        task=w.task2, unit=w.water, period=JAN, by=w.water_reporter, narrative="draft", status="in_progress"
    )
    submit(w, w.task3, w.town_a, w.town_a_reporter, JAN, on=dt.date(2025, 2, 3))
    town_feb = submit(w, w.task3, w.town_a, w.town_a_reporter, FEB, on=dt.date(2025, 3, 3), status="done")
    review_report(town_feb, by=w.supervisor, approve=True)
    submit(w, w.task3, w.town_b, w.town_b_reporter, JAN, on=dt.date(2025, 2, 24))
    submit(w, w.task3, w.town_b, w.town_b_reporter, FEB, on=dt.date(2025, 3, 24))
    set_today(TODAY)
