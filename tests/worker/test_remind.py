from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from envplan.progress import services as progress
from envplan.progress.jobs import running_plans
from envplan.progress.models import Notification, ReportingSettings
from envplan.progress.notifications import due_reminders


def test_remind_dry_run_prints_the_reminders_and_stores_nothing(world):
    out = StringIO()

    call_command("remind", "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    expected = due_reminders(world.plan, today=dt.date(2025, 6, 10))
    assert len(lines) == len(expected) + 1
    assert lines[-1] == f"{len(expected)} reminders would be sent as of 2025-06-10."
    assert Notification.objects.count() == 0
    assert len(mail.outbox) == 0


def test_remind_dry_run_leaves_no_reporting_settings_behind(world):
    ReportingSettings.objects.all().delete()

    call_command("remind", "--dry-run", stdout=StringIO())

    assert ReportingSettings.objects.count() == 0


def test_remind_real_run_notifies_once_and_not_again(world):
    world.housing_reporter.email = "housing@example.org"
    world.housing_reporter.save()

    call_command("remind", stdout=StringIO())
    first = Notification.objects.count()
    first_mail = len(mail.outbox)
    call_command("remind", stdout=StringIO())

    expected = due_reminders(world.plan, today=dt.date(2025, 6, 10))
    assert first == len(expected)
    assert Notification.objects.count() == first
    housing_reminders = [r for r in expected if r.user_id == world.housing_reporter.pk]
    assert first_mail == len(housing_reminders)
    assert len(mail.outbox) == first_mail
    assert mail.outbox[0].to == ["housing@example.org"]


def test_remind_submitted_report_gets_no_reminder(world):
    period = dt.date(2025, 5, 1)
    progress.save_report(
        **world.water_writes(period),
        narrative="n",
        status="in_progress",
        submit=True,
    )

    call_command("remind", "--plan", str(world.plan.pk), stdout=StringIO())

    keys = set(Notification.objects.filter(user=world.water_admin).values_list("dedup_key", flat=True))
    assert f"overdue:{world.plan.pk}:2:water:2025-05" not in keys
    assert f"overdue:{world.plan.pk}:2:water:2025-04" in keys


def test_remind_today_option_moves_the_window(world):
    out = StringIO()

    call_command("remind", "--dry-run", "--today", "2025-01-15", stdout=out)

    assert out.getvalue().strip() == "0 reminders would be sent as of 2025-01-15."


def test_remind_bad_date_exits_2_naming_the_option(world):
    with pytest.raises(CommandError) as raised:
        call_command("remind", "--today", "15/01/2025", stdout=StringIO())

    assert raised.value.returncode == 2
    assert "--today" in str(raised.value)


def test_remind_unknown_plan_exits_2(world):
    with pytest.raises(CommandError) as raised:
        call_command("remind", "--plan", "999999", stdout=StringIO())

    assert raised.value.returncode == 2


def test_remind_running_plans_skip_a_finished_years_plan(world):
    assert running_plans(dt.date(2025, 6, 10)) == [world.plan]
    assert running_plans(dt.date(2027, 1, 1)) == []


def test_remind_dry_run_json_lists_the_same_reminders(world):
    out = StringIO()

    call_command("remind", "--dry-run", "--json", stdout=out)

    document = json.loads(out.getvalue())
    expected = due_reminders(world.plan, today=dt.date(2025, 6, 10))
    assert (document["today"], document["dry_run"]) == ("2025-06-10", True)
    assert [(r["kind"], r["username"], r["task"], r["unit"], r["due"]) for r in document["reminders"]] == [
        (r.kind, r.username, r.task_number, r.unit_code, r.due.isoformat()) for r in expected
    ]
    assert Notification.objects.count() == 0
