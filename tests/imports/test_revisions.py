"""Re-importing a revised plan: nothing of its history is lost, and the review page shows the difference.

The attack of the "Safe ground" issue: the reference plan is imported, units report on it (values,
evidence, review events, indicator values), then a revised document with the same issuer and number comes
in: one task's text edited, one task removed (the following ones renumbered), one task added, one task's
target and one main goal changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envplan.accounts.models import MemberRole, Membership
from envplan.core.models import AuditEntry, DemoClock
from envplan.imports import services
from envplan.imports.models import ImportStatus
from envplan.indicators.models import Indicator, IndicatorValue
from envplan.indicators.services import record_value
from envplan.plans.models import Assignment, Plan, PlanRevision, Target, Task
from envplan.progress import services as progress
from envplan.progress.models import Evidence, ProgressReport, ReportEvent, ReportValue
from tests.progress.factories import minimal_pdf

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2025, 6, 1)
NEW_TASK = (
    "16. Installer des micro-stations de mesure de la qualité de l'air dans chaque quartier et chaque ville, "
    "et publier chaque mois le classement des quartiers selon leur concentration de PM2,5.\n\n"
    "Unité responsable : Bureau de l'environnement écologique de la branche de Kunqu de Baotou\n\n"
)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def revised(seed: bytes) -> bytes:
    """The reference plan, revised: task 13 removed (14 to 16 renumbered 13 to 15), a new task 16, task 17's
    straw target raised from 90 % to 95 %, task 18's text edited, and the class-III goal raised to 85 %."""
    text = seed.decode("utf-8")
    start = text.index("13. Promouvoir la gouvernance approfondie")
    end = text.index("(VII) Renforcer globalement")
    text = text[:start] + text[end:]
    text = replace_once(text, "\n14. Renforcer la gestion intégrée", "\n13. Renforcer la gestion intégrée")
    text = replace_once(
        text, "\n15. Mettre en œuvre des mesures de lutte", "\n14. Mettre en œuvre des mesures de lutte"
    )
    text = replace_once(
        text,
        "\n16. Promouvoir la construction de transports",
        "\n15. Promouvoir la construction de transports",
    )
    text = replace_once(text, "(IX) Promouvoir la lutte contre", NEW_TASK + "(IX) Promouvoir la lutte contre")
    text = replace_once(text, "de la paille atteignant 90\u00a0%", "de la paille atteignant 95\u00a0%")
    text = replace_once(
        text,
        "Les véhicules transportant des matériaux tels que le charbon et les scories",
        "Les camions transportant du charbon, des scories ou des déblais de chantier",
    )
    text = replace_once(text, "classe III doit atteindre 83,3\u00a0%", "classe III doit atteindre 85\u00a0%")
    return text.encode("utf-8")


def report_on(task: Task, *, supervisor: User, value: str, index: int) -> ProgressReport:
    """A unit of the task writes a report with a value for each target and a PDF, submits it, and the
    district office approves it (which copies the values into the indicators)."""
    unit = Assignment.objects.filter(task=task).order_by("pk").first().unit  # type: ignore[union-attr]
    reporter = User.objects.create_user(f"reporter-{index}")
    Membership.objects.create(user=reporter, unit=unit, role=MemberRole.REPORTER)
    values = {target.pk: value for target in task.targets.all()}
    which = {"task": task, "unit": unit, "period": PERIOD, "by": reporter}
    written = {"narrative": "Work done.", "status": "in_progress", "values": values}
    report = progress.save_report(**which, **written)
    upload = SimpleUploadedFile(f"proof-{index}.pdf", minimal_pdf(), content_type="application/pdf")
    progress.add_evidence(report, upload=upload, by=reporter)
    report.refresh_from_db()
    progress.save_report(**which, **written, expected_version=report.version, submit=True)
    return progress.review_report(report, by=supervisor, approve=True)


def history() -> dict[str, set[int]]:
    return {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (ProgressReport, ReportValue, Evidence, ReportEvent, Indicator, IndicatorValue)
    }


