from __future__ import annotations

import pytest

from envplan.demo.loader import load_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser


def test_supervisor_logs_in_and_sees_the_plan(transactional_db, live_server, page):
    demo = load_demo()
    log_in(page, live_server.url, "supervisor")
    page.wait_for_url(f"{live_server.url}{demo.plan.get_absolute_url()}")
    assert page.locator("h1").first.inner_text() == demo.plan.title
    assert page.get_by_test_id("task-total").inner_text() == "47 tasks"
    assert page.locator("article.chapter").count() == 8
    # The stylesheet is served (static files work in the real server path too).
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"


def test_unit_user_filters_tasks_and_switches_language(transactional_db, live_server, page):
    demo = load_demo()
    log_in(page, live_server.url, "ecology")
    page.wait_for_url(f"{live_server.url}{demo.plan.get_absolute_url()}")
    page.goto(f"{live_server.url}/plans/{demo.plan.pk}/tasks/?unit=housing-bureau-kundulun")
    count_text = page.get_by_test_id("task-count").inner_text()
    assert count_text.endswith("tasks") and int(count_text.split()[0]) < 47
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("h1").first.inner_text() == "任务"


def test_wrong_password_is_refused(transactional_db, live_server, page):
    load_demo()
    log_in(page, live_server.url, "supervisor", "not-the-password")
    assert page.locator("[role=alert]").count() == 1
