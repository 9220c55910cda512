"""The main pages under the Content-Security-Policy in Chromium: nothing is refused, and the one script
(the language selector) still works."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from envplan.air.demo_data import load_air_demo
from envplan.core.jobs import enqueue
from envplan.demo.loader import load_demo
from envplan.water.demo_data import load_water_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser

# Runs before the page's own code and is not subject to its policy: records every refusal.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def test_main_pages_load_without_a_content_security_policy_violation(transactional_db, live_server, page):  # type: ignore[no-untyped-def]
    demo = load_demo()
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 1))
    load_water_demo(plan=demo.plan)
    plan = demo.plan.pk
    supervisor = User.objects.get(username="supervisor")
    job = enqueue("imports.plan", by=supervisor, upload=SimpleUploadedFile("plan.txt", b"1. A task.\n"))
    pages = [
        reverse("login"),
        reverse("plans:plan", args=[plan]),
        reverse("plans:tasks", args=[plan]),
        reverse("plans:task", args=[plan, 1]),
        reverse("plans:units"),
        reverse("dashboard:plan", args=[plan]),
        reverse("exports:index", args=[plan]),
        reverse("exports:assessment", args=[plan]),
        reverse("air:stations"),
        "/air/stations/1586A/?days=7&month=2025-10",
        "/air/cities/Baotou/",
        reverse("water:monitoring_sections"),
        reverse("water:indicators"),
        reverse("sources:devices"),
        reverse("imports:list"),
        reverse("progress:mine"),
        reverse("progress:notifications"),
        job.get_absolute_url(),
        "/api/docs",
    ]
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, live_server.url, "supervisor")

    seen: dict[str, list[str]] = {}
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__violations")

    assert {path: found for path, found in seen.items() if found} == {}
    assert errors == []


def test_language_selector_still_switches_under_the_policy(transactional_db, live_server, page):  # type: ignore[no-untyped-def]
    load_demo()
    page.goto(f"{live_server.url}/accounts/login/")

    with page.expect_navigation():
        page.select_option("#language-select", "fr")

    assert page.locator("html").get_attribute("lang") == "fr"
