"""Every enforcement page renders over the demo, in the three languages; the lists read in a few queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD, demo_password_hash
from envplan.inspections.demo import load_inspections_demo
from envplan.inspections.models import (
    Draw,
    DrawState,
    HazardousWasteRound,
    InspectionRecord,
    RectificationTask,
)


@pytest.fixture
def demo(db: None) -> DemoResult:
    result = load_demo()
    load_inspections_demo(plan=result.plan, password_hash=demo_password_hash(DEMO_PASSWORD))
    return result


def pages() -> list[str]:
    draw = Draw.objects.filter(state=DrawState.PUBLISHED).first()
    drawn = Draw.objects.filter(state=DrawState.DRAWN).first()
    record = InspectionRecord.objects.filter(photos__isnull=False).first()
    round_ = HazardousWasteRound.objects.first()
    task = RectificationTask.objects.get(number=17)
    return [
        "/inspections/",
        "/inspections/objects/",
        "/inspections/items/",
        "/inspections/inspectors/",
        "/inspections/tasks/",
        f"/inspections/tasks/{draw.task_id}/",
        f"/inspections/tasks/{drawn.task_id}/",
        f"/inspections/draws/{draw.pk}/",
        f"/inspections/draws/{drawn.pk}/",
        "/inspections/records/",
        record.get_absolute_url(),
        "/inspections/hazardous-waste/",
        round_.get_absolute_url(),
        f"/inspections/hazardous-waste/{round_.pk}/assess/?role=operator",
        "/inspections/rectifications/",
        "/inspections/rectifications/?state=late",
        task.get_absolute_url(),
        "/inspections/public/",
        "/inspections/public/results/",
        draw.get_public_url(),
        drawn.get_public_url(),
        task.get_public_url(),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_pages_render_for_the_office_in_each_language(demo, client: Client, language):
    assert client.login(username="supervisor", password=DEMO_PASSWORD)
    client.cookies["django_language"] = language

    answers = {url: client.get(url) for url in pages()}

    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    assert {r["Content-Language"] for r in answers.values()} == {language}


def test_pages_record_page_shows_the_clock_photos_and_generated_labels(demo, client: Client):
    assert client.login(username="supervisor", password=DEMO_PASSWORD)
    waiting = InspectionRecord.objects.get(task__code="KDL-2025-Q4", inspected_on=dt.date(2025, 10, 14))

    page = client.get(waiting.get_absolute_url()).content.decode()

    assert 'data-state="due"' in page
    assert "publish by 2025-11-11" in page  # 20 working days after 2025-10-14
    assert page.count("<img ") == waiting.photos.count()
    assert "generated" in page


def test_pages_a_late_publication_is_shown_late(demo, client: Client):
    assert client.login(username="supervisor", password=DEMO_PASSWORD)

    page = client.get("/inspections/records/?state=published").content.decode()

    assert page.count('data-state="late"') == 1
    assert page.count('data-state="on_time"') == 20


def test_pages_lists_read_in_a_few_queries(demo, client: Client, django_assert_max_num_queries):
    assert client.login(username="supervisor", password=DEMO_PASSWORD)
    for url in (
        "/inspections/records/",
        "/inspections/rectifications/",
        "/inspections/public/results/",
        "/inspections/tasks/",
    ):
        client.get(url)  # warm the session and the caches
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_pages_the_top_bar_links_enforcement(demo, client: Client):
    assert client.login(username="ecology", password=DEMO_PASSWORD)

    assert 'href="/inspections/"' in client.get("/", follow=True).content.decode()
