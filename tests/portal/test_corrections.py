"""The correction loop: anyone reports an error on a public item, the owning unit answers by its deadline,
the public status follows. Rate-limited and spam-resistant; what the sender wrote is never published."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from envplan.core.models import AuditEntry
from envplan.portal import services
from envplan.portal.errors import PortalError, PortalErrorKind
from envplan.portal.models import CorrectionAttempt, CorrectionRequest
from tests.portal.conftest import TODAY
from tests.world import PASSWORD

ZONE = ZoneInfo("Asia/Shanghai")
SHOWN = dt.datetime(2025, 10, 20, 9, 0, tzinfo=ZONE)


def form_token(client: Client, query: str = "?table=plan-tasks&item=1") -> str:
    page = client.get(f"/public/corrections/new/{query}").content.decode()
    return page.split('name="token" value="', 1)[1].split('"', 1)[0]


def send(client: Client, token: str, **fields: str):
    data = {
        "kind": "data_error",
        "table": "plan-tasks",
        "item": "1",
        "description": "Task 1 is shown on track but the works stopped in July.",
        "contact": "wang.li@private.invalid",
        "website": "",
        "token": token,
        **fields,
    }
    return client.post("/public/corrections/new/", data)


def submitted(client: Client, **fields: str):
    """Show the form, then send it ten seconds later, as a person would."""
    with time_machine.travel(SHOWN, tick=False) as traveller:
        token = form_token(client)
        traveller.shift(10)
        return send(client, token, **fields)


def test_correction_from_an_anonymous_reader_goes_to_the_tasks_lead_unit(world, anonymous):
    response = submitted(anonymous)

    assert response.status_code == 201
    request = CorrectionRequest.objects.get()
    assert (request.unit, request.status, request.item_label) == (
        world.ecology,
        "received",
        world.task1.title,
    )
    assert (request.received_on, request.due_on) == (TODAY, TODAY + dt.timedelta(days=15))
    assert request.reference in response.content.decode()
    audit = AuditEntry.objects.for_object(request).get()
    assert audit.action == "portal.correction_received"
    # Neither the sender's text nor their contact goes into the audit trail.
    assert "wang.li" not in str(audit.after) and "works stopped" not in str(audit.after)


def test_correction_with_the_honeypot_filled_is_dropped_quietly(world, anonymous):
    response = submitted(anonymous, website="http://spam.example")

    assert (response.status_code, CorrectionRequest.objects.count()) == (200, 0)


def test_correction_sent_within_seconds_of_the_form_is_dropped_quietly(world, anonymous):
    with time_machine.travel(SHOWN, tick=False) as traveller:
        token = form_token(anonymous)
        traveller.shift(1)
        response = send(anonymous, token)

    assert (response.status_code, CorrectionRequest.objects.count()) == (200, 0)


def test_correction_on_a_form_left_open_too_long_is_asked_again(world, anonymous):
    with time_machine.travel(SHOWN, tick=False) as traveller:
        token = form_token(anonymous)
        traveller.shift(3 * 3600)
        response = send(anonymous, token)

    assert (response.status_code, CorrectionRequest.objects.count()) == (200, 0)
    assert "The form was open too long" in response.content.decode()


def test_correction_from_one_address_is_limited_to_five_an_hour(world, anonymous):
    with time_machine.travel(SHOWN, tick=False) as traveller:
        token = form_token(anonymous)
        traveller.shift(10)
        statuses = [send(anonymous, token).status_code for _ in range(6)]
        traveller.shift(3600)
        later = send(anonymous, token).status_code

    assert statuses == [201, 201, 201, 201, 201, 429]
    assert later == 201
    assert CorrectionRequest.objects.count() == 6
    # The address is counted under a keyed hash, never kept as it is.
    assert "127.0.0.1" not in set(CorrectionAttempt.objects.values_list("address", flat=True))


def test_correction_about_an_unknown_item_is_refused_on_its_field(world, anonymous):
    response = submitted(anonymous, item="999")

    assert (response.status_code, CorrectionRequest.objects.count()) == (200, 0)
    assert "This public item does not exist" in response.content.decode()


def test_correction_about_an_unowned_table_goes_to_the_district_office(world):
    request = services.submit_correction(kind="complaint", table="credit-grades", item="", description="why?")

    assert (request.unit, request.item_label) == (None, "Credit grades in force")


def test_correction_about_a_table_with_an_owner_goes_to_it(world):
    services.set_data_owner("water-sections", unit=world.water, by=world.supervisor)

    request = services.submit_correction(kind="data_error", table="water-sections", item="", description="x")

    assert request.unit == world.water


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_owning_unit_answers_and_the_public_status_follows(
    world, anonymous, django_capture_on_commit_callbacks
):
    # The public pages are cached; a write drops them once its transaction commits (run here at once).
    submitted(anonymous)
    request = CorrectionRequest.objects.get()
    public_url = f"/public/corrections/{request.reference}/"
    before = anonymous.get(public_url).content.decode()
    unit = client_for(world.ecology_reporter)

    with django_capture_on_commit_callbacks(execute=True):
        unit.post(f"/corrections/{request.pk}/start/")
    during = anonymous.get(public_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        unit.post(
            f"/corrections/{request.pk}/answer/",
            {"status": "corrected", "answer": "The July report now counts."},
        )
    after = anonymous.get(public_url).content.decode()

    assert 'data-testid="public-status">received<' in before
    assert 'data-testid="public-status">in progress<' in during
    assert 'data-testid="public-status">corrected<' in after
    assert "The July report now counts." in after
    assert "works stopped" not in after and "wang.li" not in after
    actions = list(AuditEntry.objects.for_object(request).order_by("pk").values_list("action", flat=True))
    assert actions == [
        "portal.correction_received",
        "portal.correction_started",
        "portal.correction_answered",
    ]


def test_another_units_member_may_not_answer(world, anonymous):
    submitted(anonymous)
    request = CorrectionRequest.objects.get()

    seen = client_for(world.housing_reporter).get(f"/corrections/{request.pk}/")
    answered = client_for(world.housing_reporter).post(
        f"/corrections/{request.pk}/answer/", {"status": "corrected", "answer": "x"}
    )

    assert (seen.status_code, answered.status_code) == (404, 404)
    with pytest.raises(PortalError) as refused:
        services.answer_correction(request, status="corrected", answer="x", by=world.housing_reporter)
    assert refused.value.kind == PortalErrorKind.NOT_ALLOWED


def test_rejection_needs_its_published_reasons(world):
    request = services.submit_correction(kind="data_error", table="plan-tasks", item="1", description="x")

    with pytest.raises(PortalError) as refused:
        services.answer_correction(request, status="rejected", answer=" ", by=world.ecology_admin)

    assert refused.value.field == "answer"


def test_units_inbox_lists_its_requests_with_the_overdue_ones_marked(world):
    with time_machine.travel(SHOWN, tick=False):
        services.submit_correction(
            kind="data_error",
            table="plan-tasks",
            item="1",
            description="x",
            now=SHOWN - dt.timedelta(days=20),
        )
    page = client_for(world.ecology_admin).get("/corrections/").content.decode()
    other = client_for(world.housing_reporter).get("/corrections/").content.decode()

    assert "overdue" in page
    assert CorrectionRequest.objects.get().reference in page
    assert CorrectionRequest.objects.get().reference not in other


def test_district_office_assigns_a_tables_owner_and_others_may_not(world):
    refused = client_for(world.ecology_admin).get("/corrections/owners/")
    office = client_for(world.supervisor)

    page = office.get("/corrections/owners/")
    saved = office.post("/corrections/owners/", {"table": "air-year-to-date", "unit": world.ecology.pk})
    request = services.submit_correction(
        kind="data_error", table="air-year-to-date", item="", description="x"
    )

    assert (refused.status_code, page.status_code, saved.status_code) == (403, 200, 302)
    assert request.unit == world.ecology
    assert AuditEntry.objects.filter(action="portal.data_owner_set").count() == 1


def test_district_office_routes_a_request_to_another_unit(world):
    request = services.submit_correction(kind="complaint", table="plan-tasks", item="2", description="x")
    assert request.unit is None  # task 2 names no lead unit: the district office answers

    client_for(world.supervisor).post(f"/corrections/{request.pk}/route/", {"unit": world.housing.pk})

    request.refresh_from_db()
    assert request.unit == world.housing
    assert client_for(world.housing_reporter).get(f"/corrections/{request.pk}/").status_code == 200
