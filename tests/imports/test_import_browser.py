from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from envplan.accounts.models import SUPERVISORS_GROUP
from envplan.core.jobs import run_pending_jobs
from envplan.imports.models import PlanImport
from envplan.plans.models import Plan, Task, Unit
from tests.browsing import log_in
from tests.imports.conftest import PASSWORD, read_seed

pytestmark = pytest.mark.browser


def row_counts() -> tuple[int, int, int, int]:
    return (Plan.objects.count(), Task.objects.count(), Unit.objects.count(), PlanImport.objects.count())


def test_supervisor_imports_reviews_and_accepts_the_reference_plan(transactional_db, live_server, in_browser):  # type: ignore[no-untyped-def]
    seed = read_seed()
    user = User.objects.create_user("chief", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=SUPERVISORS_GROUP)[0])
    base = live_server.url

    def sign_in(page: Any) -> None:
        log_in(page, base, "chief", PASSWORD)

    def upload_seed(page: Any) -> str:
        page.goto(f"{base}/imports/")
        seed_file = {"name": "kundulun-2025.txt", "mimeType": "text/plain", "buffer": seed}
        page.set_input_files("#id_file", files=[seed_file])
        with page.expect_navigation():
            page.click("[data-testid=upload-form] button[type=submit]")
        return str(page.url)

    def open_result(page: Any) -> tuple[str, str]:
        page.reload()  # the job's page reloads itself every two seconds; do not wait for it
        summary = page.get_by_test_id("job-summary").inner_text()
        with page.expect_navigation():
            page.get_by_test_id("job-result-link").click()
        return str(page.url), summary

    in_browser(sign_in)
    job_url = in_browser(upload_seed)
    assert job_url.startswith(f"{base}/jobs/")
    run_pending_jobs()  # what the job runner of `envplan serve` does
    review_url, _summary = in_browser(open_result)
    imp = PlanImport.objects.get()
    assert review_url == f"{base}{imp.get_absolute_url()}"
    [doubt] = imp.draft["uncertain"]  # the parser is unsure of one unit of the reference plan
    source, into = doubt["unit"], doubt["candidates"][0]

    def merge(page: Any) -> tuple[int, int, int]:
        flagged = page.get_by_test_id(f"unit-{source}").get_by_test_id("uncertain").count()
        page.select_option(f"[data-testid=merge-into-{source}]", into)
        with page.expect_navigation():
            page.click(f"[data-testid=merge-{source}]")
        still_there = page.get_by_test_id(f"unit-{source}").count()
        return flagged, still_there, page.get_by_test_id("uncertain").count()

    assert in_browser(merge) == (1, 0, 0)

    def accept(page: Any) -> tuple[str, str]:
        with page.expect_navigation():
            page.click("[data-testid=accept]")
        return str(page.url), page.get_by_test_id("task-total").inner_text()

    plan_url, task_total = in_browser(accept)
    plan = Plan.objects.get()
    assert (plan_url, task_total) == (f"{base}{plan.get_absolute_url()}", "47 tasks")
    assert Unit.objects.count() == len(imp.draft["units"]) - 1
    before = row_counts()

    in_browser(upload_seed)
    run_pending_jobs()
    again_url, message = in_browser(open_result)

    assert again_url == review_url
    assert message == "This document was already imported; nothing changed."
    assert row_counts() == before
