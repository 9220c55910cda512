"""Background jobs of the plan's workflow, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt

from envplan.core.worker import register
from envplan.plans.models import Plan
from envplan.progress.calendar import due_date, reporting_settings
from envplan.progress.notifications import Reminder, send_reminders

# Keep reminding about a plan's last period for this long after it fell due.
GRACE_AFTER_LAST_DUE = dt.timedelta(days=31)


def running_plans(today: dt.date) -> list[Plan]:
    """Plans whose reporting calendar is under way: first period begun, last report not long overdue."""
    running = []
    for plan in Plan.objects.order_by("pk"):
        settings = reporting_settings(plan)
        if (
            settings.first_period <= today
            and today <= due_date(settings, settings.last_period) + GRACE_AFTER_LAST_DUE
        ):
            running.append(plan)
    return running


def remind(today: dt.date, *, plans: list[Plan] | None = None, dry_run: bool = False) -> list[Reminder]:
    """Send (or, dry, only list) the due and overdue reminders of the given or running plans."""
    reminders: list[Reminder] = []
    for plan in running_plans(today) if plans is None else plans:
        reminders.extend(send_reminders(plan, today=today, dry_run=dry_run))
    return reminders


def reminders_job(today: dt.date) -> str:
    reminders = remind(today)
    return f"{len(reminders)} reminders due (each sent once)"


register("reminders", reminders_job, daily_at=dt.time(7, 0))
