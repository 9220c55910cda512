from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from envplan.core.models import AuditEntry
from envplan.demo.activity import DEMO_REPORTS
from envplan.demo.loader import DemoResult, load_demo
from envplan.plans.models import Assignment, Section, Target, Task, Unit


def test_demo_has_the_reference_plans_structure(demo):
    plan = demo.plan
    assert plan.tasks.count() == 47
    assert Section.objects.filter(chapter__plan=plan).count() == 22
    numbers = list(plan.tasks.order_by("position").values_list("number", flat=True))
    assert numbers == list(range(1, 48))


def test_demo_chapter_numbers_keep_the_printed_irregularity(demo):
    numbers = list(demo.plan.chapters.order_by("position").values_list("number", flat=True))
    assert Counter(numbers)["VI"] == 2
    assert "VII" not in numbers


def test_demo_every_task_has_a_unit_and_the_ecology_bureau_is_one_unit(demo):
    assert not Task.objects.filter(plan=demo.plan, assignments__isnull=True).exists()
    ecology = Unit.objects.get(code="ecology-bureau-kundulun")
    assert ecology.aliases.count() >= 8
    assert Unit.objects.filter(name__icontains="ecolog").count() == 1


def test_demo_roles_cover_lead_responsible_and_implementing(demo):
    roles = set(Assignment.objects.filter(task__plan=demo.plan).values_list("role", flat=True))
    assert roles == {"lead", "responsible", "implementing"}


def test_demo_water_goal_is_a_plan_goal_of_83_3_percent(demo):
    goal = Target.objects.get(plan=demo.plan, task__isnull=True, value=Decimal("83.3"))
    assert (goal.comparator, goal.unit_of_measure) == (">=", "%")


def test_demo_load_twice_changes_nothing(demo):
    audit_count = AuditEntry.objects.count()
    again = load_demo()
    assert again.changed is False
    assert again.plan.pk == demo.plan.pk
    assert AuditEntry.objects.count() == audit_count
    assert Task.objects.count() == 47


def test_demo_group_unit_exists_for_all_subdistricts_and_towns(demo):
    group = Unit.objects.get(code="all-subdistricts-and-towns")
    assert group.is_group is True


# --- the living demo -----------------------------------------------------------------------------------


@pytest.fixture
def living(db: None) -> DemoResult:
    """The demo as `envplan demo` loads it: with reports, a pinned calendar and reminders."""
    return load_demo(activity=True)


def test_demo_pins_the_clock_inside_the_2025_plan(living):
    from envplan.core import clock

    assert clock.today() == dt.date(2025, 10, 20)
    assert clock.today().year == living.plan.year


def test_demo_reporting_calendar_is_monthly_june_to_december(living):
    from envplan.progress.models import ReportingSettings

    settings = ReportingSettings.objects.get(plan=living.plan)
    assert (settings.frequency, settings.due_day) == ("monthly", 25)
    assert (settings.first_period, settings.last_period) == (dt.date(2025, 6, 1), dt.date(2025, 12, 1))


def test_demo_has_generated_reports_in_every_review_state(living):
    from envplan.progress.models import ProgressReport

    reports = ProgressReport.objects.filter(task__plan=living.plan)
    states = set(reports.values_list("state", flat=True))
    periods = {f"{p:%Y-%m}" for p in reports.values_list("period", flat=True)}
    assert states == {"approved", "submitted", "returned", "draft"}
    assert periods == {"2025-06", "2025-07", "2025-08", "2025-09"}
    assert not reports.filter(generated=False).exists()
    assert {"at_risk", "done", "in_progress"} <= set(reports.values_list("status", flat=True))


def test_demo_returned_reports_carry_the_reviewers_comment(living):
    from envplan.progress.models import ReportEvent

    returned = ReportEvent.objects.filter(report__task__plan=living.plan, action="returned")
    assert returned.count() == 2
    assert all(event.comment for event in returned)


