"""The dashboard's figures: task status by chapter and by unit, the overdue list, the targets table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from envplan.indicators.models import Indicator
from envplan.indicators.services import Attainment
from envplan.plans.content import content_text
from envplan.plans.models import Chapter, Plan, Target
from envplan.progress.status import DONE, ON_TRACK, OVERDUE, STATUS_ORDER, TaskState, plan_task_states


@dataclass
class StatusRow:
    """Counts of tasks per status for one chapter or one unit."""

    label: str
    link: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def on_track_share(self) -> float:
        """Share of tasks on track or done, in percent."""
        return 100.0 * (self.counts[ON_TRACK] + self.counts[DONE]) / self.total if self.total else 0.0

    @property
    def segments(self) -> list[tuple[str, int]]:
        return [(status, self.counts[status]) for status in STATUS_ORDER]


@dataclass
class TargetRow:
    target: Target
    task_number: int | None
    attainment: Attainment
    indicator: Indicator | None
    series: list[tuple[dt.date, float]]


@dataclass
class Dashboard:
    plan: Plan
    today: dt.date
    totals: Counter[str]
    by_chapter: list[StatusRow]
    by_unit: list[StatusRow]
    overdue: list[TaskState]
    targets: list[TargetRow]

    @property
    def task_total(self) -> int:
        return sum(self.totals.values())


def plan_dashboard(plan: Plan, *, today: dt.date) -> Dashboard:
    """Everything the dashboard shows, in a number of queries that does not grow with the plan."""
    from envplan.indicators.services import attainment, series_by_target

    states = plan_task_states(plan, today=today)
    totals: Counter[str] = Counter(state.status for state in states)

    chapters: dict[int, StatusRow] = {}
    for chapter in Chapter.objects.filter(plan=plan).order_by("position"):
        chapters[chapter.pk] = StatusRow(
            label=f"{chapter.number}. {content_text(chapter, 'title')}",
            link=f"/plans/{plan.pk}/tasks/?chapter={chapter.position}",
        )
    units: dict[int, StatusRow] = {}
    for state in states:
        chapters[state.task.section.chapter_id].counts[state.status] += 1
        # A unit named twice in one task (say lead and responsible) counts the task once.
        for unit in {a.unit_id: a.unit for a in state.task.assignments.all()}.values():
            row = units.setdefault(
                unit.pk, StatusRow(label=unit.display_name, link=f"/plans/{plan.pk}/tasks/?unit={unit.code}")
            )
            row.counts[state.status] += 1
    by_unit = sorted(units.values(), key=lambda row: (-row.counts[OVERDUE], row.on_track_share, row.label))

    year_end = dt.date(plan.year, 12, 31)
    targets = list(
        Target.objects.filter(plan=plan).select_related("task", "indicator_link").order_by("position")
    )
    series = series_by_target(targets)
    target_rows = []
    for target in targets:
        points = series[target.pk]
        target_rows.append(
            TargetRow(
                target=target,
                task_number=target.task.number if target.task else None,
                attainment=attainment(target, points, today=today, year_end=year_end),
                indicator=getattr(target, "indicator_link", None),
                series=[(d, float(v)) for d, v in points],
            )
        )
    return Dashboard(
        plan=plan,
        today=today,
        totals=totals,
        by_chapter=[row for row in chapters.values() if row.total],
        by_unit=by_unit,
        overdue=[state for state in states if state.status == OVERDUE],
        targets=target_rows,
    )
