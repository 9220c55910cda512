"""One browser test: device status and an outlet's chart render in Chromium on a phone-sized screen."""

from __future__ import annotations

import datetime as dt

import pytest

from envplan.accounts.models import SUPERVISORS_GROUP
from envplan.core.clock import pin as pin_clock
from envplan.sources.demo_data import load_sources_demo
from envplan.sources.models import Outlet
from tests.browsing import PHONE, log_in
from tests.fixtures import member

pytestmark = pytest.mark.browser
NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_device_status_and_outlet_chart_on_a_phone(transactional_db, live_server, page, settings, tmp_path):
    settings.LAKE_URL = str(tmp_path / "lake")
    pin_clock(NOW)
    load_sources_demo(now=NOW)
    member("chief", "browser-test", SUPERVISORS_GROUP)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "chief", "browser-test")

    page.goto(f"{live_server.url}/sources/")

    assert page.get_by_test_id("device-row").count() == 5
    assert page.get_by_test_id("online-summary").is_visible()

    page.goto(f"{live_server.url}/sources/outlets/{Outlet.objects.get(code='DA001').pk}/?days=7")

    chart = page.locator("[data-testid=outlet-chart]").first
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 390
    assert page.locator("[data-testid=limit-line]").count() == 3
