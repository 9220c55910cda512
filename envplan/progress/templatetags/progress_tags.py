"""`{% load progress_tags %}`: the unread-notification badge, the task page's Reports card, diff values."""

from __future__ import annotations

from typing import Any

from django import template

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.services import Person
from envplan.plans.models import Unit
from envplan.progress import permissions as rules
from envplan.progress import queries
from envplan.progress.calendar import reporting_settings

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """Unread notifications of the signed-in user (one query per page, cached for the request)."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None:
        return 0
    cached: int | None = getattr(request, "_envplan_unread", None)
    if cached is None:
        cached = queries.unread_count(user)
        request._envplan_unread = cached
    return cached


@register.filter
def is_reviewer(user: Person) -> bool:
    return permissions.is_supervisor(user) or bool(permissions.admin_unit_ids(user))


@register.filter
def manages_units(user: Person) -> list[int]:
    return sorted(permissions.admin_unit_ids(user))


@register.filter
def audit_value(value: Any) -> str:
    """A before/after value in a diff table: empty for missing, compact for dicts and lists."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


@register.inclusion_tag("progress/_task_reports_card.html", takes_context=True)
def task_reports_card(context: template.Context, task: Any) -> dict[str, Any]:
    """The task page's Reports card: its reports by unit and period, and a Write button per own unit."""
    user = context["user"]
    settings = reporting_settings(task.plan)
    periods = queries.open_periods(settings, clock.today())
    involved = rules.task_unit_ids(task)
    writable = sorted(involved & permissions.writer_unit_ids(user))
    write_units = list(Unit.objects.filter(pk__in=writable).order_by("name")) if periods else []
    return {
        "task": task,
        "reports": list(queries.task_reports(task, user)),
        "write_units": write_units,
        "write_period": f"{periods[0]:%Y-%m}" if periods else "",
        "can_see_audit": rules.can_view_task_history(user, task),
        "user": user,
    }
