"""The review page of the reference plan at 1366 px: a summary first, search and filters, folded mentions,
and a page much shorter than the one that listed every mention of every unit (about 14,000 px)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from envplan.imports import services
from tests.browsing import log_in
from tests.imports.conftest import PASSWORD, read_seed

pytestmark = pytest.mark.browser


def test_the_review_page_starts_with_a_summary_and_stays_short(
    transactional_db, live_server, in_browser, supervisor: User
) -> None:  # type: ignore[no-untyped-def]
    imp, _created = services.create_import(filename="kundulun-2025.txt", content=read_seed(), by=supervisor)
    base = live_server.url

    def measure(page: Any) -> dict[str, Any]:
        page.set_viewport_size({"width": 1366, "height": 900})
        log_in(page, base, supervisor.username, PASSWORD)
        page.goto(f"{base}{imp.get_absolute_url()}")
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"review page of the reference plan at 1366 px: {height} px")
        first_card = page.locator("main section.card, main details.card").first.get_attribute("data-testid")
        summary = page.get_by_test_id("review-summary").inner_text()
        units = page.locator("details.unit").count()
        open_units = page.locator("details.unit[open]").count()
        hidden_mention = page.locator("details.unit:not([open]) table.mentions").first.is_visible()
        page.fill("#unit-q", "Kunbei")
        with page.expect_navigation():
            page.click("[data-testid=unit-search] button[type=submit]")
        searched = page.locator("details.unit").count()
        with page.expect_navigation():
            page.get_by_test_id("summary-uncertain").click()
        uncertain = page.locator("details.unit").count()
        return {
            "height": height,
            "first": first_card,
            "summary": summary,
            "units": units,
            "open": open_units,
            "hidden_mention": hidden_mention,
            "searched": searched,
            "uncertain": uncertain,
        }

    result = in_browser(measure)
    units = len(imp.draft["units"])
    assert result["first"] == "review-summary"
    assert f"{units} units found" in result["summary"]
    assert "1 uncertain, to check" in result["summary"]
    assert "1 merge suggested" in result["summary"]
    assert result["units"] == units
    assert result["open"] == 1  # only the uncertain unit is unfolded
    assert result["hidden_mention"] is False
    assert 1 <= result["searched"] < units
    assert result["uncertain"] == 1
    # The page listed every mention of every unit: 14,039 px at 1366 px before; now under a third of it.
    assert result["height"] < 4_700
