"""Plan content in the reader's language: stored translations, the marked original, the supervisor's page
and the Excel round trip."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from envplan.core.models import AuditEntry
from envplan.demo.logins import DEMO_PASSWORD
from envplan.plans import services
from envplan.plans.content import content_of
from envplan.plans.models import Chapter, Section, Target, Task, Unit, language_key
from envplan.plans.translation_sheet import TranslationSheetError, content_rows, write_sheet


def test_language_keys():
    assert language_key("zh") == language_key("zh-CN") == language_key("zh_Hans") == "zh-hans"
    assert language_key("fr-FR") == "fr"
    assert language_key(None) == "en"


def test_the_demo_plan_ships_in_three_languages(demo):
    plan = demo.plan
    assert plan.translations["zh-hans"]["title"] == "昆都仑区2025年污染防治行动计划"
    for model in (Chapter, Section, Task):
        rows = model.objects.all() if model is not Section else Section.objects.filter(chapter__plan=plan)
        for row in rows:
            assert row.translations["zh-hans"]["title"], row
            assert row.translations["fr"]["title"], row
    for task in plan.tasks.all():
        assert task.translations["zh-hans"]["summary"] and task.translations["fr"]["summary"]
    for target in plan.targets.all():
        assert target.translations["zh-hans"]["indicator"] and target.translations["fr"]["as_written"]
    assert not Unit.objects.filter(assignments__task__plan=plan, name_zh="").exists()
    task = plan.tasks.get(number=22)
    assert content_of(task, "title", "zh-hans").text == "完成地表水考核目标"
    assert content_of(task, "title", "fr").text.startswith("Atteindre les objectifs")
    assert content_of(task, "title", "en").text == task.title


@pytest.mark.parametrize(
    ("language", "title", "chapter"),
    [
        ("zh-hans", "完成地表水考核目标", "碧水保卫战"),
        ("fr", "Atteindre les objectifs", "La bataille de l'eau claire"),
    ],
)
def test_pages_show_the_plan_in_the_readers_language(
    demo, supervisor_client: Client, language, title, chapter
):
    task_page = supervisor_client.get(
        reverse("plans:task", args=[demo.plan.pk, 22]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert title in task_page
    assert "Meet surface-water assessment targets" not in task_page
    assert 'class="original-mark"' not in task_page
    overview = supervisor_client.get(demo.plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert chapter in overview.content.decode().replace("&#x27;", "'")
    issuer = demo.plan.translations[language]["issuer"]  # the issuer and document number too
    assert f"{issuer} · {demo.plan.translations[language]['doc_number']}" in overview.content.decode()
    tasks = supervisor_client.get(reverse("plans:tasks", args=[demo.plan.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert title in tasks.content.decode()
    dashboard = supervisor_client.get(
        reverse("dashboard:plan", args=[demo.plan.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert dashboard.status_code == 200
    assert demo.plan.translations[language]["title"] in dashboard.content.decode().replace("&#x27;", "'")


def test_a_missing_translation_shows_the_original_marked(demo, supervisor_client: Client, supervisor):
    task = demo.plan.tasks.get(number=22)
    services.set_translations(task, {"fr": {"title": ""}}, by=supervisor)
    page = supervisor_client.get(task.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'<span lang="en" class="original-text">{task.title}</span>' in page
    assert 'class="original-mark"' in page
    # The English reader sees the original as it is, unmarked.
    english = supervisor_client.get(task.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="original-mark"' not in english


def test_set_translations_is_audited_and_keeps_the_original(demo, supervisor):
    target = Target.objects.filter(plan=demo.plan, task__number=22).first()
    assert target is not None
    original = target.indicator
    assert services.set_translations(target, {"fr": {"indicator": "sections conformes"}}, by=supervisor)
    assert not services.set_translations(target, {"fr": {"indicator": "sections conformes"}}, by=supervisor)
    target.refresh_from_db()
    assert target.indicator == original
    assert target.translations["fr"]["indicator"] == "sections conformes"
    entry = AuditEntry.objects.filter(action="plan.translated").latest("pk")
    assert entry.after == {"fr": {"indicator": "sections conformes"}}
    assert entry.plan_id == demo.plan.pk
    with pytest.raises(services.TranslationError):
        services.set_translations(target, {"de": {"indicator": "x"}}, by=supervisor)
    with pytest.raises(services.TranslationError):
        services.set_translations(target, {"fr": {"value": "x"}}, by=supervisor)


def test_a_revision_drops_translations_of_changed_text(demo, supervisor):
    from envplan.plans.demo_data import demo_plan_data

    data = demo_plan_data()
    task_data = data["chapters"][4]["sections"][0]["tasks"][0]
    assert task_data["number"] == 22
    task_data["title"] = "Meet every surface-water assessment target"
    del task_data["translations"]
    for chapter in data["chapters"]:
        chapter.pop("translations", None)
    services.save_plan(data, by=supervisor)
    task = demo.plan.tasks.get(number=22)
    assert "title" not in task.translations.get("fr", {})
    assert task.translations["fr"]["summary"]  # the summary did not change: its translation stays
    assert Chapter.objects.get(plan=demo.plan, position=5).translations["fr"]["title"]


def test_the_translation_page_is_for_the_district_office(demo, client: Client):
    assert client.login(username="ecology", password=DEMO_PASSWORD)
    response = client.get(reverse("plans:translations", args=[demo.plan.pk]))
    assert response.status_code == 403


def test_translating_by_hand(demo, supervisor_client: Client):
    task = demo.plan.tasks.get(number=1)
    url = reverse("plans:translations", args=[demo.plan.pk])
    page = supervisor_client.get(url, {"lang": "fr"})
    assert page.status_code == 200
    assert page.context["missing"] == 0
    response = supervisor_client.post(url, {"lang": "fr", f"t-task:{task.pk}:title": "Marché du carbone"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.translations["fr"]["title"] == "Marché du carbone"
    assert task.translations["fr"]["summary"]  # fields not sent are left alone


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_excel_round_trip(demo, supervisor_client: Client):
    url = reverse("plans:translations", args=[demo.plan.pk])
    download = supervisor_client.get(url, {"format": "xlsx"})
    assert download.status_code == 200
    rows = sheet_rows(download.content)
    header = rows[0]
    assert header[:5] == ["key", "item", "field", "original language", "original"]
    assert header[5:] == ["zh-hans", "fr", "en"]
    assert len(rows) - 1 == len(content_rows(demo.plan))
    task = demo.plan.tasks.get(number=9)
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == f"task:{task.pk}:title":
            row[6].value = "Économiser l'eau partout"
            row[5].value = None  # an empty cell removes the translation
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    response = supervisor_client.post(url, {"action": "import", "lang": "fr", "sheet": buffer})
    assert response.status_code == 302, response.context["problems"]
    task.refresh_from_db()
    assert task.translations["fr"]["title"] == "Économiser l'eau partout"
    assert "title" not in task.translations["zh-hans"]
    entry = AuditEntry.objects.get(action="plan.translations_imported")
    assert entry.after["changed"] == 1


def test_a_bad_sheet_names_row_and_column_and_stores_nothing(demo, supervisor):
    book = load_workbook(io.BytesIO(write_sheet(demo.plan)))
    sheet = book.worksheets[0]
    sheet["G2"] = "Nouveau titre"
    sheet["A3"] = "task:999999:title"
    sheet["I1"] = "de"
    buffer = io.BytesIO()
    book.save(buffer)
    before = demo.plan.translations
    with pytest.raises(TranslationSheetError) as raised:
        services.import_translations(demo.plan, buffer.getvalue(), name="bad.xlsx", by=supervisor)
    messages = [str(problem) for problem in raised.value.problems]
    assert "row 1, column I: unknown column 'de' (languages: zh-hans, fr, en)" in messages
    assert "row 3, column A: 'task:999999:title' is not a text of this plan" in messages
    demo.plan.refresh_from_db()
    assert demo.plan.translations == before
    with pytest.raises(TranslationSheetError):
        services.import_translations(demo.plan, b"not a workbook", name="x.xlsx", by=supervisor)
