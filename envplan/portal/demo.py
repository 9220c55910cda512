"""The portal demo: the ecology bureau owns the monitoring, credit and alert tables, the law-enforcement
bureau the random-inspection tables, and four GENERATED correction
requests stand in every state (received; in progress and overdue; corrected; rejected with reasons).

`load_portal_demo()` is called by the demo loader after the other apps' demos; running it again changes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from envplan.core import clock
from envplan.core.publication import table, tables
from envplan.plans.models import Unit
from envplan.portal import services
from envplan.portal.models import CorrectionRequest, CorrectionStatus

ECOLOGY = "ecology-bureau-kundulun"
LAW_ENFORCEMENT = "law-enforcement-bureau-kundulun"
OWNED_BY_ECOLOGY = ("air-", "water-", "credit-", "alert")
OWNED_BY_LAW_ENFORCEMENT = ("inspection-",)  # rectification closures go to each task's accepting unit
NOTE = " (generated for the demo)"


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _first_key(name: str, now: dt.datetime) -> str:
    _section, found = table(name)
    rows = found.rows(now)
    return str(rows[0][found.key]) if rows else ""


def load_portal_demo(*, today: dt.date | None = None) -> dict[str, Any]:
    if CorrectionRequest.objects.filter(generated=True).exists():
        return {"corrections": 0}
    ecology = Unit.objects.filter(code=ECOLOGY).first()
    if ecology is None:
        return {"corrections": 0}
    today = today or clock.today()
    now = clock.now()
    with transaction.atomic():
        enforcement = Unit.objects.filter(code=LAW_ENFORCEMENT).first() or ecology
        for _section, found in tables():
            if found.name.startswith(OWNED_BY_ECOLOGY):
                services.set_data_owner(found.name, unit=ecology, by=None)
            elif found.name.startswith(OWNED_BY_LAW_ENFORCEMENT):
                services.set_data_owner(found.name, unit=enforcement, by=None)
        made = []
        station = _first_key("air-stations-today", now)
        made.append(
            services.submit_correction(
                kind="data_error",
                table="air-stations-today",
                item=station,
                description="The hourly value looks too low for a dusty afternoon" + NOTE,
                now=_moment(today - dt.timedelta(days=2)),
                generated=True,
            )
        )
        water = _first_key("water-sections", now)
        late = services.submit_correction(
            kind="data_error",
            table="water-sections",
            item=water,
            description="The month's class differs from the one on the city's bulletin" + NOTE,
            contact="reader@example.invalid",
            now=_moment(today - dt.timedelta(days=25)),
            generated=True,
        )
        services.start_correction(late, by=None)
        made.append(late)
        task = _first_key("plan-tasks", now)
        fixed = services.submit_correction(
            kind="complaint",
            table="plan-tasks",
            item=task,
            description="The task is shown on track although works stopped in the summer" + NOTE,
            now=_moment(today - dt.timedelta(days=40)),
            generated=True,
        )
        services.start_correction(fixed, by=None)
        services.answer_correction(
            fixed,
            status=CorrectionStatus.CORRECTED,
            answer="The September report was reviewed; the task's status now follows it" + NOTE,
            by=None,
            today=today - dt.timedelta(days=30),
        )
        made.append(fixed)
        grade = _first_key("credit-grades", now)
        if grade:
            refused = services.submit_correction(
                kind="data_error",
                table="credit-grades",
                item=grade,
                description="This grade should be lower" + NOTE,
                now=_moment(today - dt.timedelta(days=35)),
                generated=True,
            )
            services.answer_correction(
                refused,
                status=CorrectionStatus.REJECTED,
                answer="The grade follows the published rating and its upheld objection; no record is missing"
                + NOTE,
                by=None,
                today=today - dt.timedelta(days=28),
            )
            made.append(refused)
    return {"corrections": len(made)}
