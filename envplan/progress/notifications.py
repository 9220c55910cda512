"""In-app notifications and e-mail: after commit, never inside a transaction that could roll back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from envplan.accounts.models import SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core import clock
from envplan.plans.models import Assignment, Plan
from envplan.progress import periods
from envplan.progress.calendar import due_date, is_closed, reporting_settings
from envplan.progress.models import Notification, ProgressReport, ReportingSettings, ReportState
from envplan.progress.permissions import lead_unit_ids, reviewer_is_district_office


def notify(
    users: Iterable[User],
    *,
    kind: str,
    message: str,
    link: str = "",
    dedup_key: str = "",
    email: bool = True,
) -> int:
    """Create one notification per user (once per dedup key) and e-mail those that have an address."""
    created = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user,
                    kind=kind,
                    message=message,
                    link=link,
                    created_at=clock.now(),
                    dedup_key=dedup_key,
                )
        except IntegrityError:
            continue  # already told: reminders are sent once per dedup key
        created += 1
        address = getattr(user, "email", "")
        if email and address:
            send_mail(
                subject=f"[envplan] {message[:80]}",
                message=f"{message}\n\n{absolute_link(link)}",
                from_email=getattr(django_settings, "DEFAULT_FROM_EMAIL", None),
                recipient_list=[address],
                fail_silently=True,
            )
    return created


def absolute_link(link: str) -> str:
    """A page's path as a full address for an e-mail (ENVPLAN_SITE_URL in front); full addresses pass."""
    if not link.startswith("/"):
        return link
    return f"{getattr(django_settings, 'ENVPLAN_SITE_URL', '').rstrip('/')}{link}"


def writers_of(unit_ids: Iterable[int]) -> list[User]:
    ids = Membership.objects.filter(
        unit_id__in=list(unit_ids), role__in=[MemberRole.ADMIN, MemberRole.REPORTER]
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def reviewers_of(report: ProgressReport) -> list[User]:
    if reviewer_is_district_office(report):
        return list(User.objects.filter(groups__name=SUPERVISORS_GROUP, is_active=True))
    ids = Membership.objects.filter(
        unit_id__in=lead_unit_ids(report.task), role=MemberRole.ADMIN
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def notify_submitted(report_id: int) -> None:
    report = ProgressReport.objects.select_related("task", "unit").get(pk=report_id)
    message = _("%(unit)s submitted its report on task %(number)s for %(period)s.") % {
        "unit": report.unit.display_name,
        "number": report.task.number,
        "period": f"{report.period:%Y-%m}",
    }
    notify(reviewers_of(report), kind="report_submitted", message=message, link=report.get_absolute_url())


def notify_reviewed(report_id: int) -> None:
    report = ProgressReport.objects.select_related("task", "unit").get(pk=report_id)
    if report.state == ReportState.APPROVED:
        message = _("Your report on task %(number)s for %(period)s was approved.")
    else:
        message = _("Your report on task %(number)s for %(period)s was returned; see the comment.")
    message = message % {"number": report.task.number, "period": f"{report.period:%Y-%m}"}
    notify(
        writers_of([report.unit_id]),
        kind=f"report_{report.state}",
        message=message,
        link=report.get_absolute_url(),
    )


@dataclass(frozen=True)
class Reminder:
    user_id: int
    username: str
    kind: str  # "upcoming" or "overdue"
    task_number: int
    unit_code: str
    period: dt.date
    due: dt.date


def due_reminders(plan: Plan, *, today: dt.date) -> list[Reminder]:
    """Reports not yet submitted whose due date is within the reminder window, or past.

    The report for period P is due on the due day of the month after P. Checks the period just ended and
    every earlier open period of the plan.
    """
    settings: ReportingSettings = reporting_settings(plan)
    period = min(periods.previous_period(today, settings.frequency), settings.last_period)
    owed: list[dt.date] = []
    while period >= settings.first_period and not is_closed(settings, period):
        owed.append(period)
        period = periods.previous_period(period, settings.frequency)
    if not owed:
        return []
    done = set(
        ProgressReport.objects.filter(
            task__plan=plan, period__in=owed, state__in=[ReportState.SUBMITTED, ReportState.APPROVED]
        ).values_list("task_id", "unit_id", "period")
    )
    assignments = list(
        Assignment.objects.filter(task__plan=plan).exclude(unit__is_group=True).select_related("task", "unit")
    )
    writer_rows = Membership.objects.filter(
        role__in=[MemberRole.ADMIN, MemberRole.REPORTER], user__is_active=True
    ).values_list("unit_id", "user_id", "user__username")
    writers: dict[int, list[tuple[int, str]]] = {}
    for unit_id, user_id, username in writer_rows:
        writers.setdefault(unit_id, []).append((user_id, username))
    reminders = []
    for period in owed:
        due = due_date(settings, period)
        if today < due - dt.timedelta(days=settings.remind_days_before):
            continue
        kind = "overdue" if today > due else "upcoming"
        seen: set[tuple[int, int]] = set()
        for assignment in assignments:
            key = (assignment.task_id, assignment.unit_id)
            if key in seen or (assignment.task_id, assignment.unit_id, period) in done:
                continue
            seen.add(key)
            for user_id, username in writers.get(assignment.unit_id, []):
                reminders.append(
                    Reminder(
                        user_id, username, kind, assignment.task.number, assignment.unit.code, period, due
                    )
                )
    return reminders


def send_reminders(plan: Plan, *, today: dt.date, dry_run: bool = False) -> list[Reminder]:
    """Notify each writer once per (kind, task, unit, period). Returns the reminders (sent or not)."""
    reminders = due_reminders(plan, today=today)
    if dry_run:
        return reminders
    users = {u.pk: u for u in User.objects.filter(pk__in={r.user_id for r in reminders})}
    for reminder in reminders:
        if reminder.kind == "overdue":
            text = _("Overdue: your report on task %(number)s for %(period)s was due on %(due)s.")
        else:
            text = _("Due soon: your report on task %(number)s for %(period)s is due on %(due)s.")
        message = text % {
            "number": reminder.task_number,
            "period": f"{reminder.period:%Y-%m}",
            "due": f"{reminder.due:%Y-%m-%d}",
        }
        notify(
            [users[reminder.user_id]],
            kind=f"reminder_{reminder.kind}",
            message=message,
            link=f"/plans/{plan.pk}/tasks/{reminder.task_number}/",
            dedup_key=f"{reminder.kind}:{plan.pk}:{reminder.task_number}:{reminder.unit_code}:{reminder.period:%Y-%m}",
        )
    return reminders
