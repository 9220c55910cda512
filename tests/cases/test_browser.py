"""One browser test: the case page, its chart with the marked spans and its outcome form, on a phone."""

from __future__ import annotations

import pytest

from envplan.accounts.models import SUPERVISORS_GROUP
from envplan.cases.models import Case
from envplan.cases.services import run_screening
from envplan.core.clock import pin as pin_clock
from envplan.sources.demo_data import load_doctored_demo
from tests.browsing import PHONE, log_in
from tests.cases.conftest import END, NOW
from tests.fixtures import member

pytestmark = pytest.mark.browser


def test_case_page_on_a_phone(transactional_db, live_server, page):
    pin_clock(NOW)
    load_doctored_demo(now=NOW)
    run_screening(end=END)
    case = Case.objects.get()
    member("chief", "browser-test", SUPERVISORS_GROUP)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "chief", "browser-test")

    page.goto(f"{live_server.url}/cases/{case.pk}/")

    chart = page.locator("[data-testid=case-chart]").first
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 390
    assert page.locator("[data-testid=marked-span]").count() == 3
    assert page.locator("[data-testid=finding]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("false alarm").check()
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("case-outcome").inner_text() == "false alarm"
