"""The registers through their pages and services: supervision objects, ratio rules, inspectors, recusals,
tasks, the hazardous-waste form, and the published-on-time indicator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.core.models import AuditEntry
from envplan.inspections import indicators
from envplan.inspections.errors import InspectionError
from envplan.inspections.models import (
    HazardousWasteAssessment,
    HazardousWasteRound,
    InspectionRecord,
    InspectionTask,
    Inspector,
    RatioRule,
    Recusal,
    SupervisionObject,
)
from envplan.inspections.services import draws, registers
from envplan.inspections.services.records import publish_record
from envplan.sources.models import Enterprise
from tests.inspections.conftest import NOW, at, drawn, inspected, login


def test_registers_ratio_rule_of_both_kinds_is_refused_on_the_page(enforcement, client):
    login(client, enforcement.world.officer)

    response = client.post(
        "/inspections/ratios/new/",
        {"year": 2026, "category": "key", "per": "quarter", "percent": "25", "objects_per_inspector": "2"},
    )

    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not RatioRule.objects.filter(year=2026).exists()


def test_registers_supervision_object_added_on_the_page_is_audited(enforcement, client):
    login(client, enforcement.world.supervisor)
    newcomer = Enterprise.objects.create(name="Newcomer")

    response = client.post(
        "/inspections/objects/new/",
        {"year": 2025, "enterprise": newcomer.pk, "category": "special", "reason": "3 complaints"},
    )

    assert response.status_code == 302
    assert SupervisionObject.objects.get(enterprise=newcomer).category == "special"
    assert AuditEntry.objects.filter(action="inspections.object.created").count() == 1
    again = client.post(
        "/inspections/objects/new/", {"year": 2025, "enterprise": newcomer.pk, "category": "key"}
    )
    assert again.status_code == 400


def test_registers_inspector_code_cannot_hold_a_separator(enforcement):
    inspector = enforcement.inspectors[0]
    inspector.code = "INS;1"

    with pytest.raises(InspectionError) as raised:
        registers.save_inspector(inspector, by=None)

    assert raised.value.field == "code"
    assert Inspector.objects.get(pk=inspector.pk).code == "INS-1"


def test_registers_recusal_declared_and_ended_on_the_page(enforcement, client):
    login(client, enforcement.world.officer)
    inspector, plant = enforcement.inspectors[1], enforcement.enterprises[0]

    client.post(
        "/inspections/recusals/new/",
        {"inspector": inspector.pk, "enterprise": plant.pk, "reason": "former employee"},
    )
    recusal = Recusal.objects.get()
    client.post(f"/inspections/recusals/{recusal.pk}/end/")

    recusal.refresh_from_db()
    assert (recusal.reason, recusal.ended_on is not None) == ("former employee", True)
    assert list(
        AuditEntry.objects.filter(target_id=str(recusal.pk), action__startswith="inspections.recusal")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "inspections.recusal.declared",
        "inspections.recusal.ended",
    ]


def test_registers_an_ended_recusal_leaves_the_roster(enforcement):
    registers.declare_recusal(
        enforcement.inspectors[0],
        enterprise=enforcement.key[0],
        reason="x",
        by=None,
        now=at(dt.date(2025, 7, 1)),
    )
    registers.end_recusal(Recusal.objects.get(), by=None, now=at(dt.date(2025, 7, 5)))

    roster = draws.roster_snapshot(enforcement.task, today=dt.date(2025, 7, 20))

    assert roster[0]["recused_from"] == []


def test_registers_task_created_on_the_page_and_fixed_once_committed(enforcement, client):
    login(client, enforcement.world.supervisor)
    items = enforcement.items

    response = client.post(
        "/inspections/tasks/new/",
        {
            "year": 2025,
            "code": "2025-Q4",
            "name": "Fourth quarter",
            "kind": "untargeted",
            "items": [items[0].pk],
            "frequency": "quarter",
            "period_start": "2025-10-01",
            "period_end": "2025-12-31",
            "team_size": 2,
            "required_qualifications": ["enforcement"],
        },
    )
    task = InspectionTask.objects.get(code="2025-Q4")
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert list(task.items.all()) == [items[0]]
    planned = draws.plan_draws(task, by=None)
    draws.commit_draw(planned[0], by=None, now=NOW)
    task.name = "renamed"

    with pytest.raises(InspectionError, match="committed"):
        registers.save_task(task, by=None)


def test_registers_plan_button_shows_the_refusal_as_a_message(enforcement, client):
    RatioRule.objects.all().delete()
    login(client, enforcement.world.officer)

    response = client.post(f"/inspections/tasks/{enforcement.task.pk}/plan/", follow=True)

    assert "No ratio rule" in response.content.decode()


def test_registers_hazardous_waste_form_scores_a_unit(enforcement, client):
    round_ = HazardousWasteRound.objects.create(year=2025, name="round")
    login(client, enforcement.world.officer)
    data = {"role": "operator", "enterprise": enforcement.enterprises[2].pk, "assessed_on": "2025-07-10"}
    from envplan.inspections import hazardous_waste as scheme

    for item in scheme.OPERATOR_ITEMS:
        data[f"score_{item.code}"] = "2"
    data["score_monitoring"] = "na"
    data["veto_licence"] = "on"

    response = client.post(f"/inspections/hazardous-waste/{round_.pk}/assess/", data)

    assert response.status_code == 302
    assessment = HazardousWasteAssessment.objects.get()
    assert (assessment.outcome, assessment.maximum, assessment.veto_items) == ("fail", 24, ["licence"])


def test_registers_results_published_on_time_counts_only_results_that_were_due(enforcement):
    draw = drawn(enforcement.task, "key")
    first, second = InspectionRecord.objects.filter(drawn_target__draw=draw).order_by("pk")
    for record, day, published in (
        (first, dt.date(2025, 7, 1), dt.date(2025, 7, 10)),
        (second, dt.date(2025, 7, 14), None),
    ):
        inspected(record, day)
        if published:
            publish_record(record, by=None, now=at(published))

    in_time = indicators.results_published_on_time({}, dt.date(2025, 8, 10))
    later = indicators.results_published_on_time({}, dt.date(2025, 8, 20))

    # the second result falls due on 2025-08-11 (20 working days after 07-14) and is not published
    assert in_time == [(dt.date(2025, 7, 31), Decimal("100.0")), (dt.date(2025, 8, 10), Decimal("100.0"))]
    assert later[-1] == (dt.date(2025, 8, 20), Decimal("50.0"))
