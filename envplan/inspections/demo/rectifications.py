"""The demo's 24 rectification tasks (demo/rectifications.csv), taken to where each stands on the
demo's day: closed (one reopened by a look-back review), under notice, accepted, applied for, or in
progress."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

from envplan.inspections.demo.common import DEMO_FOLDER, ROUND, at, photo
from envplan.inspections.models import RectificationTask
from envplan.inspections.services import rectifications
from envplan.plans.models import Unit


@dataclass(frozen=True)
class DemoTask:
    """A row of demo/rectifications.csv: the task, and where it stands on the demo's day (`outcome`: closed,
    reopened (closed, then reopened by the look-back review of `reviewed_on`), publicised, accepted, applied
    or in_progress, with the day of that step, or the last month reported)."""

    number: int
    problem: str
    subject: str
    accepting_unit: str
    goal: str
    deadline: dt.date
    outcome: str
    outcome_date: dt.date
    reviewed_on: dt.date | None


def demo_tasks() -> list[DemoTask]:
    with (DEMO_FOLDER / "rectifications.csv").open(encoding="utf-8", newline="") as file:
        return [
            DemoTask(
                int(row["number"]),
                row["problem"],
                row["subject"],
                row["accepting_unit"],
                row["goal"],
                dt.date.fromisoformat(row["deadline"]),
                row["outcome"],
                dt.date.fromisoformat(row["outcome_date"]),
                dt.date.fromisoformat(row["reviewed_on"]) if row["reviewed_on"] else None,
            )
            for row in csv.DictReader(file)
        ]


def _through_acceptance(task: RectificationTask, notice_start: dt.date, number: int) -> None:
    """Progress, evidence, application and acceptance, in the weeks before the notice."""
    evidence_day = notice_start - dt.timedelta(days=9)
    rectifications.record_progress(
        task,
        by=None,
        month=evidence_day.replace(day=1),
        progress="Works done; the unit checked them on site (generated).",
        now=at(evidence_day),
    )
    rectifications.add_evidence(
        task,
        by=None,
        uploads=[photo(100 + number, f"rectification-{task.number}.png")],
        note="generated picture",
        generated=True,
        now=at(evidence_day),
    )
    rectifications.apply_for_acceptance(
        task,
        by=None,
        completion="Done as planned; see the evidence (generated).",
        now=at(notice_start - dt.timedelta(days=7)),
    )
    rectifications.decide_acceptance(task, by=None, accept=True, now=at(notice_start - dt.timedelta(days=2)))


def run_rectifications() -> int:
    if RectificationTask.objects.filter(round=ROUND).exists():
        return 0
    rows = demo_tasks()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={row.accepting_unit for row in rows})}
    feedback = dt.date(2025, 2, 28)
    contact = "the district office (illustrative)"
    for row in rows:
        task = rectifications.save_rectification(
            RectificationTask(
                round=ROUND,
                feedback_on=feedback,
                number=row.number,
                problem=f"{row.problem} (illustrative).",
                subject=row.subject,
                accepting_unit=units[row.accepting_unit],
                goal=row.goal,
                deadline=row.deadline,
                measures="Listed in the district's rectification plan (illustrative).",
                generated=True,
            ),
            by=None,
            now=at(feedback),
        )
        day = row.outcome_date
        if row.outcome in ("closed", "reopened"):
            notice_start = day - dt.timedelta(days=16)  # 10 working days of notice, closed just after
            _through_acceptance(task, notice_start, row.number)
            rectifications.publicise_closure(
                task, by=None, start=notice_start, contact=contact, now=at(notice_start)
            )
            rectifications.close_rectification(task, by=None, now=at(day))
            if row.reviewed_on is not None:
                rebound = row.outcome == "reopened"
                rectifications.look_back(
                    task,
                    by=None,
                    reviewed_on=row.reviewed_on,
                    holds=not rebound,
                    note="The problem came back after the summer stop (generated)." if rebound else "",
                    now=at(row.reviewed_on),
                )
        elif row.outcome == "publicised":
            _through_acceptance(task, day, row.number)
            rectifications.publicise_closure(task, by=None, start=day, contact=contact, now=at(day))
        elif row.outcome == "accepted":
            _through_acceptance(task, day + dt.timedelta(days=2), row.number)
        elif row.outcome == "applied":
            rectifications.add_evidence(
                task,
                by=None,
                uploads=[photo(100 + row.number, f"rectification-{row.number}.png")],
                note="generated picture",
                generated=True,
                now=at(day - dt.timedelta(days=2)),
            )
            rectifications.apply_for_acceptance(
                task, by=None, completion="Works finished (generated).", now=at(day)
            )
        else:
            for month in (dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1)):
                if month > day:
                    break
                rectifications.record_progress(
                    task,
                    by=None,
                    month=month,
                    progress="Network works under way (generated).",
                    problems="Waits for the sewage-network money.",
                    next_steps="Ask the finance bureau to advance the funds.",
                    now=at(month + dt.timedelta(days=15)),
                )
    return len(rows)
