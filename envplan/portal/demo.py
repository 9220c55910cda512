"""The portal demo: the ecology bureau owns the monitoring, credit and alert tables, the law-enforcement
bureau the random-inspection tables, and four GENERATED correction
requests stand in every state (received; in progress and overdue; corrected; rejected with reasons).

`load_portal_demo()` is called by the demo loader after the other apps' demos; running it again changes
nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


@dataclass(frozen=True)
class DemoRequest:
    """A GENERATED correction request: on which table, said how many days before today, and how far it
    went (taken up; answered with a status, how many days before today)."""

    table: str
    kind: str
    description: str
    days_ago: int
    contact: str = ""
    started: bool = False
    answer: tuple[str, str, int] | None = None
    only_with_a_row: bool = False  # left out where the table is empty (credit, when no grade is in force)


DEMO_REQUESTS = (
    DemoRequest(
        "air-stations-today",
        "data_error",
        "The hourly value looks too low for a dusty afternoon",
        days_ago=2,
    ),
    DemoRequest(
        "water-sections",
        "data_error",
        "The month's class differs from the one on the city's bulletin",
        days_ago=25,
        contact="reader@example.invalid",
        started=True,
    ),
    DemoRequest(
        "plan-tasks",
        "complaint",
        "The task is shown on track although works stopped in the summer",
        days_ago=40,
        started=True,
        answer=(
            CorrectionStatus.CORRECTED,
            "The September report was reviewed; the task's status now follows it",
            30,
        ),
    ),
    DemoRequest(
        "credit-grades",
        "data_error",
        "This grade should be lower",
        days_ago=35,
        answer=(
            CorrectionStatus.REJECTED,
            "The grade follows the published rating and its upheld objection; no record is missing",
            28,
        ),
        only_with_a_row=True,
    ),
)


def load_portal_demo(*, today: dt.date | None = None) -> dict[str, int]:
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
        made = 0
        for demo in DEMO_REQUESTS:
            item = _first_key(demo.table, now)
            if demo.only_with_a_row and not item:
                continue
            request = services.submit_correction(
                kind=demo.kind,
                table=demo.table,
                item=item,
                description=demo.description + NOTE,
                contact=demo.contact,
                now=_moment(today - dt.timedelta(days=demo.days_ago)),
                generated=True,
            )
            if demo.started:
                services.start_correction(request, by=None)
            if demo.answer is not None:
                status, answer, days_ago = demo.answer
                services.answer_correction(
                    request,
                    status=status,
                    answer=answer + NOTE,
                    by=None,
                    today=today - dt.timedelta(days=days_ago),
                )
            made += 1
    return {"corrections": made}
