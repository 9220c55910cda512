"""Issue 18's workflow items: who approved, the return comment on the edit form, absolute e-mail links,
audit and evidence times from the application's clock, an approval for the running month on the
dashboard from its day, and expected refusals (403) and missing pages (404) on our own pages."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from envplan.core import clock
from envplan.core.models import AuditEntry
from envplan.dashboard.queries import plan_dashboard
from envplan.progress import services
from envplan.progress.models import ProgressReport
from tests.progress.factories import TODAY, World, minimal_pdf
from tests.progress.factories import housing_report as shared_housing_report

MAY, JUNE = dt.date(2025, 5, 1), dt.date(2025, 6, 1)


def housing_report(
    world: World, *, period: dt.date = MAY, value: str = "4.5", submit: bool = True
) -> ProgressReport:
    return shared_housing_report(world, period=period, value=value, submit=submit)


def test_the_report_page_says_who_approved(world: World, login):  # type: ignore[no-untyped-def]
    world.ecology_admin.first_name, world.ecology_admin.last_name = "Li", "Ming"
    world.ecology_admin.save()
    report = housing_report(world)
    services.review_report(report, by=world.ecology_admin, approve=True)
    page = login(world.housing_reporter).get(report.get_absolute_url())
    row = page.content.decode().split('data-testid="approved-by">')[1].split("</dd>")[0]
    assert "Li Ming" in row and world.ecology.display_name in row


def test_the_edit_form_shows_the_return_comment(world: World, login):  # type: ignore[no-untyped-def]
    report = housing_report(world)
    services.review_report(report, by=world.ecology_admin, approve=False, comment="Add the photos of km 3.")
    url = reverse("progress:edit", args=[world.lead_task.pk, world.housing.code, "2025-05"])
    page = login(world.housing_reporter).get(url).content.decode()
    assert 'data-testid="return-comment"' in page and "Add the photos of km 3." in page
    # Once submitted again, the comment is history (on the report page), not a notice on the form.
    services.save_report(
        **world.housing_writes(MAY),
        narrative="With photos.",
        status="in_progress",
        submit=True,
    )
    assert 'data-testid="return-comment"' not in login(world.housing_reporter).get(url).content.decode()


def test_e_mail_links_are_absolute(world: World, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.ENVPLAN_SITE_URL = "https://envplan.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.ecology_admin.email = "eco-admin@example.org"
    world.ecology_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = housing_report(world)
    assert [m.to for m in mail.outbox] == [["eco-admin@example.org"]]
    assert f"https://envplan.example.org{report.get_absolute_url()}" in mail.outbox[0].body


def test_audit_and_evidence_times_come_from_the_application_clock(world: World):
    report = housing_report(world, submit=False)
    upload = SimpleUploadedFile("photo.pdf", minimal_pdf(), content_type="application/pdf")
    evidence = services.add_evidence(report, upload=upload, by=world.housing_reporter)
    pinned = clock.now()
    assert pinned.date() == TODAY
    assert evidence.uploaded_at == pinned
    assert {entry.created_at for entry in AuditEntry.objects.all()} == {pinned}


def test_an_approval_for_the_running_month_is_the_latest_value_from_its_day(world: World):
    report = housing_report(world, period=MAY, value="4.5")
    services.review_report(report, by=world.ecology_admin, approve=True)
    report = housing_report(world, period=JUNE, value="7.25")
    services.review_report(report, by=world.ecology_admin, approve=True)
    rows = plan_dashboard(world.plan, today=TODAY).targets
    row = next(r for r in rows if r.target.pk == world.target.pk)
    assert (row.attainment.latest, row.attainment.latest_date) == (Decimal("7.25"), TODAY)


def test_an_expected_refusal_is_our_page_and_one_log_line(world: World, login, caplog):  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        response = login(world.housing_reporter).get(reverse("progress:review_queue"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates] and "base.html" in [
        t.name for t in response.templates
    ]
    assert [r.exc_info for r in caplog.records if r.exc_info] == []
    path = reverse("progress:review_queue")
    assert [r.getMessage() for r in caplog.records] == [f"Forbidden (Permission denied): {path}"]


def test_a_missing_page_is_ours_in_the_readers_language(world: World, login, settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    client = login(world.housing_reporter)
    # The request switches this thread's language to French: override puts the previous one back.
    with translation.override("en"):
        response = client.get("/no-such-page/", headers={"accept-language": "fr"})
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates] and "base.html" in [
        t.name for t in response.templates
    ]
    assert '<html lang="fr">' in response.content.decode()


def test_a_refused_form_token_is_our_page_in_the_readers_language(world: World) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    with translation.override("en"):
        response = client.post(reverse("login"), {"username": "x"}, headers={"accept-language": "zh-hans"})
    assert response.status_code == 403
    assert {"403_csrf.html", "base.html"} <= {t.name for t in response.templates}
    assert '<html lang="zh-hans">' in response.content.decode()
