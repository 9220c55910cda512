"""One browser test: the station page and the city dashboard render their charts in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest

from envplan.air.demo_data import load_air_demo
from envplan.demo.loader import load_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser


def test_station_page_and_city_dashboard_in_a_browser(transactional_db, live_server, page):
    demo = load_demo()
    load_air_demo(plan=demo.plan, generated_from=dt.date(2025, 10, 1))
    log_in(page, live_server.url, "ecology")

    page.goto(f"{live_server.url}/air/stations/1586A/?days=7&month=2025-10")

    assert page.get_by_test_id("station-title").inner_text().startswith("1586A Baobai Building")
    assert page.locator("[data-testid=hourly-chart] polyline").count() >= 1
    assert page.get_by_test_id("calendar-day").count() == 20
    assert page.get_by_test_id("generated-label").is_visible()

    page.goto(f"{live_server.url}/air/cities/Baotou/")

    assert page.locator("[data-testid=air-targets] tbody tr").count() == 3
    assert page.locator("[data-testid=station-map] circle").count() == 6
    assert page.get_by_test_id("tile-pm25").is_visible()
