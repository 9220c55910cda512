"""Who may see, write and review reports and read a task's history: the one place for these rules.

Built on the roles of `envplan.accounts.permissions` (supervisors, bureau officers, unit members):
- A unit's administrators and reporters write their own unit's reports; nobody else does.
- A report is read by its unit, by the task's lead unit, and by the district office and the bureau.
- A report is reviewed by an administrator of the task's lead unit; where the plan names no lead unit,
  or the lead unit reports on its own task, by the district office (supervisors).
- Whoever may not read a report's narrative still sees its status and values where those are public to
  the plan (the ledger), never the narrative.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envplan.accounts.permissions import (
    admin_unit_ids,
    can_write_for_unit,
    is_supervisor,
    sees_everything,
    unit_ids,
)
from envplan.core.services import Person
from envplan.plans.models import Role, Task, Unit
from envplan.progress.models import ProgressReport


def lead_unit_ids(task: Task) -> set[int]:
    """The task's lead units (from prefetched assignments when present)."""
    return {a.unit_id for a in task.assignments.all() if a.role == Role.LEAD}


def task_unit_ids(task: Task) -> set[int]:
    """Units that report on a task: the units it names, and the members of group units it names."""
    named = {a.unit_id for a in task.assignments.all()}
    members = set(
        Unit.members.through.objects.filter(from_unit_id__in=named).values_list("to_unit_id", flat=True)
    )
    return named | members


def reviewer_is_district_office(report: ProgressReport) -> bool:
    leads = lead_unit_ids(report.task)
    return not leads or report.unit_id in leads


def can_write_report(user: Person, unit: Unit) -> bool:
    """May the user write (create, change, submit, add evidence to) this unit's reports?"""
    return can_write_for_unit(user, unit.pk)


def can_edit_report(user: Person, report: ProgressReport) -> bool:
    """May this user change the report's content? (Whether the report is still open is the service's call.)"""
    return can_write_for_unit(user, report.unit_id)


def can_review_report(user: Person, report: ProgressReport) -> bool:
    if is_supervisor(user):
        return True
    if reviewer_is_district_office(report):
        return False
    return bool(lead_unit_ids(report.task) & admin_unit_ids(user))


def reviewing_unit_id(user: Person, report: ProgressReport) -> int | None:
    """The lead unit on whose behalf this user reviews the report; None for the district office."""
    if reviewer_is_district_office(report):
        return None
    ids = sorted(lead_unit_ids(report.task) & admin_unit_ids(user))
    return ids[0] if ids else None


def can_view_report(user: Person, report: ProgressReport) -> bool:
    """May the user read the report whole: narrative, evidence, review comments?"""
    if sees_everything(user):
        return True
    mine = unit_ids(user)
    return report.unit_id in mine or bool(lead_unit_ids(report.task) & mine)


def reports_visible_to(user: Person, queryset: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Restrict a report queryset to those the user may read whole (the same rule as can_view_report)."""
    if sees_everything(user):
        return queryset
    mine = unit_ids(user)
    return queryset.filter(
        Q(unit_id__in=mine) | Q(task__assignments__role=Role.LEAD, task__assignments__unit_id__in=mine)
    ).distinct()


def visible_report_ids(user: Person, queryset: QuerySet[ProgressReport]) -> set[int]:
    """Ids of the reports in `queryset` that the user may read whole (one query)."""
    return set(reports_visible_to(user, queryset).values_list("pk", flat=True))


def can_view_task_history(user: Person, task: Task) -> bool:
    """A task's audit trail is for its units and for the district office and the bureau."""
    return sees_everything(user) or bool(task_unit_ids(task) & unit_ids(user))
