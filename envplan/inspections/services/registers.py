"""The registers behind random inspections (一单两库): supervision objects and their ratios per year, the
inspection item list, inspectors and their recusals, and the inspection tasks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core.services import Actor, person, record_audit
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import (
    DrawState,
    InspectionItem,
    InspectionTask,
    Inspector,
    Qualification,
    RatioRule,
    Recusal,
    SupervisionObject,
)
from envplan.inspections.services.common import local_day, moment, require_office, save_row
from envplan.sources.models import Enterprise

NOT_OFFICE = gettext_lazy(
    "The registers of random inspections are kept by the district office and the bureau."
)


@transaction.atomic
def save_supervision_object(obj: SupervisionObject, *, by: Actor) -> SupervisionObject:
    require_office(by, str(NOT_OFFICE))
    return save_row(
        obj, by=by, action="inspections.object", fields=("year", "enterprise", "category", "reason")
    )


@transaction.atomic
def save_ratio_rule(rule: RatioRule, *, by: Actor) -> RatioRule:
    require_office(by, str(NOT_OFFICE))
    if (rule.percent is None) == (rule.objects_per_inspector is None):
        raise InspectionError(
            _("Give either a percentage or a number of objects per inspector, not both."), field="percent"
        )
    if rule.percent is not None and not 0 < rule.percent <= 100:
        raise InspectionError(_("A percentage is more than 0 and at most 100."), field="percent")
    if rule.objects_per_inspector is not None and rule.objects_per_inspector <= 0:
        raise InspectionError(
            _("The number of objects per inspector is more than 0."), field="objects_per_inspector"
        )
    return save_row(
        rule,
        by=by,
        action="inspections.ratio",
        fields=("year", "category", "per", "percent", "objects_per_inspector", "basis"),
    )


@transaction.atomic
def save_item(item: InspectionItem, *, by: Actor) -> InspectionItem:
    require_office(by, str(NOT_OFFICE))
    return save_row(
        item,
        by=by,
        action="inspections.item",
        fields=("year", "number", "category", "name", "content", "targets", "item_class", "mode"),
    )


@transaction.atomic
def save_inspector(inspector: Inspector, *, by: Actor) -> Inspector:
    require_office(by, str(NOT_OFFICE))
    known = set(Qualification.values)
    unknown = [q for q in inspector.qualifications if q not in known]
    if unknown:
        raise InspectionError(
            _("Unknown qualification: %(names)s.") % {"names": ", ".join(unknown)}, field="qualifications"
        )
    if any(mark in inspector.code for mark in ("\t", "\n", "\r", ";")) or not inspector.code.strip():
        # The code is the inspector's id in a draw's roster (docs/draw-method.md): no tab, line break or ';'.
        raise InspectionError(
            _("A certificate number cannot be empty or hold a tab, a line break or ';'."), field="code"
        )
    inspector.code = inspector.code.strip()
    inspector.qualifications = sorted(set(inspector.qualifications))
    return save_row(
        inspector,
        by=by,
        action="inspections.inspector",
        fields=("user", "code", "name", "qualifications", "active"),
    )


@transaction.atomic
def declare_recusal(
    inspector: Inspector,
    *,
    enterprise: Enterprise,
    reason: str,
    by: Actor,
    now: dt.datetime | None = None,
) -> Recusal:
    """An inspector must not inspect an enterprise. Declaring it again (after it ended) renews it."""
    require_office(by, str(NOT_OFFICE))
    if not reason.strip():
        raise InspectionError(_("Say why the inspector must stand aside."), field="reason")
    today = local_day(moment(now))
    recusal, created = Recusal.objects.get_or_create(
        inspector=inspector,
        enterprise=enterprise,
        defaults={"reason": reason.strip(), "declared_on": today, "created_by": person(by)},
    )
    if not created:
        recusal.reason, recusal.declared_on, recusal.ended_on = reason.strip(), today, None
        recusal.save()
    record_audit(
        recusal,
        action="inspections.recusal.declared",
        actor=person(by),
        after={"inspector": inspector.code, "enterprise": enterprise.pk, "reason": recusal.reason},
    )
    return recusal


@transaction.atomic
def end_recusal(recusal: Recusal, *, by: Actor, now: dt.datetime | None = None) -> Recusal:
    require_office(by, str(NOT_OFFICE))
    if recusal.ended_on is None:
        recusal.ended_on = local_day(moment(now))
        recusal.save(update_fields=["ended_on"])
        record_audit(
            recusal, action="inspections.recusal.ended", actor=by, after={"ended_on": str(recusal.ended_on)}
        )
    return recusal


@transaction.atomic
def save_task(
    task: InspectionTask, *, by: Actor, items: list[InspectionItem] | None = None
) -> InspectionTask:
    """Create or change a task. Once a draw is committed, what it draws and how is fixed."""
    require_office(by, str(NOT_OFFICE))
    if task.pk is not None and task.draws.exclude(state=DrawState.PLANNED).exists():
        raise InspectionError(
            _("A draw of this task is committed: the task can no longer change."), kind=ErrorKind.WRONG_STATE
        )
    if task.period_end < task.period_start:
        raise InspectionError(_("The period ends before it starts."), field="period_end")
    if task.team_size < 1:
        raise InspectionError(_("A team has at least one inspector."), field="team_size")
    unknown = [q for q in task.required_qualifications if q not in Qualification.values]
    if unknown:
        raise InspectionError(
            _("Unknown qualification: %(names)s.") % {"names": ", ".join(unknown)},
            field="required_qualifications",
        )
    task.required_qualifications = sorted(set(task.required_qualifications))
    save_row(
        task,
        by=by,
        action="inspections.task",
        fields=("year", "code", "name", "kind", "frequency", "period_start", "period_end", "team_size",
                "required_qualifications", "max_targets"),
    )  # fmt: skip
    if items is not None:
        wrong_year = [item for item in items if item.year != task.year]
        if wrong_year:
            raise InspectionError(_("The items must be of the task's year."), field="items")
        task.items.set(items)
    return task
