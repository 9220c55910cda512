from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envplan.core.models import AuditEntry
from envplan.imports import services
from envplan.imports.models import ImportStatus, PlanImport
from envplan.plans.models import Plan
from tests.fixtures import assert_sent_to_login
from tests.imports.conftest import read_sample
from tests.jobrunner import finish_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(supervisor: User) -> PlanImport:
    imp, _ = services.create_import(filename="plan_en.txt", content=read_sample("plan_en.txt"), by=supervisor)
    return imp


def upload(name: str, content: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


def unit_id(imp: PlanImport, name: str) -> str:
    return next(unit["id"] for unit in imp.draft["units"] if unit["name"] == name)


# Each view, as (method, url, data) built from a pending import.
REQUESTS: dict[str, Callable[[PlanImport], tuple[str, str, dict[str, object]]]] = {
    "list": lambda imp: ("get", reverse("imports:list"), {}),
    "upload": lambda imp: ("post", reverse("imports:list"), upload("en.txt", read_sample("plan_en.txt"))),
    "review": lambda imp: ("get", reverse("imports:review", args=[imp.pk]), {}),
    "rename": lambda imp: (
        "post",
        reverse("imports:unit_action", args=[imp.pk, "rename"]),
        {"unit": "u1", "name": "Ecology Bureau"},
    ),
    "accept": lambda imp: ("post", reverse("imports:accept", args=[imp.pk]), {}),
    "discard": lambda imp: ("post", reverse("imports:discard", args=[imp.pk]), {}),
}


@pytest.mark.parametrize("view", sorted(REQUESTS))
def test_import_views_are_forbidden_to_non_supervisors(
    view: str, pending: PlanImport, reporter_client: Client
):
    method, url, data = REQUESTS[view](pending)
    audits = AuditEntry.objects.count()

    response = getattr(reporter_client, method)(url, data)

    assert response.status_code == 403
    assert AuditEntry.objects.count() == audits
    pending.refresh_from_db()
    assert pending.status == ImportStatus.PENDING


@pytest.mark.parametrize("view", sorted(REQUESTS))
def test_import_views_serve_supervisors(view: str, pending: PlanImport, supervisor_client: Client):
    method, url, data = REQUESTS[view](pending)

    response = getattr(supervisor_client, method)(url, data)

    assert response.status_code == (200 if method == "get" else 302)


@pytest.mark.parametrize("view", ["list", "review"])
def test_import_views_serve_superusers(view: str, pending: PlanImport, db: None):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="root-password-1"))
    method, url, data = REQUESTS[view](pending)

    response = getattr(client, method)(url, data)

    assert response.status_code == 200


def test_import_views_send_anonymous_users_to_login(pending: PlanImport, client: Client):
    response = client.get(reverse("imports:review", args=[pending.pk]))

    assert_sent_to_login(response)


def test_state_changes_refuse_get(pending: PlanImport, supervisor_client: Client):
    for name in ("rename", "accept", "discard"):
        _, url, _ = REQUESTS[name](pending)
        assert supervisor_client.get(url).status_code == 405


def test_nav_shows_the_import_link_to_supervisors_only(
    pending: PlanImport, supervisor_client: Client, reporter_client: Client
):
    link = f'href="{reverse("imports:list")}"'
    assert link in supervisor_client.get(reverse("plans:units")).content.decode()
    assert link not in reporter_client.get(reverse("plans:units")).content.decode()


