"""The living demo: a reporting calendar, made-up reports of June to September 2025 in every state
(approved, submitted, returned, draft), their reviews, and reminders. Every report is flagged `generated`
and the pages say so.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from envplan.core import clock
from envplan.core.services import Actor, record_audit
from envplan.demo.logins import DEMO_LOGINS
from envplan.indicators.services import record_report_values
from envplan.plans.models import Assignment, Plan, Target, Unit
from envplan.progress import periods
from envplan.progress import services as progress
from envplan.progress.models import ProgressReport, ReportAction, ReportEvent, ReportValue
from envplan.progress.notifications import send_reminders
from envplan.progress.permissions import reviewer_is_district_office

# The demo's calendar: the 2025 plan is under way, September's reports are due soon.
DEMO_TODAY = dt.date(2025, 10, 20)
DEMO_FIRST_PERIOD = dt.date(2025, 6, 1)
DEMO_LAST_PERIOD = dt.date(2025, 12, 1)


@dataclass(frozen=True)
class DemoReport:
    """A made-up report: who wrote it, where it stands, and values by target position in the plan."""

    task: int
    login: str
    period: str  # YYYY-MM
    state: str  # approved | submitted | returned | draft
    status: str
    narrative: str
    values: tuple[tuple[int, str], ...] = ()
    comment: str = ""  # the reviewer's, for a returned report


def r(
    task: int,
    login: str,
    period: str,
    state: str,
    status: str,
    narrative: str,
    values: dict[int, str] | None = None,
    comment: str = "",
) -> DemoReport:
    return DemoReport(task, login, period, state, status, narrative, tuple((values or {}).items()), comment)


# Targets are named by their position in the plan: 6 irrigation coefficient, 7 water-saving retrofits,
# 11 mechanised sweeping, 12 emergency-list coverage, 16 soil-test fertilisation, 21-22 mines,
# 24 inspection rectifications. The figures make some targets green, some amber, some red.
DEMO_REPORTS: tuple[DemoReport, ...] = (
    # Task 43 (the ecology bureau leads; it reports on its own task, so the district office reviews).
    r(
        43,
        "ecology",
        "2025-06",
        "approved",
        "in_progress",
        "Opened a ledger of the 24 rectification items from this year's inspection; 8 are closed, most of "
        "them dust covers and outlet signs.",
        {24: "8"},
    ),
    r(
        43,
        "ecology",
        "2025-07",
        "approved",
        "in_progress",
        "Two stockyard covers finished and checked on site: 10 items closed. The rest depend on works by "
        "other bureaus.",
        {24: "10"},
    ),
    r(
        43,
        "ecology",
        "2025-08",
        "approved",
        "at_risk",
        "12 items closed. Three items hang on the sewage-network upgrade and will miss the November "
        "deadline unless the works are funded early.",
        {24: "12"},
    ),
    r(
        43,
        "ecology",
        "2025-09",
        "submitted",
        "at_risk",
        "14 items closed. We asked the finance bureau to advance the network money; no answer yet.",
        {24: "14"},
    ),
    # Task 43, other units: reviewed by the ecology bureau's administrator.
    r(
        43,
        "industry",
        "2025-06",
        "approved",
        "in_progress",
        "Checked the two steel-plant findings given to us; covers for the sinter belts are on order.",
    ),
    r(
        43,
        "industry",
        "2025-07",
        "approved",
        "in_progress",
        "Belt covers fitted at one plant; the other plant does the work at its August maintenance stop.",
    ),
    r(
        43,
        "industry",
        "2025-08",
        "approved",
        "done",
        "Both plants' covers are in place and passed the bureau's site check.",
    ),
    # Task 42 (the ecology bureau leads): the industry bureau's September report awaits its review.
    r(
        42,
        "industry",
        "2025-07",
        "approved",
        "in_progress",
        "Reviewed the emergency plans of 11 chemical and metal firms against the new template; three went "
        "back for lacking spill scenarios.",
    ),
    r(
        42,
        "industry",
        "2025-08",
        "approved",
        "in_progress",
        "The three plans came back complete. A joint drill with the emergency management bureau is set "
        "for September.",
    ),
    r(
        42,
        "industry",
        "2025-09",
        "submitted",
        "in_progress",
        "Held the joint drill at the industrial park on 12 September; the lessons went out to every firm.",
    ),
    # Task 9 (no lead unit: the district office reviews). Irrigation is behind but catching up: amber.
    r(
        9,
        "agriculture",
        "2025-06",
        "approved",
        "in_progress",
        "Drip irrigation now covers another 1,200 mu in the riverside villages; spring measurement gives "
        "a coefficient of 0.690.",
        {6: "0.690"},
    ),
    r(
        9,
        "agriculture",
        "2025-07",
        "approved",
        "in_progress",
        "800 mu more converted; the mid-season reading is 0.697.",
        {6: "0.697"},
    ),
    r(
        9,
        "agriculture",
        "2025-08",
        "approved",
        "in_progress",
        "Lining of the east canal finished; reading 0.702.",
        {6: "0.702"},
    ),
    r(
        9,
        "agriculture",
        "2025-09",
        "returned",
        "in_progress",
        "Reading 0.706; the autumn survey is in progress.",
        {6: "0.706"},
        comment="Attach the water station's survey sheet and say which plots were measured.",
    ),
    r(
        9,
        "housing",
        "2025-07",
        "approved",
        "in_progress",
        "Water-saving fittings going into two public housing estates; the first is half done.",
        {7: "1"},
    ),
    r(
        9,
        "housing",
        "2025-08",
        "approved",
        "done",
        "Both estates finished and accepted by the water company.",
        {7: "2"},
    ),
    # Task 18: mechanised sweeping passes its target (green).
    r(
        18,
        "housing",
        "2025-06",
        "approved",
        "in_progress",
        "Four new sweeper trucks in service; machines now sweep 76.5 % of built-up roads.",
        {11: "76.5"},
    ),
    r(18, "housing", "2025-07", "approved", "in_progress", "Two side-street routes added; 78 %.", {11: "78"}),
    r(
        18,
        "housing",
        "2025-08",
        "approved",
        "in_progress",
        "Night sweeping on the main roads; 80.5 %.",
        {11: "80.5"},
    ),
    r(
        18,
        "housing",
        "2025-09",
        "submitted",
        "done",
        "Routes settled for the winter; 82 % of built-up roads are swept by machine.",
        {11: "82"},
    ),
    # Task 20: the emergency reduction list reaches every firm (green, done).
    r(
        20,
        "ecology",
        "2025-06",
        "approved",
        "in_progress",
        "Revising the reduction list: 85 % of gas-emitting firms have updated their measures.",
        {12: "85"},
    ),
    r(
        20,
        "ecology",
        "2025-07",
        "approved",
        "in_progress",
        "96 % covered; the last firms are small foundries.",
        {12: "96"},
    ),
    r(
        20,
        "ecology",
        "2025-08",
        "approved",
        "done",
        "Every gas-emitting firm is on the list; it has been filed with the city bureau.",
        {12: "100"},
    ),
    # Task 37: mine restoration runs late (red); one green mine so far.
    r(
        37,
        "resources",
        "2025-06",
        "approved",
        "in_progress",
        "Grading and soil cover on the first legacy pit: 0.020 km² restored.",
        {21: "0.020"},
    ),
    r(
        37,
        "resources",
        "2025-07",
        "approved",
        "at_risk",
        "Three weeks of heavy rain stopped the earthworks; 0.028 km² restored.",
        {21: "0.028"},
    ),
    r(
        37,
        "resources",
        "2025-08",
        "approved",
        "at_risk",
        "One quarry accepted as a green mine; 0.036 km² restored.",
        {21: "0.036", 22: "1"},
    ),
    r(
        37,
        "resources",
        "2025-09",
        "returned",
        "at_risk",
        "0.045 km² restored; the second green-mine application is with the city.",
        {21: "0.045"},
        comment="The area does not match the survey map attached last month; please reconcile the two.",
    ),
    # Task 14: the summer ozone campaign, with a September draft not yet sent.
    r(
        14,
        "enforcement",
        "2025-06",
        "approved",
        "in_progress",
        "Inspected 46 paint and printing workshops for solvent controls; 5 must repair their collectors.",
    ),
    r(
        14,
        "enforcement",
        "2025-07",
        "approved",
        "in_progress",
        "Sprinkling doubled on high-ozone afternoons; 3 of the 5 workshops repaired.",
    ),
    r(
        14,
        "enforcement",
        "2025-08",
        "approved",
        "done",
        "All 5 workshops passed re-inspection; the summer campaign is closed.",
    ),
    r(
        14,
        "enforcement",
        "2025-09",
        "draft",
        "done",
        "Writing up the campaign: what worked, and what to start earlier next summer.",
    ),
    # Task 31: soil-test fertilisation passes 90 % (green).
    r(
        31,
        "agriculture",
        "2025-06",
        "approved",
        "in_progress",
        "Soil tests done for most spring crops; 88 % of farmland fertilised by the test results.",
        {16: "88"},
    ),
    r(
        31,
        "agriculture",
        "2025-07",
        "approved",
        "in_progress",
        "Late-sown fields added; coverage 91 %.",
        {16: "91"},
    ),
)


def next_month(period: dt.date, day: int) -> dt.date:
    """That day of the month after `period`."""
    return periods.next_period(period).replace(day=day)


def ensure_demo_activity(plan: Plan) -> bool:
    """Reporting calendar, made-up reports and their reviews, pinned clock, reminders. Once only."""
    if ProgressReport.objects.filter(task__plan=plan, generated=True).exists():
        return False
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[d.username for d in DEMO_LOGINS])
    }
    supervisor = users["supervisor"]
    progress.update_reporting_settings(
        plan,
        by=supervisor,
        frequency="monthly",
        due_day=25,
        first_period=DEMO_FIRST_PERIOD,
        last_period=DEMO_LAST_PERIOD,
    )
    tasks = {t.number: t for t in plan.tasks.prefetch_related("assignments")}
    targets = dict(Target.objects.filter(plan=plan).values_list("position", "pk"))
    login_units = {login.username: login.unit_code for login in DEMO_LOGINS}
    units = {u.code: u for u in Unit.objects.filter(code__in=[c for c in login_units.values() if c])}

    for period_text in sorted({d.period for d in DEMO_REPORTS}):
        period = periods.parse_period(period_text) or DEMO_FIRST_PERIOD
        batch = [d for d in DEMO_REPORTS if d.period == period_text]
        # Units write in the days before the due date; reviewers answer a few days later.
        clock.pin(next_month(period, 14 if period_text == "2025-09" else 18))
        saved = []
        for demo in batch:
            task = tasks[demo.task]
            report = progress.save_report(
                task=task,
                unit=units[str(login_units[demo.login])],
                period=period,
                by=users[demo.login],
                narrative=demo.narrative,
                status=demo.status,
                values={targets[position]: value for position, value in demo.values},
                submit=demo.state != "draft",
                generated=True,
            )
            saved.append((demo, report))
        clock.pin(next_month(period, 16 if period_text == "2025-09" else 22))
        for demo, report in saved:
            if demo.state not in ("approved", "returned"):
                continue
            progress.review_report(
                report,
                by=reviewer_for(report, users),
                approve=demo.state == "approved",
                comment=demo.comment,
            )
    fill_routine_reports(plan, by=supervisor)
    clock.pin(DEMO_TODAY)
    send_reminders(plan, today=DEMO_TODAY)
    return True


ROUTINE_NARRATIVES = (
    "Monthly update: the planned work went ahead; no change to the schedule.",
    "Work continued as scheduled; site checks done and the ledger updated.",
    "Steady progress this month; the next steps are agreed with the lead unit.",
)
AT_RISK_NARRATIVE = "Work is behind: funding for this step is not yet released; asked the lead unit for help."


@transaction.atomic
def fill_routine_reports(
    plan: Plan, *, by: Actor, periods: list[dt.date] | None = None, with_values: bool = False
) -> int:
    """Approved routine reports for every unit's periods not yet reported (June-August by default).

    About one unit in eight skips the last period (so some tasks are overdue) and a few report a task at
    risk. With `with_values`, each report gives a value for each of its task's targets (and the targets'
    series follow), as a year of real reporting would. Generated in bulk, all marked generated, recorded
    as one audit entry. The benchmark of the dashboard uses it for a year of reports.
    """
    periods = periods or [dt.date(2025, m, 1) for m in (6, 7, 8)]
    last = max(periods)
    existing = set(ProgressReport.objects.filter(task__plan=plan).values_list("task_id", "unit_id", "period"))
    pairs = {
        (a.task_id, a.unit_id, a.task.number, a.unit.code)
        for a in Assignment.objects.filter(task__plan=plan, unit__is_group=False).select_related(
            "task", "unit"
        )
    }
    reports = []
    for task_id, unit_id, number, code in sorted(pairs):
        for period in periods:
            roll = zlib.crc32(f"{number}:{code}:{period:%Y-%m}".encode()) % 100
            if (task_id, unit_id, period) in existing or (period == last and roll < 12):
                continue
            submitted = dt.datetime.combine(next_month(period, 20), dt.time(10), tzinfo=dt.UTC)
            at_risk = roll >= 94
            reports.append(
                ProgressReport(
                    task_id=task_id,
                    unit_id=unit_id,
                    period=period,
                    narrative=AT_RISK_NARRATIVE if at_risk else ROUTINE_NARRATIVES[roll % 3],
                    status="at_risk" if at_risk else "in_progress",
                    state="approved",
                    submitted_at=submitted,
                    approved_at=submitted + dt.timedelta(days=2),
                    generated=True,
                )
            )
    created = ProgressReport.objects.bulk_create(reports)
    events = []
    for report in created:
        events.append(
            ReportEvent(
                report=report,
                action=ReportAction.SUBMITTED,
                by_unit_id=report.unit_id,
                at=report.submitted_at or report.created_at,
            )
        )
        events.append(
            ReportEvent(
                report=report,
                action=ReportAction.APPROVED,
                comment="",
                at=report.approved_at or report.created_at,
            )
        )
    ReportEvent.objects.bulk_create(events)
    if with_values:
        targets: dict[int, list[Any]] = {}
        for target in Target.objects.filter(plan=plan, task__isnull=False):
            if target.task_id is not None:
                targets.setdefault(target.task_id, []).append(target)
        values = []
        for report in created:
            for target in targets.get(report.task_id, []):
                # Creeping towards the target over the year: a spread of green, amber and red.
                share = Decimal(70 + report.period.month * 2 + zlib.crc32(str(report.pk).encode()) % 7) / 100
                values.append(
                    ReportValue(
                        report=report, target=target, value=(target.value * share).quantize(Decimal("0.001"))
                    )
                )
        ReportValue.objects.bulk_create(values)
        for report in created:
            record_report_values(report)
    record_audit(
        plan,
        action="demo.routine_reports_generated",
        actor=by,
        after={"reports": len(created)},
        plan_id=plan.pk,
    )
    return len(created)


def reviewer_for(report: Any, users: dict[str, Any]) -> Any:
    return users["supervisor"] if reviewer_is_district_office(report) else users["ecology-admin"]
