"""The correction loop in a browser: an anonymous reader reports a data error on a public item, the unit that
owns it answers, and the reader sees the public status change."""

from __future__ import annotations

import pytest

from envplan.demo.loader import load_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser


def test_reader_reports_an_error_and_the_owning_unit_answers_in_public(
    transactional_db, live_server, browser
):
    load_demo()
    reader = browser.new_context(locale="en-US").new_page()

    # An anonymous reader on a phone-sized screen: task 41, led by the ecology bureau.
    reader.set_viewport_size({"width": 390, "height": 844})
    reader.goto(f"{live_server.url}/public/plan/")
    reader.get_by_test_id("report-plan-tasks-41").click()
    assert "(The action plan's progress · Tasks of the action plan)" in reader.content()
    reader.fill("#id_description", "The status says on track, but the September report was never approved.")
    reader.fill("#id_contact", "reader@private.invalid")
    reader.wait_for_timeout(3200)  # a person takes a few seconds; a form sent at once is a robot's
    reader.get_by_test_id("send-correction").click()
    reader.get_by_test_id("follow-link").click()
    status_url = reader.url
    assert reader.get_by_test_id("public-status").inner_text() == "received"

    # The ecology bureau's administrator takes it up and answers.
    unit = browser.new_context(locale="en-US").new_page()
    log_in(unit, live_server.url, "ecology-admin")
    unit.goto(f"{live_server.url}/corrections/")
    unit.get_by_test_id("inbox").get_by_role("link").first.click()
    assert "September report was never approved" in unit.get_by_test_id("description").inner_text()
    unit.get_by_test_id("start").click()
    reader.reload()
    assert reader.get_by_test_id("public-status").inner_text() == "in progress"

    unit.check("input[name=status][value=corrected]")
    unit.fill("#id_answer", "The September report was reviewed; the task now shows at risk.")
    unit.get_by_test_id("answer").click()
    assert unit.get_by_test_id("status").inner_text() == "corrected"

    reader.goto(status_url)
    assert reader.get_by_test_id("public-status").inner_text() == "corrected"
    assert reader.get_by_test_id("public-answer").inner_text() == (
        "The September report was reviewed; the task now shows at risk."
    )
    assert "reader@private.invalid" not in reader.content()
