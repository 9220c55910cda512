"""Emergency pages: everyone logged in reads; bureau officers and supervisors write; anonymous visitors go
to the login page, except for the public CAP feed."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from envplan.emergency.models import Alert, NeighbourAlert, ReductionList
from tests.emergency.conftest import DATA, login
from tests.fixtures import assert_sent_to_login

READ_PAGES = ["emergency:index", "emergency:lists", "emergency:neighbours"]


def _alert_id() -> int:
    return Alert.objects.get(generated=True).pk


@pytest.mark.parametrize("name", [*READ_PAGES, "emergency:alert_new"])
def test_pages_send_anonymous_visitors_to_login(client: Client, plan_demo, name):
    response = client.get(reverse(name))

    assert_sent_to_login(response)


def test_alert_pages_send_anonymous_visitors_to_login(client: Client, demo):
    for url in (
        reverse("emergency:alert", args=[_alert_id()]),
        reverse("emergency:compliance", args=[_alert_id()]),
        reverse("emergency:cases", args=[_alert_id(), "csv"]),
    ):
        assert client.get(url).status_code == 302


def test_unit_reporter_reads_but_gets_403_on_every_write(client: Client, demo):
    login(client, "ecology")
    pk = _alert_id()
    draft = ReductionList.objects.first()
    writes = [
        ("get", reverse("emergency:alert_new"), {}),
        ("post", reverse("emergency:alert_new"), {"region": "x"}),
        ("post", reverse("emergency:list_new"), {"title": "x", "year": 2025}),
        ("post", reverse("emergency:list_adopt", args=[draft.pk]), {"revised_on": "2025-09-01"}),
        ("post", reverse("emergency:list_revise", args=[draft.pk]), {}),
        ("post", reverse("emergency:list_import", args=[draft.pk]), {}),
        ("post", reverse("emergency:neighbour_source_new"), {"name": "x", "url": "https://x.example/"}),
        ("post", reverse("emergency:neighbour_upload"), {}),
        (
            "post",
            reverse("emergency:grades", args=[draft.entries.first().enterprise_id]),
            {"action": "record"},
        ),
    ]

    assert client.get(reverse("emergency:alert", args=[pk])).status_code == 200
    assert [getattr(client, method)(url, data).status_code for method, url, data in writes] == [403] * len(
        writes
    )
    assert ReductionList.objects.count() == 2


def test_index_and_list_pages_read_in_a_bounded_number_of_queries(
    client: Client, demo, django_assert_max_num_queries
):
    login(client, "ecology")
    revision = ReductionList.objects.get(year=2025)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("emergency:index")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("emergency:lists")).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("emergency:list", args=[revision.pk]))
    assert response.status_code == 200
    assert response.context["coverage"] == 100
    with django_assert_max_num_queries(12):
        assert client.get(reverse("emergency:neighbours")).status_code == 200


def test_compliance_page_lists_the_steel_plant_and_its_stopped_line(
    client: Client, demo, django_assert_max_num_queries
):
    login(client, "ecology")

    with django_assert_max_num_queries(20):
        response = client.get(reverse("emergency:compliance", args=[_alert_id()]))

    assert response.status_code == 200
    assert [r.entry.row_number for r in response.context["report"].non_compliant] == [2]
    assert b'data-testid="stopped-emitting"' in response.content
    assert b'data-testid="generated-label"' in response.content
    assert b'class="table-scroll"' in response.content


def test_case_list_downloads_as_excel_with_one_row_per_finding(client: Client, demo):
    login(client, "ecology")

    response = client.get(reverse("emergency:cases", args=[_alert_id(), "xlsx"]))

    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True)["cases"].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("enterprise", "credit_code", "finding")
    assert [row[2] for row in rows[1:]] == [
        "emitted more than allowed",
        "emitted more than allowed",
        "emitted more than allowed",
        "stopped line still emitting",
        "no data during the alert",
    ]
    assert client.get(reverse("emergency:cases", args=[_alert_id(), "pdf"])).status_code == 404


def test_supervisor_issues_an_alert_after_seeing_the_proposal(client: Client, demo):
    login(client, "supervisor")
    form = {
        "region": "昆都仑区", "issuer": "测试办公室", "sender": "office.test", "forecast_start": "2025-10-20",
        "forecast": "210, 230, 120", "issued_at": "2025-10-20T12:00", "response_start": "2025-10-20T18:00",
    }  # fmt: skip

    proposed = client.post(reverse("emergency:alert_new"), {**form, "action": "propose"})
    refused = client.post(reverse("emergency:alert_new"), {**form, "level": "red", "action": "save"})
    issued = client.post(reverse("emergency:alert_new"), {**form, "action": "save"})

    assert proposed.context["proposal"].level == "orange"
    assert "say why the alert is red" in refused.context["form"].errors["override_reason"][0]
    alert = Alert.objects.get(sender="office.test")
    assert issued["Location"] == alert.get_absolute_url()
    assert alert.level == "orange"
    dashboard = client.get(reverse("dashboard:plan", args=[demo.plan.pk]))
    assert b'data-testid="alert-card"' in dashboard.content


def test_officer_uploads_a_neighbour_cap_file_and_it_shows_in_force(client: Client, demo, officer):
    login(client, "officer")
    with (DATA / "qingshan_alert.xml").open("rb") as handle:
        response = client.post(reverse("emergency:neighbour_upload"), {"file": handle})

    assert response.status_code == 302
    page = client.get(reverse("emergency:neighbours"))
    assert [m.identifier for m in page.context["in_force"]] == ["qingshan-2025-007"]
    assert NeighbourAlert.objects.filter(source__isnull=True, identifier="qingshan-2025-007").exists()


def test_officer_lowers_a_grade_on_the_grades_page(client: Client, demo, officer):
    login(client, "officer")
    coking = ReductionList.objects.get(year=2025).entries.get(row_number=3).enterprise
    current = coking.performance_grades.get()

    client.post(
        reverse("emergency:grades", args=[coking.pk]),
        {
            "action": "downgrade",
            "current": current.pk,
            "grade": "B",
            "on": "2025-10-01",
            "reason": "超标排放",
        },
    )

    assert list(coking.performance_grades.order_by("valid_from").values_list("grade", flat=True)) == [
        "A",
        "B",
    ]


def test_dashboard_card_leaves_out_an_alert_lifted_more_than_a_week_ago(client: Client, demo):
    login(client, "ecology")

    response = client.get(reverse("dashboard:plan", args=[demo.plan.pk]))

    assert response.status_code == 200
    assert b'data-testid="alert-card"' not in response.content  # the demo's alert was lifted in January