def test_upload_creates_a_draft_and_shows_its_review(supervisor_client: Client):
    response = supervisor_client.post(
        reverse("imports:list"), upload("plan_zh.docx", read_sample("plan_zh.docx"))
    )
    job_page = finish_job(supervisor_client, response)

    imp = PlanImport.objects.get()
    assert job_page.context["job"].result["url"] == imp.get_absolute_url()
    page = supervisor_client.get(imp.get_absolute_url())
    assert page.status_code == 200
    assert imp.draft["meta"]["title"] in page.content.decode()
    assert [row.id for row in page.context["units"]] == [unit["id"] for unit in imp.draft["units"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty.txt is empty."),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "tool.exe is neither UTF-8 nor GB18030 text"),
        ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "big.txt is larger than 5 MB."),
    ],
    ids=["empty", "binary", "too-big"],
)
def test_bad_uploads_show_a_clear_message_and_store_nothing(
    name: str, content: bytes, message: str, supervisor_client: Client
):
    audits = AuditEntry.objects.count()

    response = supervisor_client.post(reverse("imports:list"), upload(name, content))

    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith(message)
    assert message in response.content.decode()
    assert PlanImport.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def test_review_page_lists_every_mention_and_flags_uncertain_units(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    client = Client()
    client.force_login(supervisor)

    response = client.get(reverse("imports:review", args=[imp.pk]))

    rows = {row.id: row for row in response.context["units"]}
    mentions = sum(len(task["units"]) for task in services.iter_tasks(imp.draft))
    assert sum(len(row.mentions) for row in rows.values()) == mentions
    assert [row_id for row_id, row in rows.items() if row.uncertain] == [
        d["unit"] for d in imp.draft["uncertain"]
    ]
    assert response.content.decode().count('data-testid="uncertain"') == len(imp.draft["uncertain"])
    assert sum(chapter.tasks for chapter in response.context["chapters"]) == 47


def test_merge_form_merges_and_audits(pending: PlanImport, supervisor_client: Client):
    source = unit_id(pending, "Traffic Police Brigade of the County Public Security Bureau")
    into = unit_id(pending, "County Transport Bureau")
    url = reverse("imports:unit_action", args=[pending.pk, "merge"])

    response = supervisor_client.post(url, {"unit": source, "into": into})

    pending.refresh_from_db()
    assert response.status_code == 302
    assert source not in [unit["id"] for unit in pending.draft["units"]]
    assert AuditEntry.objects.for_object(pending).filter(action="import.units_merged").count() == 1


def test_split_link_and_group_forms_change_the_draft(pending: PlanImport, supervisor_client: Client):
    ecology = unit_id(pending, "County Ecology and Environment Bureau")
    towns = unit_id(pending, "all towns and sub-districts")
    base = "imports:unit_action"

    supervisor_client.post(
        reverse(base, args=[pending.pk, "split"]),
        {"unit": ecology, "spelling": "Hexi Bureau of Ecology and Environment"},
    )
    supervisor_client.post(reverse(base, args=[pending.pk, "group"]), {"unit": towns, "group": "0"})

    pending.refresh_from_db()
    names = [unit["name"] for unit in pending.draft["units"]]
    assert "Hexi Bureau of Ecology and Environment" in names
    assert next(unit for unit in pending.draft["units"] if unit["id"] == towns)["group"] is False
    assert list(AuditEntry.objects.for_object(pending).order_by("id").values_list("action", flat=True)) == [
        "import.created",
        "import.unit_split",
        "import.unit_group_set",
    ]


def test_a_failed_review_action_shows_its_error(pending: PlanImport, supervisor_client: Client):
    url = reverse("imports:unit_action", args=[pending.pk, "link"])

    response = supervisor_client.post(url, {"unit": "u1", "code": "no-such-unit"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["The registry has no unit no-such-unit."]


def test_accept_redirects_to_the_plan_page(pending: PlanImport, supervisor_client: Client):
    response = supervisor_client.post(reverse("imports:accept", args=[pending.pk]))

    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    assert plan.tasks.count() == services.draft_counts(pending.draft)["tasks"]


def test_discard_returns_to_the_list(pending: PlanImport, supervisor_client: Client):
    response = supervisor_client.post(reverse("imports:discard", args=[pending.pk]))

    pending.refresh_from_db()
    assert response["Location"] == reverse("imports:list")
    assert pending.status == ImportStatus.DISCARDED
    assert Plan.objects.count() == 0


def test_review_page_summary_search_and_filters(pending: PlanImport, supervisor_client: Client):
    url = reverse("imports:review", args=[pending.pk])
    page = supervisor_client.get(url)
    summary = page.context["summary"]
    units = page.context["all_units"]
    assert summary.units == len(pending.draft["units"]) == len(page.context["units"])
    assert summary.uncertain == len(pending.draft["uncertain"])
    assert summary.new + summary.known + summary.linked + summary.uncertain == summary.units
    assert summary.mentions == sum(len(task["units"]) for task in services.iter_tasks(pending.draft))
    html = page.content.decode()
    assert html.index('data-testid="review-summary"') < html.index('data-testid="units"')

    name = "County Transport Bureau"
    found = supervisor_client.get(url, {"q": "county transport"}).context["units"]
    assert name in [unit.name for unit in found]
    assert len(found) < len(units)
    task = units[0].mentions[0].task
    by_task = supervisor_client.get(url, {"q": str(task)}).context["units"]
    assert all(task in {m.task for m in unit.mentions} for unit in by_task)
    for show in ("uncertain", "new", "known", "linked"):
        shown = supervisor_client.get(url, {"show": show}).context["units"]
        assert len(shown) == getattr(summary, show)
        assert all(unit.state == show for unit in shown)
    suggested = supervisor_client.get(url, {"show": "suggested"}).context["units"]
    assert len(suggested) == summary.suggested
    assert supervisor_client.get(url, {"show": "nonsense"}).context["show"] == "all"
    nothing = supervisor_client.get(url, {"q": "no such body anywhere"})
    assert 'data-testid="no-unit-shown"' in nothing.content.decode()
