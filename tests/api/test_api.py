from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from envplan.core.models import AuditEntry
from envplan.progress import services as progress
from envplan.progress.models import ProgressReport, ReportState
from tests.world import World

PLAN_URLS = (
    "/api/plans",
    "/api/plans/{plan}",
    "/api/plans/{plan}/tasks",
    "/api/plans/{plan}/tasks/1",
    "/api/plans/{plan}/targets",
    "/api/plans/{plan}/statuses",
    "/api/reports",
)


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/reports", json.dumps(body), content_type="application/json")


def report_body(world: World, **changes: object) -> dict[str, Any]:
    body = {
        "plan": world.plan.pk,
        "task": 1,
        "unit": "housing",
        "period": "2025-05",
        "narrative": "Laid 4 km of pipe.",
        "status": "in_progress",
        "values": {str(world.target.pk): "4"},
    }
    return {**body, **changes}


@pytest.mark.parametrize("url", PLAN_URLS)
def test_api_every_endpoint_answers_401_without_a_token(world, url):
    response = Client().get(url.format(plan=world.plan.pk))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("A valid API token")


@pytest.mark.parametrize("url", PLAN_URLS)
def test_api_every_endpoint_answers_401_for_a_revoked_token(world, url):
    from envplan.api.tokens import create_token, revoke_token

    issued = create_token(world.housing_reporter)
    revoke_token(issued.token, by=world.housing_reporter)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")

    response = client.get(url.format(plan=world.plan.pk))

    assert response.status_code == 401


