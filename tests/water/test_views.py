"""Water pages: every logged-in user reads; only supervisors and bureau officers import and edit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from envplan.accounts.models import BUREAU_OFFICERS_GROUP
from envplan.core.jobs import run_pending_jobs
from envplan.core.models import AuditEntry
from envplan.water import lake as water_lake
from envplan.water.demo_data import load_water_demo
from envplan.water.models import MonitoringSection, WaterImport
from tests.fixtures import assert_sent_to_login
from tests.jobrunner import finish_job
from tests.water.conftest import HEADER, login


@pytest.fixture
def water_demo(demo):
    return load_water_demo(plan=demo.plan)


@pytest.mark.parametrize(
    "name,args",
    [
        ("water:monitoring_sections", []),
        ("water:indicators", []),
        ("water:monitoring_section", ["KDL-W01"]),
        ("water:import", []),
    ],
)
def test_water_pages_anonymous_is_sent_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))

    assert_sent_to_login(response)


def test_monitoring_sections_page_lists_sections_coloured_by_class_for_a_unit_user(
    client, water_demo, django_assert_max_num_queries
):
    login(client, "ecology")

    with django_assert_max_num_queries(10):
        response = client.get(reverse("water:monitoring_sections"))

    rows = response.context["table"].rows
    assert response.status_code == 200
    assert [row.monitoring_section.code for row in rows] == [f"KDL-W0{i}" for i in range(1, 7)]
    assert [row.year_to_date.water_class for row in rows] == ["II", "III", "IV", "II", "III", "III"]
    assert [row.month.dry for row in rows] == [False, False, False, False, True, False]
    assert response.content.count(b'data-testid="section-row"') == 6
    assert b'data-testid="generated-label"' in response.content
    assert b'href="/water/import/"' not in response.content


def test_monitoring_section_page_shows_monthly_classes_and_chart(client, water_demo):
    login(client, "ecology")

    response = client.get(reverse("water:monitoring_section", args=["KDL-W05"]), {"item": "nh3n"})

    trend = response.context["trend"]
    assert response.status_code == 200
    assert [m.result.dry for m in trend.months] == [True] * 3 + [False] * 5 + [True] * 2
    assert [value is None for _, value in trend.points] == [True] * 3 + [False] * 5 + [True] * 2
    assert trend.limit == 1.0
    assert response.content.count(b"<polyline") == 1
    assert b'data-testid="limit-line"' in response.content
    assert b'<h1 data-testid="section-title">KDL-W05 ' in response.content


def test_monitoring_section_page_unknown_item_falls_back_to_codmn(client, water_demo):
    login(client, "housing")

    response = client.get(
        reverse("water:monitoring_section", args=["KDL-W01"]), {"item": "nonsense", "year": "x"}
    )

    assert (response.status_code, response.context["trend"].item, response.context["trend"].limit) == (
        200,
        "codmn",
        6.0,
    )


def test_indicators_page_shows_both_shares_and_the_dry_monitoring_section(client, water_demo):
    login(client, "ecology")

    response = client.get(reverse("water:indicators"))

    figures = response.context["figures"]
    month = next(block for block in figures.blocks if block.basis == "month")
    to_date = next(block for block in figures.blocks if block.basis == "ytd")
    assert response.status_code == 200
    assert (str(month.plan_rule), str(month.official), str(month.drinking)) == ("83.3", "80.0", "100.0")
    assert (str(to_date.plan_rule), str(to_date.official)) == ("83.3", "83.3")
    assert [row.monitoring_section.code for row in month.monitoring_sections if row.result.dry] == ["KDL-W05"]
    assert response.content.count(b'data-testid="dry-section"') == 1
    assert [(row.indicator.computation, row.attainment.rating) for row in figures.targets] == [
        ("water.class_iii_share_plan_rule", "green"),
        ("water.class_iii_share_plan_rule", "green"),
        ("water.drinking_water_compliance", "green"),
    ]


def test_import_page_forbidden_for_a_unit_reporter(client, demo):
    login(client, "ecology")

    assert client.get(reverse("water:import")).status_code == 403
    upload = SimpleUploadedFile("s.csv", HEADER.encode(), content_type="text/csv")
    assert client.post(reverse("water:import"), {"file": upload}).status_code == 403
    assert WaterImport.objects.count() == 0


def test_monitoring_section_edit_forbidden_for_a_unit_reporter(client, water_demo):
    login(client, "ecology")

    response = client.post(
        reverse("water:monitoring_section_edit", args=["KDL-W01"]), {"name": "Renamed", "target_class": "I"}
    )

    assert response.status_code == 403
    assert MonitoringSection.objects.get(code="KDL-W01").target_class == "II"


def test_monitoring_section_create_forbidden_for_a_unit_reporter(client, demo):
    login(client, "housing")

    assert client.get(reverse("water:monitoring_section_create")).status_code == 403


def test_import_bad_file_shows_the_per_row_report_and_stores_nothing(client, water_demo):
    login(client, "supervisor")
    text = (
        HEADER
        + "KDL-W02,2025-10-15,river,7.5,6.5,abc,0.4,0.15,\nKDL-W02,2025-10-16,river,7.5,6.5,4,0.4,-1,\n"
    )
    before = water_lake.samples().height

    job_page = finish_job(
        client, client.post(reverse("water:import"), {"file": SimpleUploadedFile("bad.csv", text.encode())})
    )
    response = client.get(job_page.context["job"].result["url"])

    assert job_page.context["job"].state == "failed"
    assert [(e["line"], e["field"]) for e in response.context["record"].errors] == [(2, "codmn"), (3, "tp")]
    assert response.content.count(b'<td data-label="File">bad.csv</td>') == 2
    assert water_lake.samples().height == before


def test_import_good_file_by_a_bureau_officer_is_stored(client, water_demo):
    officer = User.objects.create_user("officer", password="pw-officer-1")
    officer.groups.add(Group.objects.get_or_create(name=BUREAU_OFFICERS_GROUP)[0])
    client.login(username="officer", password="pw-officer-1")
    text = HEADER + "KDL-W02,2025-10-15,river,7.5,6.5,4,0.4,0.15,\n"

    response = client.post(reverse("water:import"), {"file": SimpleUploadedFile("ok.csv", text.encode())})
    run_pending_jobs()

    record = WaterImport.objects.get()
    assert response.status_code == 302
    assert (record.status, record.rows_new, record.by) == ("stored", 1, officer)


def test_monitoring_section_create_and_edit_by_a_supervisor_are_audited(client, demo):
    login(client, "supervisor")
    fields = {
        "code": "N1",
        "name": "New",
        "river_or_lake": "River",
        "waterbody": "river",
        "level": "district",
        "target_class": "III",
    }

    created = client.post(reverse("water:monitoring_section_create"), fields)
    edited = client.post(
        reverse("water:monitoring_section_edit", args=["N1"]), {**fields, "code": "ZZ", "target_class": "II"}
    )

    monitoring_section = MonitoringSection.objects.get()
    assert (created.status_code, edited.status_code) == (302, 302)
    assert (monitoring_section.code, monitoring_section.target_class) == ("N1", "II")
    assert list(
        AuditEntry.objects.filter(action__startswith="water.section")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["water.section_created", "water.section_updated"]


def test_monitoring_section_page_previous_year_has_no_samples_and_links_forward(client, water_demo):
    login(client, "ecology")

    response = client.get(reverse("water:monitoring_section", args=["KDL-W02"]), {"year": "2024"})

    trend = response.context["trend"]
    assert (response.status_code, len(trend.months), response.context["next_year"]) == (200, 12, 2025)
    assert [m.result for m in trend.months] == [None] * 12
    assert b'data-testid="trend-chart"' not in response.content
