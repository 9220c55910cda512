"""What the enforcement records say about an enterprise's environmental credit (envplan.credit.registry),
registered from InspectionsConfig.ready(): credit sits on this floor, so this app registers its own.

* ``inspections.penalties``: the fine of each completed or published inspection record dated in the
  period (``inspection_penalty``). A penalty also entered by hand in the credit app under the same
  decision number counts once: the hand-entered one, which an officer may have withdrawn on purpose.
* ``inspections.rectification``: each rectification task arising from an inspection of the enterprise
  whose deadline fell in the period and which was done after it, or is still open past it
  (``rectification_late``, the days late). Done means acceptance applied for: what comes after
  (acceptance, notice, closure) is the bureau's work, not the enterprise's.
* ``inspections.hazardous_waste``: each hazardous-waste management assessment dated in the period
  (``hazardous_waste_result``: 2 pass, 1 basic pass, 0 fail).

Record references are the rows' numbers: none of these records is ever replaced.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core import clock
from envplan.credit.models import ManualEvidence
from envplan.credit.registry import Period, register_source
from envplan.inspections.models import (
    OPEN_STATES,
    HazardousWasteAssessment,
    InspectionRecord,
    RecordState,
    RectificationTask,
)
from envplan.inspections.models.hazardous_waste import Outcome
from envplan.sources.models import Enterprise
from envplan.standards.credit import Evidence

LEVELS = {Outcome.PASS: 2, Outcome.BASIC: 1, Outcome.FAIL: 0}


def penalties(enterprise: Enterprise, period: Period) -> list[Evidence]:
    records = (
        InspectionRecord.objects.filter(
            enterprise=enterprise,
            state__in=[RecordState.COMPLETED, RecordState.PUBLISHED],
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
            penalty_amount__gt=0,
        )
        .select_related("task")
        .order_by("inspected_on", "pk")
    )
    entered = set(
        ManualEvidence.objects.filter(enterprise=enterprise, code="penalty")
        .exclude(reference="")
        .values_list("reference", flat=True)
    )
    rows = []
    for record in records:
        if record.penalty_decision and record.penalty_decision in entered:
            continue
        assert record.inspected_on is not None and record.penalty_amount is not None
        rows.append(
            Evidence(
                record=f"inspections.record:{record.pk}",
                label=_("inspection %(task)s on %(day)s, decision %(decision)s")
                % {
                    "task": record.task.code,
                    "day": f"{record.inspected_on:%Y-%m-%d}",
                    "decision": record.penalty_decision or "—",
                },
                code="inspection_penalty",
                quantity=record.penalty_amount,
                on=record.inspected_on,
                explanation=_("fine of %(amount)s yuan; result: %(result)s")
                % {"amount": f"{record.penalty_amount:,.2f}", "result": record.get_result_display() or "—"},
                url=record.get_absolute_url(),
                generated=record.generated,
            )
        )
    return rows


def _done_on(task: RectificationTask) -> dt.date | None:
    if task.state in OPEN_STATES:
        return None
    return task.applied_on or task.accepted_on or task.closed_on


def late_rectification(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """Tasks due in the period, done late or still open past their deadline (counted up to the end of the
    period, or today while the period runs)."""
    upto = min(period.end, clock.today())
    tasks = (
        RectificationTask.objects.filter(
            source_record__enterprise=enterprise, deadline__gte=period.start, deadline__lte=period.end
        )
        .filter(deadline__lt=upto)
        .order_by("deadline", "round", "number")
    )
    rows = []
    for task in tasks:
        done = _done_on(task)
        if done is not None and done <= task.deadline:
            continue
        until = done if done is not None and done <= upto else upto
        days = (until - task.deadline).days
        if days <= 0:
            continue
        explanation = (
            _("deadline %(deadline)s, done on %(done)s: %(days)d days late")
            % {"deadline": f"{task.deadline:%Y-%m-%d}", "done": f"{until:%Y-%m-%d}", "days": days}
            if done is not None and done <= upto
            else _("deadline %(deadline)s, still open on %(day)s: %(days)d days late")
            % {"deadline": f"{task.deadline:%Y-%m-%d}", "day": f"{upto:%Y-%m-%d}", "days": days}
        )
        rows.append(
            Evidence(
                record=f"inspections.rectification:{task.pk}",
                label=_("rectification %(round)s no. %(number)d")
                % {"round": task.round, "number": task.number},
                code="rectification_late",
                quantity=Decimal(days),
                on=until,
                explanation=explanation,
                url=task.get_absolute_url(),
                generated=task.generated,
            )
        )
    return rows


def hazardous_waste(enterprise: Enterprise, period: Period) -> list[Evidence]:
    assessments = (
        HazardousWasteAssessment.objects.filter(
            enterprise=enterprise, assessed_on__gte=period.start, assessed_on__lte=period.end
        )
        .select_related("round")
        .order_by("assessed_on", "pk")
    )
    rows = []
    for assessment in assessments:
        explanation = _(
            "%(percent)s %% of the applicable points (%(points)d of %(maximum)d): %(outcome)s"
        ) % {
            "percent": f"{assessment.percent:.1f}",
            "points": assessment.points,
            "maximum": assessment.maximum,
            "outcome": assessment.get_outcome_display(),
        }
        if assessment.veto_items:
            explanation += "; " + _("veto items: %(items)s") % {"items": ", ".join(assessment.veto_items)}
        rows.append(
            Evidence(
                record=f"inspections.waste:{assessment.pk}",
                label=_("%(round)s, as %(role)s")
                % {"round": assessment.round.name, "role": assessment.get_role_display()},
                code="hazardous_waste_result",
                quantity=Decimal(LEVELS[Outcome(assessment.outcome)]),
                on=assessment.assessed_on,
                explanation=explanation,
                url=assessment.round.get_absolute_url(),
                generated=assessment.generated,
            )
        )
    return rows


def register() -> None:
    register_source(
        "inspections.penalties",
        label=gettext_lazy("Fines decided after inspections"),
        codes=("inspection_penalty",),
        collect=penalties,
    )
    register_source(
        "inspections.rectification",
        label=gettext_lazy("Rectification of inspection findings"),
        codes=("rectification_late",),
        collect=late_rectification,
    )
    register_source(
        "inspections.hazardous_waste",
        label=gettext_lazy("Hazardous-waste management assessments"),
        codes=("hazardous_waste_result",),
        collect=hazardous_waste,
    )
