"""Reads of the enforcement pages, each in a few queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from envplan.core.services import Person
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.deadlines import DeadlineClock, result_clock
from envplan.inspections.models import (
    OPEN_STATES,
    Draw,
    DrawState,
    HazardousWasteAssessment,
    HazardousWasteRound,
    InspectionRecord,
    InspectionTask,
    RecordState,
    RectificationState,
    RectificationTask,
    RectificationUpdate,
)
from envplan.inspections.permissions import can_run_enforcement, inspector_of


def records_for(user: Person) -> QuerySet[InspectionRecord]:
    """The records a person works on: all for the office, their own for an inspector."""
    records = InspectionRecord.objects.select_related("task", "enterprise").prefetch_related("inspectors")
    if can_run_enforcement(user):
        return records
    inspector = inspector_of(user)
    if inspector is None:
        return records.none()
    return records.filter(inspectors=inspector)


@dataclass(frozen=True)
class RecordRow:
    record: InspectionRecord
    clock: DeadlineClock | None


def record_rows(records: QuerySet[InspectionRecord], *, today: dt.date) -> list[RecordRow]:
    return [
        RecordRow(record, result_clock(record.inspected_on, _published(record), today=today))
        for record in records
    ]


def _published(record: InspectionRecord) -> dt.date | None:
    return timezone.localtime(record.published_at).date() if record.published_at else None


def published_records(year: int | None = None) -> QuerySet[InspectionRecord]:
    records = (
        InspectionRecord.objects.filter(state=RecordState.PUBLISHED)
        .select_related("task", "enterprise")
        .prefetch_related("task__items")
        .order_by(
            "task__period_start", "task__code", "drawn_target__draw__stratum", "drawn_target__position", "pk"
        )
    )
    return records.filter(task__year=year) if year else records


def public_draws() -> QuerySet[Draw]:
    return (
        Draw.objects.exclude(state=DrawState.PLANNED)
        .select_related("task")
        .order_by("-task__period_start", "task__code", "stratum")
    )


def tasks_with_draws() -> QuerySet[InspectionTask]:
    return InspectionTask.objects.prefetch_related(
        Prefetch("draws", queryset=Draw.objects.order_by("stratum"))
    ).annotate(
        record_count=Count("records", distinct=True),
        open_records=Count("records", filter=Q(records__state=RecordState.DRAFT), distinct=True),
    )


@dataclass(frozen=True)
class RoundFigures:
    round: HazardousWasteRound
    assessed: int
    by_outcome: dict[str, int]
    pass_rate: Decimal | None
    by_role: dict[str, Decimal | None]


def round_figures(round_: HazardousWasteRound) -> RoundFigures:
    rows = list(round_.assessments.values_list("role", "outcome"))
    by_role = {
        role: scheme.pass_rate([outcome for r, outcome in rows if r == role])
        for role in ("producer", "operator")
    }
    return RoundFigures(
        round_,
        len(rows),
        dict(Counter(outcome for _role, outcome in rows)),
        scheme.pass_rate([outcome for _role, outcome in rows]),
        by_role,
    )


def round_assessments(round_: HazardousWasteRound) -> QuerySet[HazardousWasteAssessment]:
    return round_.assessments.select_related("enterprise").order_by("assessed_on", "enterprise__name")


def rectification_rows(
    *, state: str = "", unit: int | None = None, round_name: str = ""
) -> QuerySet[RectificationTask]:
    tasks = RectificationTask.objects.select_related("accepting_unit").prefetch_related(
        Prefetch("updates", queryset=RectificationUpdate.objects.order_by("month"))
    )
    if state == "late":
        tasks = tasks.filter(state__in=OPEN_STATES)
    elif state:
        tasks = tasks.filter(state=state)
    if unit:
        tasks = tasks.filter(accepting_unit_id=unit)
    if round_name:
        tasks = tasks.filter(round=round_name)
    return tasks.order_by("round", "number")


def is_late(task: RectificationTask, today: dt.date) -> bool:
    return task.state in OPEN_STATES and task.deadline < today


def rectification_counts(*, today: dt.date) -> dict[str, int]:
    counts = dict(
        RectificationTask.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    counts["late"] = RectificationTask.objects.filter(state__in=OPEN_STATES, deadline__lt=today).count()
    counts["all"] = sum(v for k, v in counts.items() if k != "late")
    return counts


def public_notices() -> QuerySet[RectificationTask]:
    return (
        RectificationTask.objects.filter(
            state__in=[RectificationState.PUBLICISED, RectificationState.CLOSED], notice_start__isnull=False
        )
        .select_related("accepting_unit")
        .order_by("-notice_start", "number")
    )
