"""One browser test: the sections table and the water indicators page in Chromium."""

from __future__ import annotations

import pytest

from envplan.demo.loader import load_demo
from envplan.water.demo_data import load_water_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser


def test_monitoring_sections_table_and_water_indicators_in_a_browser(transactional_db, live_server, page):
    demo = load_demo()
    load_water_demo(plan=demo.plan)
    log_in(page, live_server.url, "ecology")

    page.goto(f"{live_server.url}/water/")

    assert page.get_by_test_id("section-row").count() == 6
    assert page.get_by_test_id("generated-label").is_visible()
    assert page.locator("[data-testid=section-table] [data-testid=dry]").count() == 1

    page.get_by_test_id("indicators-link").click()
    page.wait_for_load_state()

    month = page.get_by_test_id("share-block-month")
    assert month.get_by_test_id("share-plan-rule").inner_text().count("83.3 %") == 1
    assert month.get_by_test_id("share-official").inner_text().count("80.0 %") == 1
    assert month.get_by_test_id("dry-section").count() == 1
    assert page.locator("[data-testid=water-targets] tbody tr").count() == 3
