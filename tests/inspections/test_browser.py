"""Phone first: on a 360 px screen, the on-site record form, the record page, the public draw record and
the rectification pages fit the width (tables scroll inside their box, never the page)."""

from __future__ import annotations

import pytest

from envplan.demo.loader import load_demo
from envplan.demo.logins import DEMO_PASSWORD, demo_password_hash
from envplan.inspections.demo import load_inspections_demo
from envplan.inspections.models import Draw, DrawState, InspectionRecord, RectificationTask
from tests.browsing import log_in

pytestmark = pytest.mark.browser
WIDTH = 360


def test_enforcement_pages_fit_a_360_px_phone(transactional_db, live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = load_demo().plan
    load_inspections_demo(plan=plan, password_hash=demo_password_hash(DEMO_PASSWORD))
    record = InspectionRecord.objects.filter(task__code="KDL-2025-Q4", state="draft").first()
    inspector = record.inspectors.first().user.username
    draw = Draw.objects.filter(state=DrawState.PUBLISHED).first()
    task = RectificationTask.objects.get(number=17)
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 780})
    phone = context.new_page()
    log_in(phone, live_server.url, inspector)

    widths = {}
    for path in (
        f"/inspections/records/{record.pk}/edit/",
        record.get_absolute_url(),
        "/inspections/records/",
        draw.get_public_url(),
        "/inspections/rectifications/",
        task.get_absolute_url(),
        task.get_public_url(),
    ):
        phone.goto(f"{live_server.url}{path}")
        widths[path] = phone.evaluate("document.documentElement.scrollWidth")

    camera = phone.locator("input[type=file][capture=environment]")
    phone.goto(f"{live_server.url}{record.get_absolute_url()}")
    assert camera.count() == 1 and camera.get_attribute("accept") == "image/*"
    context.close()
    assert widths == dict.fromkeys(widths, WIDTH)