@pytest.fixture
def reported_plan(seed: bytes, supervisor: User, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    DemoClock.objects.create(today=dt.date(2025, 7, 10), note="tests")
    imp, _ = services.create_import(filename="kundulun-2025.txt", content=seed, by=supervisor)
    plan = services.accept_import(imp, by=supervisor)
    tasks = {task.number: task for task in plan.tasks.all()}
    reports = {
        number: report_on(tasks[number], supervisor=supervisor, value=value, index=number)
        for number, value in ((13, "1"), (14, "1"), (17, "88"), (18, "75"))
    }
    goal = plan.targets.get(task__isnull=True, value=Decimal("83.3"))
    record_value(
        Indicator.objects.create(target=goal), by=supervisor, date=dt.date(2025, 6, 30), value=Decimal(80)
    )
    return {"plan": plan, "tasks": tasks, "reports": reports, "goal": goal}


def test_reimporting_a_revised_plan_keeps_every_report_file_event_and_value(
    reported_plan: dict[str, Any], seed: bytes, supervisor: User
):
    plan, tasks, reports = reported_plan["plan"], reported_plan["tasks"], reported_plan["reports"]
    before = history()
    assert {name: len(pks) for name, pks in before.items()} == {
        "ProgressReport": 4,
        "ReportValue": 3,  # task 14 has no target
        "Evidence": 4,
        "ReportEvent": 16,  # saved, evidence added, submitted and approved, for each report
        "Indicator": 4,
        "IndicatorValue": 4,
    }
    files = list(Evidence.objects.values_list("file", flat=True))
    straw = tasks[17].targets.get()

    imp, _ = services.create_import(
        filename="kundulun-2025-revised.txt", content=revised(seed), by=supervisor
    )
    again = services.accept_import(imp, by=supervisor, expected_revision=1)

    assert again.pk == plan.pk
    assert Plan.objects.count() == 1
    assert history() == before
    assert all(default_storage.exists(name) for name in files)
    current = {task.number: task for task in plan.tasks.all()}
    assert len(current) == 47
    # The removed task is archived with its report, evidence, value and indicator value.
    removed = Task.with_archived.get(pk=tasks[13].pk)
    assert removed.archived_in == PlanRevision.objects.get(plan=plan, number=2)
    assert list(removed.reports.all()) == [reports[13]]
    assert reports[13].values.get().target.archived_in_id == removed.archived_in_id
    # Renumbered, edited and re-targeted tasks are the same rows, so their reports follow them.
    assert (current[13].pk, current[13].reports.get()) == (tasks[14].pk, reports[14])
    assert (current[18].pk, current[18].reports.get()) == (tasks[18].pk, reports[18])
    assert "déblais de chantier" in current[18].summary
    assert current[17].targets.get().pk == straw.pk
    assert (current[17].targets.get().value, straw.reported_values.get().value) == (Decimal(95), Decimal(88))
    assert current[16].pk not in {task.pk for task in tasks.values()}
    assert current[16].reports.count() == 0
    goal = Target.objects.get(pk=reported_plan["goal"].pk)
    assert (goal.value, goal.indicator_link.values.get().value) == (Decimal(85), Decimal(80))
    imp.refresh_from_db()
    assert imp.status == ImportStatus.ACCEPTED
    revised_entry = AuditEntry.objects.get(action="plan.revised")
    assert (revised_entry.after["revision"], revised_entry.after["changes"]["tasks_removed"]) == (2, 1)


def test_review_page_shows_the_difference_before_accepting(
    reported_plan: dict[str, Any], seed: bytes, supervisor: User, supervisor_client: Client
):
    tasks = reported_plan["tasks"]
    imp, _ = services.create_import(
        filename="kundulun-2025-revised.txt", content=revised(seed), by=supervisor
    )
    before = history()

    response = supervisor_client.get(reverse("imports:review", args=[imp.pk]))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.plan, preview.revision) == (reported_plan["plan"], 1)
    assert [row.change.number for row in preview.added] == [16]
    assert [unit.role for unit in preview.added[0].units_added] == ["responsible"]
    assert [(row.change.old.number, row.reports) for row in preview.removed] == [(13, 1)]
    changed = {row.change.old.number: row for row in preview.changed}
    assert sorted(changed) == [14, 15, 16, 17, 18]
    assert {old: row.change.number for old, row in changed.items()} == {
        14: 13,
        15: 14,
        16: 15,
        17: 17,
        18: 18,
    }
    assert [row.change.old.id for row in changed.values()] == [tasks[n].pk for n in (14, 15, 16, 17, 18)]
    assert changed[14].change.fields == ("number",)
    assert changed[18].change.fields == ("summary",)
    assert changed[18].reports == 1
    assert [(t.kind, t.fields) for t in changed[17].targets] == [("changed", ["value", "as written"])]
    assert [(t.kind, t.fields) for t in preview.goals] == [("changed", ["value", "as written"])]
    assert preview.counts["tasks_unchanged"] == 41
    html = response.content.decode()
    assert 'data-testid="revision-diff"' in html
    assert 'name="revision" value="1"' in html
    assert "Installer des micro-stations" in html
    assert "déblais de chantier" in html
    assert history() == before  # showing the difference stores nothing
    assert reported_plan["plan"].revisions.count() == 1


def test_accepting_after_the_plan_changed_meanwhile_is_refused(
    reported_plan: dict[str, Any], seed: bytes, supervisor: User, supervisor_client: Client
):
    first, _ = services.create_import(filename="a.txt", content=revised(seed), by=supervisor)
    second_text = revised(seed).replace(b"publier chaque mois", b"publier chaque trimestre")
    second, _ = services.create_import(filename="b.txt", content=second_text, by=supervisor)
    services.accept_import(first, by=supervisor, expected_revision=1)

    response = supervisor_client.post(
        reverse("imports:accept", args=[second.pk]), {"revision": "1"}, follow=True
    )

    second.refresh_from_db()
    assert second.status == ImportStatus.PENDING
    assert "now at revision 2" in response.content.decode()
    assert reported_plan["plan"].revisions.count() == 2


def test_archived_task_page_shows_its_reports_and_the_revision(
    reported_plan: dict[str, Any], seed: bytes, supervisor: User, supervisor_client: Client
):
    plan, removed = reported_plan["plan"], reported_plan["tasks"][13]
    imp, _ = services.create_import(filename="r.txt", content=revised(seed), by=supervisor)
    services.accept_import(imp, by=supervisor)

    listing = supervisor_client.get(reverse("plans:revisions", args=[plan.pk]))
    page = supervisor_client.get(reverse("plans:archived_task", args=[plan.pk, removed.pk]))
    current_13 = supervisor_client.get(reverse("plans:task", args=[plan.pk, 13]))

    assert [task.pk for task in listing.context["archived_tasks"]] == [removed.pk]
    assert [revision.number for revision in listing.context["revisions"]] == [2, 1]
    assert page.status_code == 200
    assert 'data-testid="archived-banner"' in page.content.decode()
    assert [report.pk for report in page.context["reports"]] == [reported_plan["reports"][13].pk]
    assert current_13.context["task"].pk == reported_plan["tasks"][14].pk
    assert Task.with_archived.get(pk=removed.pk).get_absolute_url() == page.wsgi_request.path
