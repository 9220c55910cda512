"""Air pages: every logged-in user reads; only supervisors and bureau officers import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from envplan.accounts.models import BUREAU_OFFICERS_GROUP
from envplan.air.demo_data import load_air_demo
from envplan.air.models import AirImport
from tests.air.conftest import login
from tests.fixtures import assert_sent_to_login
from tests.jobrunner import finish_job


@pytest.fixture
def air_demo(demo):
    return load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 1))


def test_stations_page_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("air:stations"))

    assert_sent_to_login(response)


def test_stations_page_lists_stations_with_map_for_a_unit_user(
    client, air_demo, django_assert_max_num_queries
):
    login(client, "ecology")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("air:stations"))

    assert response.status_code == 200
    assert [row.station.code for row in response.context["rows"]] == [
        "1585A",
        "1586A",
        "1587A",
        "1588A",
        "1589A",
        "1590A",
    ]
    assert response.content.count(b"<circle") == 6
    assert b'data-testid="generated-label"' in response.content


def test_station_page_shows_chart_and_calendar(client, air_demo):
    login(client, "ecology")

    response = client.get(reverse("air:station", args=["1586A"]), {"days": "3", "month": "2025-10"})

    assert response.status_code == 200
    days = [cell for week in response.context["weeks"] for cell in week if cell.aqi is not None]
    assert [cell.day for cell in days] == [dt.date(2025, 10, d) for d in range(1, 21)]
    assert response.context["hours"] == 72
    assert response.content.count(b"<polyline") >= 1


def test_station_page_unknown_station_is_404(client, air_demo):
    login(client, "ecology")

    assert client.get(reverse("air:station", args=["NOPE"])).status_code == 404


def test_city_dashboard_shows_targets_with_projection(client, air_demo):
    login(client, "supervisor")

    response = client.get(reverse("air:city", args=["Baotou"]))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert [row.indicator.computation for row in figures.targets] == [
        "air.pm25_ytd_mean",
        "air.good_days_ratio_ytd",
        "air.heavy_pollution_days_share_ytd",
    ]
    assert [row.indicator.provenance for row in figures.targets] == ["set by the city"] * 3
    assert len(figures.stations) == 6


def test_import_page_is_forbidden_to_a_unit_user(client, demo):
    login(client, "ecology")

    assert client.get(reverse("air:import")).status_code == 403
    assert client.post(reverse("air:import"), {"format": "csv"}).status_code == 403


def test_import_page_is_open_to_a_bureau_officer(client, demo, django_user_model):
    officer = django_user_model.objects.create_user("officer", password="pw-officer-1")
    officer.groups.add(Group.objects.get_or_create(name=BUREAU_OFFICERS_GROUP)[0])
    client.login(username="officer", password="pw-officer-1")

    assert client.get(reverse("air:import")).status_code == 200


def test_import_upload_by_supervisor_shows_the_error_report(client, air_demo):
    login(client, "supervisor")
    content = (
        b"station_code,time,pm25,pm10,so2,no2,co,o3\n"
        b"1585A,2025-10-21T01:00,35,60,8,30,0.6,40\n"
        b"ZZZ,2025-10-21T01:00,35,60,8,30,0.6,40\n"
    )
    upload = SimpleUploadedFile("upload.csv", content, content_type="text/csv")

    response = finish_job(client, client.post(reverse("air:import"), {"file": upload, "format": "csv"}))

    record = AirImport.objects.get(file_name="upload.csv")
    assert response.context["job"].result["url"] == reverse("air:import_detail", args=[record.pk])
    assert record.rows == 1
    assert b"unknown station ZZZ" in response.content


def test_import_upload_unreadable_file_fails_its_job_with_the_reason(client, air_demo):
    login(client, "supervisor")
    upload = SimpleUploadedFile("x.json", b"{not json", content_type="application/json")

    response = finish_job(client, client.post(reverse("air:import"), {"file": upload, "format": "cnemc"}))

    assert response.context["job"].state == "failed"
    assert b"x.json, line 1: not a readable cnemc file" in response.content
