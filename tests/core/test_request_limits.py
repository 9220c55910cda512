"""A body announced over the limit is refused from its Content-Length, before any of it is read.

The test client's payload holds only the small form; Django reading past it would fail the test loudly
(FakePayload refuses to read more than it has), so a 413 here means nothing was read.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse

from envplan.core.models import AuditEntry, Job
from envplan.core.uploads import request_limit_bytes
from envplan.progress.models import Evidence, ProgressReport
from tests.progress.factories import PASSWORD, World, build_world, minimal_pdf

GIGABYTE = 1024**3
MB = 1024 * 1024


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def reporter(world: World, client: Client) -> Client:
    assert client.login(username=world.housing_reporter.username, password=PASSWORD)
    return client


def test_evidence_upload_announcing_a_gigabyte_is_refused_unread_and_nothing_is_stored(
    world: World, reporter: Client
):
    url = reverse("progress:edit", args=[world.lead_task.pk, "housing", "2025-05"])
    pdf = SimpleUploadedFile("site.pdf", minimal_pdf(), content_type="application/pdf")
    audits = AuditEntry.objects.count()

    response = reporter.post(
        url,
        {"narrative": "x", "status": "in_progress", "evidence": [pdf], "save": "1"},
        CONTENT_LENGTH=str(GIGABYTE),
    )

    assert response.status_code == 413
    text = response.content.decode()
    assert "it is 1024.0 MB, and this form accepts at most 50 MB. Nothing was stored." in text
    assert (ProgressReport.objects.count(), Evidence.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        audits,
    )


def test_batch_upload_over_the_upload_limit_is_refused_unread(world: World, reporter: Client, settings):
    settings.ENVPLAN_MAX_UPLOAD_MB = 2
    url = reverse("exports:batch", args=[world.plan.pk, "housing"])
    file = SimpleUploadedFile("reports.xlsx", b"PK\x03\x04")

    response = reporter.post(url, {"file": file, "mode": "draft"}, CONTENT_LENGTH=str(3 * MB))

    assert response.status_code == 413
    assert "this form accepts at most 2 MB" in response.content.decode()
    assert Job.objects.count() == 0


def test_plan_import_upload_over_its_limit_is_refused_unread(world: World, client: Client):
    assert client.login(username=world.supervisor.username, password=PASSWORD)
    file = SimpleUploadedFile("plan.txt", b"1. A task.\n")

    response = client.post(reverse("imports:list"), {"file": file}, CONTENT_LENGTH=str(6 * MB))

    assert response.status_code == 413
    assert "this form accepts at most 5 MB" in response.content.decode()
    assert Job.objects.count() == 0


def test_request_limit_is_the_views_own_else_the_default(settings):
    settings.ENVPLAN_MAX_REQUEST_MB = 50
    settings.ENVPLAN_MAX_UPLOAD_MB = 20
    limits = {
        name: request_limit_bytes(resolve(path).func) // MB
        for name, path in [
            ("air import", "/air/import/"),
            ("water import", "/water/import/"),
            ("plan import", "/imports/"),
            ("batch", "/exports/plans/1/units/housing/batch/"),
            ("login", "/accounts/login/"),
        ]
    }

    assert limits == {"air import": 50, "water import": 20, "plan import": 5, "batch": 20, "login": 50}


def test_anonymous_post_announcing_a_gigabyte_is_refused_before_the_login_check(client: Client, db: None):
    response = client.post("/accounts/login/", {"username": "x"}, CONTENT_LENGTH=str(GIGABYTE))

    assert response.status_code == 413


def test_normal_upload_within_the_limit_still_goes_through(world: World, reporter: Client):
    url = reverse("progress:edit", args=[world.lead_task.pk, "housing", "2025-05"])
    pdf = SimpleUploadedFile("site.pdf", minimal_pdf(), content_type="application/pdf")
    data = {
        "narrative": "Laid pipe.",
        "status": "in_progress",
        f"value_{world.target.pk}": "3",
        "version": "0",
        "save": "1",
        "evidence": [pdf],
    }

    response = reporter.post(url, data)

    assert response.status_code == 302
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["site.pdf"]
