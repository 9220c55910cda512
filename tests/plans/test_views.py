from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from envplan.plans.models import Chapter, Unit
from tests.fixtures import assert_sent_to_login


def test_plan_overview_requires_login(demo, client: Client):
    response = client.get(reverse("plans:plan", args=[demo.plan.pk]))
    assert_sent_to_login(response)


def test_plan_overview_shows_counts_by_chapter(demo, supervisor_client: Client):
    response = supervisor_client.get(reverse("plans:plan", args=[demo.plan.pk]))
    assert response.status_code == 200
    chapters = response.context["chapters"]
    assert sum(chapter.task_count for chapter in chapters) == 47
    assert response.context["task_total"] == 47
    assert response.context["target_total"] == demo.plan.targets.count()
    assert "47 tasks" in response.content.decode()


def test_home_redirects_to_the_current_plan(demo, supervisor_client: Client):
    response = supervisor_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == demo.plan.get_absolute_url()


def test_task_list_filters_by_unit(demo, supervisor_client: Client):
    unit = Unit.objects.get(code="housing-bureau-kundulun")
    expected = set(unit.tasks.filter(plan=demo.plan).values_list("number", flat=True))
    response = supervisor_client.get(reverse("plans:tasks", args=[demo.plan.pk]), {"unit": unit.code})
    assert response.status_code == 200
    assert {task.number for task in response.context["tasks"]} == expected
    assert 0 < len(expected) < 47


def test_task_list_filters_by_chapter(demo, supervisor_client: Client):
    chapter = Chapter.objects.get(plan=demo.plan, number="IV")
    response = supervisor_client.get(
        reverse("plans:tasks", args=[demo.plan.pk]), {"chapter": chapter.position}
    )
    numbers = [task.number for task in response.context["tasks"]]
    assert numbers == sorted(
        chapter.sections.values_list("tasks__number", flat=True).exclude(tasks__number=None)
    )


def test_task_list_renders_with_a_fixed_number_of_queries(
    demo, supervisor_client: Client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("plans:tasks", args=[demo.plan.pk]))
    assert response.status_code == 200


def test_task_page_shows_units_and_targets(demo, supervisor_client: Client):
    response = supervisor_client.get(reverse("plans:task", args=[demo.plan.pk, 43]))
    assert response.status_code == 200
    task = response.context["task"]
    assert [str(target.value.normalize()) for target in task.targets.all()] == ["24"]
    assert task.assignments.count() >= 1


def test_task_page_unknown_number_is_404(demo, supervisor_client: Client):
    assert supervisor_client.get(reverse("plans:task", args=[demo.plan.pk, 99])).status_code == 404


def test_unit_page_lists_tasks_by_role(demo, supervisor_client: Client):
    response = supervisor_client.get(reverse("plans:unit", args=["ecology-bureau-kundulun"]))
    assert response.status_code == 200
    by_role = response.context["unit_tasks"].by_role
    assert by_role["lead"]
    assert sum(len(tasks) for tasks in by_role.values()) >= 20


def test_unit_page_requires_login(demo, client: Client):
    response = client.get(reverse("plans:unit", args=["ecology-bureau-kundulun"]))
    assert response.status_code == 302


@pytest.mark.parametrize(("language", "expected"), [("fr", "Tâches"), ("zh-hans", "任务"), ("en", "Tasks")])
def test_pages_follow_the_browser_language(demo, supervisor_client: Client, language, expected):
    response = supervisor_client.get(
        reverse("plans:tasks", args=[demo.plan.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert f"<h1>{expected}</h1>" in response.content.decode()


def test_language_switch_sets_the_language(demo, supervisor_client: Client):
    supervisor_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = supervisor_client.get(reverse("plans:tasks", args=[demo.plan.pk]))
    assert "<h1>Tâches</h1>" in response.content.decode()


def test_unit_names_follow_the_language(demo, supervisor_client: Client):
    unit = Unit.objects.get(code="ecology-bureau-kundulun")
    response = supervisor_client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"<h1>{unit.name_zh}" in response.content.decode()


def test_login_page_is_public(client: Client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200


def test_health_is_public(client: Client, db):
    assert client.get(reverse("health")).json() == {"status": "ok"}
