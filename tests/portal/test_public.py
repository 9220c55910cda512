"""The public pages without a login: cached and dropped on writes, in three languages, open data with its
dictionary, and a section registered by an app in a few lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
import time_machine

from envplan.core.publication import Column, Section, Table, register_section, unregister_section
from envplan.plans.models import Task
from envplan.portal import caching
from tests.portal.conftest import TODAY
from tests.world import build_world


def test_public_home_answers_without_login_and_says_it_may_be_cached(world, anonymous):
    response = anonymous.get("/public/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert response["Vary"] == "Accept-Language, Cookie"
    assert "ETag" in response
    # A public page reads no session and sets no cookie: any reader may be served the same copy.
    assert response.cookies == {}


def test_public_page_is_served_from_the_cache_after_the_first_reader(
    world, anonymous, django_assert_max_num_queries
):
    anonymous.get("/public/plan/")

    with django_assert_max_num_queries(1):  # at most the data version, read once a second
        again = anonymous.get("/public/plan/")

    assert again.status_code == 200
    assert world.task1.title in again.content.decode()


def test_public_page_answers_not_modified_to_a_reader_who_has_it(world, anonymous):
    first = anonymous.get("/public/plan/")

    again = anonymous.get("/public/plan/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")


def test_public_page_changes_as_soon_as_a_watched_record_changes(
    world, anonymous, django_capture_on_commit_callbacks
):
    first = anonymous.get("/public/plan/")
    with django_capture_on_commit_callbacks(execute=True):
        world.task1.title = "Build and repair sewers"
        world.task1.save()

    second = anonymous.get("/public/plan/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Build and repair sewers" in second.content.decode()


def test_public_language_switch_works_without_login(world, anonymous):
    switched = anonymous.get("/public/language/zh-hans/?next=/public/plan/")
    page = anonymous.get("/public/plan/")
    french = anonymous.get("/public/language/fr/?next=https://evil.example/")

    assert (switched.status_code, switched["Location"]) == (302, "/public/plan/")
    assert '<html lang="zh-hans">' in page.content.decode()
    assert french["Location"] == "/public/"


def test_public_download_csv_has_a_header_and_keeps_formulas_as_text(
    world, anonymous, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world.task1.title = '=HYPERLINK("http://evil.example")'
        world.task1.save()

    response = anonymous.get("/public/data/plan-tasks.csv")

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffplan_year,task,chapter,title,lead_unit,lead_unit_code,deadline,status\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["task"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert response["Content-Disposition"] == 'attachment; filename="plan-tasks.csv"'


def test_public_download_json_carries_licence_update_time_and_dictionary(world, anonymous):
    document = json.loads(anonymous.get("/public/data/plan-targets.json").content)
    schema = json.loads(anonymous.get("/public/data/plan-targets.schema.json").content)

    assert document["licence"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert document["schema"] == schema
    assert [f["name"] for f in schema["fields"]] == list(document["rows"][0])
    assert {f["name"]: f["type"] for f in schema["fields"]}["value"] == "number"
    assert [(r["task"], r["value"], r["comparator"]) for r in document["rows"]] == [
        (1, 10.0, ">="),
        (2, 100.0, ">="),
    ]


@pytest.fixture
def sample_section() -> Iterator[Section]:
    """What an app registers from its AppConfig.ready(): a section, a table, its columns."""
    section = Section(
        key="sample",
        title="Heavy-pollution alerts",
        summary="Alerts issued for the district.",
        order=40,
        watch=("plans.Unit",),
        tables=(
            Table(
                name="sample-alerts",
                title="Alerts",
                description="Every alert with its level.",
                columns=(
                    Column("id", "Alert", "Number of the alert.", type="integer"),
                    Column("level", "Level", "yellow, orange or red."),
                ),
                rows=lambda now: [{"id": 7, "level": "orange"}],
                key="id",
                label="level",
                owner=lambda row: "ecology",
            ),
        ),
    )
    register_section(section)
    yield section
    unregister_section("sample")


def test_public_section_registered_by_an_app_is_served_downloaded_catalogued_and_correctable(
    world, anonymous, sample_section
):
    from envplan.portal import services

    page = anonymous.get("/public/sample/").content.decode()
    downloads = anonymous.get("/public/data/sample-alerts.csv").content.decode("utf-8")
    catalogue = json.loads(anonymous.get("/public/data/catalog.jsonld").content)
    request = services.submit_correction(
        kind="data_error", table="sample-alerts", item="7", description="wrong level"
    )

    assert 'data-key="7"' in page and "/public/corrections/new/?table=sample-alerts&amp;item=7" in page
    assert downloads == "\ufeffid,level\r\n7,orange\r\n"
    assert "sample-alerts" in {dataset["dct:identifier"] for dataset in catalogue["dcat:dataset"]}
    assert (request.unit, request.item_label, request.received_on) == (world.ecology, "orange", TODAY)


def test_public_section_key_and_table_names_are_unique():
    with pytest.raises(ValueError, match="public section 'plan' is already registered"):
        register_section(Section(key="plan", title="x", summary="x", tables=()))


def test_public_page_past_its_ttl_is_refreshed_for_a_change_no_write_announced(transactional_db, anonymous):
    # Committed data: the page is refreshed by a thread of its own, with its own database connection.
    world = build_world(today=TODAY)
    with time_machine.travel(dt.datetime(2025, 10, 20, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        anonymous.get("/public/plan/")
        Task.objects.filter(pk=world.task1.pk).update(title="Renamed without a signal")  # no post_save
        cached = anonymous.get("/public/plan/").content.decode()
        traveller.shift(73)  # past the TTL and its jitter (60 s, +20 %)
        still = anonymous.get("/public/plan/").content.decode()
        caching.wait_for_refreshes()
        refreshed = anonymous.get("/public/plan/").content.decode()

    assert "Renamed without a signal" not in cached
    # The reader who found it stale got the copy there was, without waiting; the next one the new page.
    assert "Renamed without a signal" not in still
    assert "Renamed without a signal" in refreshed


def test_public_pages_answer_on_an_install_with_nothing_yet(db, anonymous):
    urls = ["/public/", "/public/plan/", "/public/air/", "/public/water/", "/public/credit/", "/public/data/"]
    urls += ["/public/data/catalog.jsonld", "/public/data/plan-tasks.csv", "/public/data/air-targets.json"]

    statuses = {url: anonymous.get(url).status_code for url in urls}

    assert set(statuses.values()) == {200}
    assert anonymous.get("/public/data/plan-tasks.csv").content.decode("utf-8").count("\r\n") == 1


def test_public_cache_is_dropped_by_approvals_not_by_drafts():
    from types import SimpleNamespace

    from envplan.core.publication import counts_as_change

    assert counts_as_change("progress.ProgressReport", SimpleNamespace(state="approved")) is True
    assert counts_as_change("progress.ProgressReport", SimpleNamespace(state="draft")) is False
    assert counts_as_change("plans.Task", SimpleNamespace()) is True
    assert counts_as_change("sessions.Session", SimpleNamespace()) is False


def test_public_plan_page_shows_the_plan_content_in_the_readers_language_and_downloads_the_original(
    world, anonymous
):
    task = world.plan.tasks.order_by("number").first()
    task.translations = {"zh-hans": {"title": "中文的任务标题"}}
    task.save(update_fields=["translations"])
    caching.bump()

    anonymous.get("/public/language/zh-hans/?next=/public/plan/")
    chinese = anonymous.get("/public/plan/").content.decode()
    anonymous.get("/public/language/fr/?next=/public/plan/")
    french = anonymous.get("/public/plan/").content.decode()
    download = anonymous.get("/public/data/plan-tasks.csv").content.decode("utf-8-sig")

    assert "中文的任务标题" in chinese and task.title not in chinese
    assert task.title in french  # no French translation: the original
    assert task.title in download and "中文的任务标题" not in download  # the data keeps the original