def test_demo_approved_values_are_generated_and_rate_targets_red_amber_and_green(living):
    from envplan.core import clock
    from envplan.indicators.models import IndicatorValue
    from envplan.indicators.services import attainment, series_by_target

    values = IndicatorValue.objects.filter(indicator__target__plan=living.plan)
    targets = list(Target.objects.filter(plan=living.plan))
    series = series_by_target(targets)
    ratings = {
        attainment(t, series[t.pk], today=clock.today(), year_end=dt.date(2025, 12, 31)).rating
        for t in targets
    }
    assert values.exists()
    assert not values.filter(generated=False).exists()
    assert {"green", "amber", "red"} <= ratings


def test_demo_reminders_are_waiting_as_notifications(living):
    from envplan.progress.models import Notification

    kinds = set(Notification.objects.values_list("kind", flat=True))
    ecology = Notification.objects.filter(user__username="ecology")
    assert {"reminder_overdue", "reminder_upcoming"} <= kinds
    assert ecology.filter(kind="reminder_upcoming", dedup_key__endswith="2025-09").exists()


def test_demo_logins_include_an_ecology_administrator_and_more_units(living):
    from envplan.accounts.models import Membership

    admin = Membership.objects.get(user__username="ecology-admin")
    reporters = set(Membership.objects.filter(role="reporter").values_list("unit__code", flat=True))
    assert (admin.unit.code, admin.role) == ("ecology-bureau-kundulun", "admin")
    assert len(reporters) >= 6
    assert {"ecology-bureau-kundulun", "housing-bureau-kundulun"} <= reporters


def test_demo_living_load_twice_changes_nothing(living):
    from envplan.progress.models import Notification, ProgressReport

    counts = (ProgressReport.objects.count(), Notification.objects.count(), AuditEntry.objects.count())

    again = load_demo(activity=True)

    assert again.changed is False
    assert (
        ProgressReport.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_demo_command_loads_the_living_demo_unless_plan_only(db):
    from io import StringIO

    from django.core.management import call_command

    from envplan.progress.models import ProgressReport

    call_command("demo", "--plan-only", stdout=StringIO())
    assert not ProgressReport.objects.exists()

    out = StringIO()
    call_command("demo", stdout=out)
    assert ProgressReport.objects.filter(generated=True).count() > len(DEMO_REPORTS)
    assert not ProgressReport.objects.filter(generated=False).exists()
    assert "ecology-admin" in out.getvalue()


def test_demo_command_json_says_what_was_loaded(db):
    import json
    from io import StringIO

    from django.core.management import call_command

    first, again = StringIO(), StringIO()
    call_command("demo", "--plan-only", "--json", stdout=first)
    call_command("demo", "--plan-only", "--json", stdout=again)

    loaded, repeated = json.loads(first.getvalue()), json.loads(again.getvalue())
    assert (loaded["changed"], repeated["changed"], loaded["monitoring"]) == (True, False, {})
    assert loaded["plan"] == repeated["plan"]
    assert "ecology-admin" in [login["username"] for login in loaded["logins"]]
    assert set(loaded["logins"][0]) == {"username", "password", "description"}


def test_demo_routine_reports_leave_some_tasks_overdue_and_most_on_track(living):
    import datetime as dt
    from collections import Counter

    from envplan.progress.status import plan_task_states

    counts = Counter(s.status for s in plan_task_states(living.plan, today=dt.date(2025, 10, 20)))
    assert counts["overdue"] >= 1
    assert counts["on_track"] > 47 // 2
    assert set(counts) <= {"on_track", "at_risk", "overdue", "done"}


def test_demo_plain_load_after_the_living_one_changes_nothing(living):
    from envplan.progress.models import Notification, ProgressReport

    counts = (ProgressReport.objects.count(), Notification.objects.count())

    load_demo()

    assert (ProgressReport.objects.count(), Notification.objects.count()) == counts


def test_demo_by_default_loads_the_plan_logins_and_calendar_without_reports(db):
    from envplan.core.models import DemoClock
    from envplan.progress.models import ProgressReport

    result = load_demo()

    assert result.task_count == 47
    assert not ProgressReport.objects.exists()
    assert DemoClock.objects.get().today == dt.date(2025, 10, 20)