@pytest.mark.parametrize("url", PLAN_URLS)
def test_api_every_endpoint_answers_200_with_a_token(world, api_client, url):
    response = api_client(world.housing_viewer).get(url.format(plan=world.plan.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_api_session_login_alone_is_not_enough(world):
    client = Client()
    client.force_login(world.supervisor)

    response = client.get("/api/plans")

    assert response.status_code == 401


def test_api_plans_lists_the_plan_with_paging(world, api_client):
    response = api_client(world.housing_viewer).get("/api/plans?limit=1&offset=0")

    assert response.json() == {
        "count": 1,
        "limit": 1,
        "offset": 0,
        "items": [
            {
                "id": world.plan.pk,
                "title": "Test plan 2025",
                "issuer": "",
                "doc_number": "",
                "date": "2025-01-10",
                "year": 2025,
            }
        ],
    }


def test_api_paging_refuses_an_oversized_limit_naming_the_field(world, api_client):
    response = api_client(world.housing_viewer).get("/api/plans?limit=100000")

    assert response.status_code == 400
    assert response.json()["field"] == "limit"


def test_api_plan_detail_gives_chapters_and_reporting_calendar(world, api_client):
    body = api_client(world.housing_viewer).get(f"/api/plans/{world.plan.pk}").json()

    assert [c["number"] for c in body["chapters"]] == ["III"]
    assert body["chapters"][0]["sections"] == [{"position": 1, "number": "2", "title": "Sewers and drains"}]
    assert body["reporting"]["first_period"] == "2025-01"
    assert body["reporting"]["due_day"] == 25


def test_api_unknown_plan_is_404(world, api_client):
    response = api_client(world.housing_viewer).get("/api/plans/999999/tasks")

    assert response.status_code == 404


def test_api_tasks_filter_by_unit(world, api_client):
    client = api_client(world.housing_viewer)

    water = client.get(f"/api/plans/{world.plan.pk}/tasks?unit=water").json()
    ecology = client.get(f"/api/plans/{world.plan.pk}/tasks?unit=ecology").json()

    assert [t["number"] for t in water["items"]] == [2]
    assert [t["number"] for t in ecology["items"]] == [1]
    assert ecology["items"][0]["units"] == [
        {"code": "ecology", "name": "Ecology bureau", "role": "lead"},
        {"code": "housing", "name": "Housing bureau", "role": "responsible"},
    ]


def test_api_tasks_filter_by_unknown_chapter_is_400(world, api_client):
    response = api_client(world.housing_viewer).get(f"/api/plans/{world.plan.pk}/tasks?chapter=9")

    assert response.status_code == 400
    assert response.json()["field"] == "chapter"


def test_api_task_detail_rates_its_target_from_approved_values(world, api_client):
    report = progress.save_report(
        **world.housing_writes(progress.reporting_settings(world.plan).first_period),
        narrative="done",
        status="in_progress",
        values={world.target.pk: "12"},
        submit=True,
    )
    progress.review_report(report, by=world.ecology_admin, approve=True)

    body = api_client(world.housing_viewer).get(f"/api/plans/{world.plan.pk}/tasks/1").json()

    assert body["targets"][0]["attainment"]["rating"] == "green"
    assert body["targets"][0]["attainment"]["latest"] == 12.0
    assert body["status"]["task"] == 1
    assert body["status"]["status"] in {"on_track", "at_risk", "overdue", "done"}


def test_api_statuses_match_the_derived_task_states(world, api_client):
    from envplan.progress.status import plan_task_states

    expected = [(s.task.number, s.status) for s in plan_task_states(world.plan, today=world_today())]

    body = api_client(world.housing_viewer).get(f"/api/plans/{world.plan.pk}/statuses").json()

    assert [(item["task"], item["status"]) for item in body["items"]] == expected


def world_today() -> dt.date:
    from envplan.core import clock

    return clock.today()


def test_api_targets_lists_each_target_with_its_task_number(world, api_client):
    body = api_client(world.housing_viewer).get(f"/api/plans/{world.plan.pk}/targets").json()

    assert body["count"] == 2
    assert [(item["task"], item["value"]) for item in body["items"]] == [(1, 10.0), (2, 100.0)]
    assert body["items"][0]["attainment"]["rating"] == "unknown"


def test_api_post_report_creates_201_with_an_audit_entry(world, api_client):
    audits = AuditEntry.objects.filter(action="report.saved").count()

    response = post(api_client(world.housing_reporter), report_body(world))

    assert response.status_code == 201
    report = ProgressReport.objects.get(task=world.lead_task, unit=world.housing)
    assert response.json()["id"] == report.pk
    assert response.json()["values"] == {str(world.target.pk): 4.0}
    assert report.values.get().value == Decimal(4)
    assert AuditEntry.objects.filter(action="report.saved").count() == audits + 1
    assert AuditEntry.objects.filter(action="report.saved").first().actor == world.housing_reporter


def test_api_post_report_updates_200_and_submits(world, api_client):
    client = api_client(world.housing_reporter)
    first = post(client, report_body(world)).json()

    response = post(client, report_body(world, narrative="Laid 6 km.", version=first["version"], submit=True))

    assert response.status_code == 200
    assert response.json()["state"] == ReportState.SUBMITTED
    assert response.json()["version"] == first["version"] + 1


def test_api_post_report_for_another_units_task_is_403(world, api_client):
    response = post(api_client(world.housing_reporter), report_body(world, unit="ecology"))

    assert response.status_code == 403
    assert response.json()["field"] == "unit"
    assert not ProgressReport.objects.exists()


def test_api_post_report_by_a_viewer_is_403(world, api_client):
    response = post(api_client(world.housing_viewer), report_body(world))

    assert response.status_code == 403


def test_api_post_report_with_a_stale_version_is_409(world, api_client):
    client = api_client(world.housing_reporter)
    first = post(client, report_body(world)).json()
    post(client, report_body(world, narrative="second", version=first["version"]))

    response = post(client, report_body(world, narrative="third", version=first["version"]))

    assert response.status_code == 409
    assert response.json()["field"] == "version"
    assert ProgressReport.objects.get().narrative == "second"


def test_api_post_report_in_a_closed_period_is_400_naming_the_period(world, api_client):
    progress.close_periods(
        world.plan,
        through=progress.reporting_settings(world.plan).first_period.replace(month=5),
        by=world.supervisor,
    )

    response = post(api_client(world.housing_reporter), report_body(world, period="2025-05"))

    assert response.status_code == 400
    assert response.json()["field"] == "period"
    assert "closed" in response.json()["detail"]


def test_api_post_report_with_a_bad_value_is_400_naming_the_value(world, api_client):
    body = report_body(world, values={str(world.target.pk): "a lot"})

    response = post(api_client(world.housing_reporter), body)

    assert response.status_code == 400
    assert response.json()["field"] == f"values.{world.target.pk}"
    assert not ProgressReport.objects.exists()


def test_api_post_report_with_a_malformed_period_is_400_naming_the_period(world, api_client):
    response = post(api_client(world.housing_reporter), report_body(world, period="May 2025"))

    assert response.status_code == 400
    assert response.json()["field"] == "period"


def test_api_reports_list_follows_the_visibility_rules(world, api_client):
    for unit, user in ((world.housing, world.housing_reporter), (world.water, world.water_admin)):
        progress.save_report(
            task=world.office_task,
            unit=unit,
            period=progress.reporting_settings(world.plan).first_period,
            by=user,
            narrative="n",
            status="in_progress",
        )

    water = api_client(world.water_admin).get("/api/reports").json()
    everyone = api_client(world.supervisor).get("/api/reports").json()

    assert [item["unit"] for item in water["items"]] == ["water"]
    assert sorted(item["unit"] for item in everyone["items"]) == ["housing", "water"]


def test_api_token_last_used_is_recorded(world):
    from envplan.api.tokens import create_token

    issued = create_token(world.housing_viewer)
    Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw}").get("/api/plans")

    issued.token.refresh_from_db()
    assert issued.token.last_used is not None


def test_api_schema_is_served_as_json_with_every_path(db):
    response = Client().get("/api/openapi.json")

    schema = json.loads(response.content)
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/plans",
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/statuses",
        "/api/plans/{plan_id}/targets",
        "/api/plans/{plan_id}/tasks",
        "/api/plans/{plan_id}/tasks/{task_number}",
        "/api/reports",
    ]
    assert "post" in schema["paths"]["/api/reports"]


def test_api_docs_page_uses_local_assets_only(db):
    response = Client().get("/api/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_api_post_with_a_token_needs_no_csrf_token(world):
    from envplan.api.tokens import create_token

    raw = create_token(world.housing_reporter).raw
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = post(client, report_body(world))

    assert response.status_code == 201


def test_api_without_a_token_is_401_not_a_login_redirect(world):
    response = Client().post("/api/reports", "{}", content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_api_reports_list_query_count_does_not_grow_with_reports(
    world, api_client, django_assert_max_num_queries
):
    first = progress.reporting_settings(world.plan).first_period
    for month in range(5):
        progress.save_report(
            **world.housing_writes(first.replace(month=first.month + month)),
            narrative="n",
            status="in_progress",
            values={world.target.pk: str(month)},
        )
    client = api_client(world.supervisor)

    with django_assert_max_num_queries(8):
        body = client.get("/api/reports").json()

    assert body["count"] == 5
    assert [item["values"][str(world.target.pk)] for item in body["items"]] == [4.0, 3.0, 2.0, 1.0, 0.0]


def test_api_tasks_list_query_count_is_fixed(world, api_client, django_assert_max_num_queries):
    client = api_client(world.housing_viewer)

    with django_assert_max_num_queries(8):
        body = client.get(f"/api/plans/{world.plan.pk}/tasks").json()

    assert [t["number"] for t in body["items"]] == [1, 2, 3]
