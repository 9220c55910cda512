"""What a revision archives leaves the plan's lists (here and in the other apps) but stays reachable."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from envplan.demo.loader import DemoResult
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Assignment, Task
from envplan.plans.queries import units_in_plan
from envplan.plans.services import save_plan
from envplan.progress.queries import assignments_for_units


@pytest.fixture
def revised(demo: DemoResult) -> dict[str, Any]:
    """The demo plan, revised: the last task of chapter IV's first section dropped."""
    data = copy.deepcopy(demo_plan_data())
    dropped = data["chapters"][3]["sections"][0]["tasks"].pop()
    save_plan(data, by=None)
    task = Task.with_archived.get(plan=demo.plan, number=dropped["number"])
    return {"plan": demo.plan, "task": task}


def test_archived_task_leaves_the_plan_pages(revised: dict[str, Any], supervisor_client: Client):
    plan, task = revised["plan"], revised["task"]

    overview = supervisor_client.get(reverse("plans:plan", args=[plan.pk]))
    listing = supervisor_client.get(reverse("plans:tasks", args=[plan.pk]))
    page = supervisor_client.get(reverse("plans:task", args=[plan.pk, task.number]))

    assert overview.context["task_total"] == 46
    assert sum(chapter.task_count for chapter in overview.context["chapters"]) == 46
    assert (
        sum(
            section.target_count
            for chapter in overview.context["chapters"]
            for section in chapter.sections.all()
        )
        == plan.targets.filter(task__isnull=False).count()
    )
    assert task.number not in {row.number for row in listing.context["tasks"]}
    assert page.status_code == 404
    assert 'data-testid="revision"' in overview.content.decode()


def test_archived_task_keeps_its_units_and_targets_on_its_own_page(
    revised: dict[str, Any], supervisor_client: Client
):
    task = revised["task"]

    page = supervisor_client.get(task.get_absolute_url())

    assert page.status_code == 200
    assert page.context["archived"] is True
    assert {a.pk for a in page.context["assignments"]} == set(
        Assignment.with_archived.filter(task=task).values_list("pk", flat=True)
    )
    assert len(page.context["assignments"]) > 0
    assert "revision 2" in page.content.decode()


def test_archived_task_page_of_a_current_task_is_404(demo: DemoResult, supervisor_client: Client):
    task = demo.plan.tasks.first()

    response = supervisor_client.get(reverse("plans:archived_task", args=[demo.plan.pk, task.pk]))

    assert response.status_code == 404


def test_nobody_is_asked_to_report_on_an_archived_task(revised: dict[str, Any]):
    plan, task = revised["plan"], revised["task"]
    unit_ids = set(Assignment.with_archived.filter(task=task).values_list("unit_id", flat=True))

    pairs = assignments_for_units(plan, unit_ids)

    assert pairs
    assert task.pk not in {pair_task.pk for pair_task, _unit in pairs}
    assert not Assignment.objects.filter(task=task).exists()


def test_units_of_the_plan_count_only_current_tasks(revised: dict[str, Any]):
    plan, task = revised["plan"], revised["task"]
    counts = {unit.pk: unit.task_count for unit in units_in_plan(plan)}

    for assignment in Assignment.with_archived.filter(task=task):
        current = Task.objects.filter(plan=plan, assignments__unit=assignment.unit).distinct().count()
        assert counts.get(assignment.unit_id, 0) == current


def test_reports_of_an_archived_task_can_no_longer_change(demo: DemoResult):
    import datetime as dt

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envplan.progress.errors import ErrorKind, ProgressError
    from envplan.progress.models import Evidence, ProgressReport
    from envplan.progress.services import add_evidence, save_report

    data = copy.deepcopy(demo_plan_data())
    dropped = data["chapters"][3]["sections"][0]["tasks"].pop()
    task = Task.objects.get(plan=demo.plan, number=dropped["number"])
    unit = task.assignments.get().unit
    writer = User.objects.get(username="ecology")
    draft = {"task": task, "unit": unit, "period": dt.date(2025, 9, 1), "by": writer, "status": "in_progress"}
    report = save_report(narrative="before the revision", **draft)
    save_plan(data, by=None)  # the revision drops the task
    task.refresh_from_db()
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    with pytest.raises(ProgressError) as refused:
        save_report(narrative="after the revision", expected_version=report.version, **draft)
    with pytest.raises(ProgressError) as refused_file:
        add_evidence(report, upload=pdf, by=writer)

    assert (refused.value.kind, refused.value.field) == (ErrorKind.LOCKED, "task")
    assert (refused_file.value.kind, refused_file.value.field) == (ErrorKind.LOCKED, "task")
    report.refresh_from_db()
    assert (report.narrative, report.version, Evidence.objects.count()) == ("before the revision", 1, 0)
    assert ProgressReport.objects.filter(task=task).count() == 1
