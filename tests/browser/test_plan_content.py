"""Plan content in the reader's language, in a real browser at 1366 px: a Chinese or French reader meets
the plan in their language; an untranslated text shows as the original, marked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from envplan.demo.loader import load_demo
from envplan.plans import services
from tests.browsing import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "task_title", "chapter"),
    [
        ("zh-hans", "22. 完成地表水考核目标", "V. 碧水保卫战"),
        (
            "fr",
            "22. Atteindre les objectifs d'évaluation des eaux de surface",
            "V. La bataille de l'eau claire",
        ),
    ],
)
def test_the_plan_reads_in_the_readers_language(
    transactional_db, live_server, page, language, task_title, chapter
):
    demo = load_demo()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, "supervisor", "envplan-demo")
    with page.expect_navigation():
        page.select_option("#language-select", language)
    page.goto(f"{live_server.url}/plans/{demo.plan.pk}/tasks/22/")
    assert page.locator("h1").first.inner_text() == task_title
    assert page.locator(".original-mark").count() == 0
    page.goto(f"{live_server.url}{demo.plan.get_absolute_url()}")
    assert chapter in [text.strip() for text in page.locator("article.chapter h2").all_inner_texts()]
    assert page.locator(".original-mark").count() == 0

    task = demo.plan.tasks.get(number=22)
    services.set_translations(task, {language: {"title": ""}}, by=User.objects.get(username="supervisor"))
    page.goto(f"{live_server.url}/plans/{demo.plan.pk}/tasks/22/")
    heading = page.locator("h1").first
    assert heading.locator("[lang=en]").inner_text() == task.title
    assert heading.locator(".original-mark").is_visible()
