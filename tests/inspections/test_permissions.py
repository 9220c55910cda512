"""Who may do what on the enforcement pages: the allowed and the forbidden paths of each role.

Roles: the district office (supervisor), the ecology bureau's officer, a drawn inspector, a unit's
administrator, reporter and viewer (the accepting unit of a rectification task, or another unit), and an
anonymous visitor (the public records only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envplan.inspections.images import generated_photo
from envplan.inspections.models import (
    HazardousWasteRound,
    InspectionRecord,
    RectificationState,
    RectificationTask,
)
from envplan.inspections.services import rectifications as rect_services
from envplan.inspections.services.records import publish_record
from envplan.plans.models import Unit
from tests.inspections.conftest import NOW, at, build_enforcement, drawn, inspected, login


def rectification(number: int, unit: Unit) -> RectificationTask:
    """Task `number` of round "r", accepted by `unit`, due on 30 November."""
    task = RectificationTask(
        round="r",
        number=number,
        problem="p",
        subject="s",
        accepting_unit=unit,
        goal="g",
        deadline=dt.date(2025, 11, 30),
    )
    return rect_services.save_rectification(task, by=None)


class Scene:
    def __init__(self) -> None:
        self.enforcement = build_enforcement()
        world = self.enforcement.world
        self.world = world
        self.draw = drawn(self.enforcement.task, "key")
        self.record, self.other = InspectionRecord.objects.filter(drawn_target__draw=self.draw).order_by("pk")
        # Two teams may share an inspector: give the other record the two inspectors of no team of this one.
        self.other.inspectors.set(
            [i for i in self.enforcement.inspectors if i not in self.record.inspectors.all()]
        )
        self.inspector = self.record.inspectors.first()
        published = InspectionRecord.objects.create(
            task=self.enforcement.task, enterprise=self.enforcement.enterprises[9]
        )
        inspected(published, dt.date(2025, 7, 2), now=NOW)
        self.published = publish_record(published, by=None, now=NOW)
        self.task = rectification(1, world.ecology)
        self.housing_task = rectification(2, world.housing)
        evidence = rect_services.add_evidence(
            self.housing_task, by=None, uploads=[SimpleUploadedFile("e.png", generated_photo(1))], now=NOW
        )
        self.evidence = evidence[0]
        self.round = HazardousWasteRound.objects.create(year=2025, name="round")


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


def status(client: Client, url: str, method: str = "get", **data: object) -> int:
    return getattr(client, method)(url, data).status_code


OFFICE_PAGES = (
    "/inspections/tasks/",
    "/inspections/objects/",
    "/inspections/inspectors/",
    "/inspections/tasks/new/",
    "/inspections/hazardous-waste/new/",
    "/inspections/rectifications/new/",
    "/inspections/rectifications/import/",
    "/inspections/rectifications/export.xlsx",
    "/inspections/results/export.xlsx",
)
OPEN_PAGES = (
    "/inspections/",
    "/inspections/records/",
    "/inspections/items/",
    "/inspections/hazardous-waste/",
    "/inspections/rectifications/",
)


@pytest.mark.parametrize("who", ["supervisor", "officer"])
def test_permissions_the_office_reaches_every_page(scene, client, who):
    login(client, getattr(scene.world, who))
    urls = [
        *OFFICE_PAGES,
        *OPEN_PAGES,
        f"/inspections/tasks/{scene.enforcement.task.pk}/",
        f"/inspections/draws/{scene.draw.pk}/",
        f"/inspections/draws/{scene.draw.pk}/files/pool.csv",
        scene.record.get_absolute_url(),
        f"/inspections/records/{scene.record.pk}/edit/",
        f"/inspections/hazardous-waste/{scene.round.pk}/assess/",
        scene.task.get_absolute_url(),
        f"/inspections/evidence/{scene.evidence.pk}/",
    ]

    assert {url: status(client, url) for url in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("who", ["housing_reporter", "ecology_admin", "inspector"])
def test_permissions_others_are_kept_from_the_office_pages(scene, client, who):
    user = scene.inspector.user if who == "inspector" else getattr(scene.world, who)
    login(client, user)
    urls = [
        *OFFICE_PAGES,
        f"/inspections/tasks/{scene.enforcement.task.pk}/",
        f"/inspections/draws/{scene.draw.pk}/",
        f"/inspections/draws/{scene.draw.pk}/files/pool.csv",
        f"/inspections/hazardous-waste/{scene.round.pk}/assess/",
    ]

    assert {url: status(client, url) for url in urls} == dict.fromkeys(urls, 403)
    assert {url: status(client, url) for url in OPEN_PAGES} == dict.fromkeys(OPEN_PAGES, 200)
    assert status(client, f"/inspections/draws/{scene.draw.pk}/commit/", "post") == 403
    assert status(client, f"/inspections/tasks/{scene.enforcement.task.pk}/plan/", "post") == 403


def test_permissions_a_drawn_inspector_writes_only_their_records(scene, client):
    login(client, scene.inspector.user)

    assert status(client, scene.record.get_absolute_url()) == 200
    assert status(client, f"/inspections/records/{scene.record.pk}/edit/") == 200
    assert status(client, scene.other.get_absolute_url()) == 403
    assert status(client, f"/inspections/records/{scene.other.pk}/edit/") == 403
    assert status(client, f"/inspections/records/{scene.record.pk}/publish/", "post") == 403
    listed = client.get("/inspections/records/").content.decode()
    assert scene.record.enterprise.name in listed and scene.other.enterprise.name not in listed


def test_permissions_a_published_record_is_read_by_any_login_and_the_rest_is_not(scene, client):
    login(client, scene.world.housing_reporter)

    assert status(client, scene.published.get_absolute_url()) == 200
    assert status(client, scene.record.get_absolute_url()) == 403
    assert status(client, f"/inspections/records/{scene.published.pk}/edit/") == 403


def test_permissions_the_office_publishes_results(scene, client):
    record = scene.record
    inspected(record, dt.date(2025, 7, 15), now=NOW)
    login(client, scene.world.officer)

    assert status(client, f"/inspections/records/{record.pk}/publish/", "post") == 302
    record.refresh_from_db()
    assert record.state == "published"


def test_permissions_the_accepting_units_reporter_reports_and_its_admin_accepts(scene, client):
    world = scene.world
    url = scene.task.get_absolute_url()
    login(client, world.ecology_reporter)
    upload = SimpleUploadedFile("after.png", generated_photo(2), content_type="image/png")

    assert status(client, f"{url}evidence/", "post", attachments=upload) == 302
    assert status(client, f"{url}progress/", "post", month="2025-07", progress="done") == 302
    assert status(client, f"{url}apply/", "post", completion="all done") == 302
    assert status(client, f"{url}decide/", "post", decision="accept") == 403
    client.logout()
    login(client, world.ecology_admin)
    assert status(client, f"{url}decide/", "post", decision="accept") == 302
    assert status(client, f"{url}publicise/", "post", start="2025-07-21") == 403
    scene.task.refresh_from_db()
    assert scene.task.state == RectificationState.ACCEPTED
    assert scene.task.evidence.count() == 1


@pytest.mark.parametrize("who", ["housing_reporter", "housing_viewer", "officer", "supervisor"])
def test_permissions_others_do_not_report_on_another_units_task(scene, client, who):
    login(client, getattr(scene.world, who))
    url = scene.task.get_absolute_url()
    upload = SimpleUploadedFile("after.png", generated_photo(2), content_type="image/png")

    assert status(client, url) == 200
    assert status(client, f"{url}evidence/", "post", attachments=upload) == 403
    assert status(client, f"{url}apply/", "post", completion="x") == 403
    assert not scene.task.evidence.exists()


def test_permissions_evidence_files_are_for_the_unit_and_the_office(scene, client):
    url = f"/inspections/evidence/{scene.evidence.pk}/"
    for user, expected in (
        (scene.world.housing_viewer, 200),
        (scene.world.housing_reporter, 200),
        (scene.world.ecology_reporter, 403),
        (scene.world.officer, 200),
    ):
        client.logout()
        login(client, user)
        assert status(client, url) == expected, user.username


def test_permissions_the_office_publishes_closes_and_looks_back(scene, client):
    world = scene.world
    task = scene.task
    rect_services.add_evidence(
        task, by=None, uploads=[SimpleUploadedFile("e.png", generated_photo(1))], now=at(dt.date(2025, 6, 1))
    )
    rect_services.apply_for_acceptance(task, by=None, completion="done", now=at(dt.date(2025, 6, 2)))
    rect_services.decide_acceptance(task, by=None, accept=True, now=at(dt.date(2025, 6, 3)))
    login(client, world.officer)
    url = task.get_absolute_url()

    assert status(client, f"{url}publicise/", "post", start="2025-06-04") == 302
    task.refresh_from_db()
    assert (task.state, task.notice_end) == (RectificationState.PUBLICISED, dt.date(2025, 6, 18))
    assert status(client, task.get_public_url()) == 200


def test_permissions_anonymous_sees_the_public_records_only(scene, client):
    public = ["/inspections/public/", "/inspections/public/results/", scene.draw.get_public_url()]

    assert {url: status(client, url) for url in public} == dict.fromkeys(public, 200)
    for url in (
        *OFFICE_PAGES,
        *OPEN_PAGES,
        scene.record.get_absolute_url(),
        f"/inspections/evidence/{scene.evidence.pk}/",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/"), url
    assert status(client, scene.task.get_public_url()) == 404  # no notice yet
    results = client.get("/inspections/public/results/").content.decode()
    assert scene.published.enterprise.name_zh in results
    assert scene.record.enterprise.name_zh not in results
