"""The enforcement app's links: a confirmed screening case makes its enterprise a special supervision
object in the year's draws, and inspection records (fines), rectification tasks (days late) and
hazardous-waste assessments feed the credit rating with a line each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from envplan.cases.models import Case
from envplan.core import clock
from envplan.credit import registry
from envplan.credit.models import ManualEvidence
from envplan.inspections import evidence
from envplan.inspections.models import InspectionRecord, RectificationTask
from envplan.inspections.services import draws
from tests.inspections.conftest import NOW, at

YEAR = registry.Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def judged_case(enterprise, *, outcome: str, judged: dt.datetime) -> Case:
    return Case.objects.create(enterprise=enterprise, opened_at=judged, outcome=outcome, judged_at=judged)


def test_a_confirmed_case_makes_a_general_object_special_in_the_draw(enforcement):
    clock.pin(NOW)
    confirmed, false_alarm, too_old = enforcement.enterprises[5:8]
    case = judged_case(confirmed, outcome="confirmed", judged=at(dt.date(2025, 3, 4)))
    judged_case(false_alarm, outcome="false_alarm", judged=at(dt.date(2025, 3, 4)))
    judged_case(too_old, outcome="confirmed", judged=at(dt.date(2023, 11, 2)))

    entries = {entry.enterprise.pk: entry.effective for entry in draws.pool_entries(2025)}

    assert (entries[confirmed.pk].category, entries[confirmed.pk].stratum) == ("special", "special")
    assert entries[confirmed.pk].reasons == (f"1 confirmed screening case (#{case.pk})",)
    assert entries[false_alarm.pk].stratum == "general"
    assert entries[too_old.pk].stratum == "general"
    strata = {plan.stratum: plan for plan in draws.plan_strata(enforcement.task)}
    assert confirmed.pk in {entry.enterprise.pk for entry in strata["special"].entries}
    assert strata["special"].count == 2  # 100 % a quarter: the registered special object and the one raised


def test_a_case_confirmed_after_today_does_not_count_yet(enforcement):
    clock.pin(NOW)
    later = enforcement.enterprises[5]
    judged_case(later, outcome="confirmed", judged=NOW + dt.timedelta(days=2))

    entries = {entry.enterprise.pk: entry.effective for entry in draws.pool_entries(2025)}

    assert entries[later.pk].stratum == "general"


def test_a_draw_committed_before_the_confirmation_does_not_know_of_it(enforcement):
    clock.pin(NOW)
    confirmed = enforcement.enterprises[5]
    judged_case(confirmed, outcome="confirmed", judged=at(dt.date(2025, 3, 4)))

    before = {e.enterprise.pk: e.effective for e in draws.pool_entries(2025, on=dt.date(2025, 3, 3))}
    same_day = {e.enterprise.pk: e.effective for e in draws.pool_entries(2025, on=dt.date(2025, 3, 4))}
    planned = {d.stratum: d for d in draws.plan_draws(enforcement.task, by=None, now=at(dt.date(2025, 3, 1)))}
    draw = draws.commit_draw(planned["general"], by=None, now=at(dt.date(2025, 3, 2)))

    assert (before[confirmed.pk].stratum, same_day[confirmed.pk].stratum) == ("general", "special")
    assert {"id": f"E{confirmed.pk}", "reasons": []}.items() <= next(
        entry for entry in draw.pool if entry["enterprise"] == confirmed.pk
    ).items()


def record(enforcement, enterprise, *, day: dt.date, fine: int | None, decision: str = "", state="completed"):
    return InspectionRecord.objects.create(
        task=enforcement.task,
        enterprise=enterprise,
        inspected_on=day,
        result="A" if fine else "1",
        penalty_amount=Decimal(fine) if fine else None,
        penalty_decision=decision,
        state=state,
    )


def test_a_fine_on_a_completed_record_is_a_credit_line_once(enforcement):
    clock.pin(NOW)
    plant = enforcement.enterprises[0]
    fined = record(enforcement, plant, day=dt.date(2025, 7, 8), fine=80000, decision="昆环罚〔2025〕7号")
    record(enforcement, plant, day=dt.date(2025, 7, 9), fine=None)
    record(enforcement, plant, day=dt.date(2025, 7, 10), fine=5000, state="draft")  # not yet a decision
    record(enforcement, plant, day=dt.date(2025, 7, 11), fine=3000, decision="昆环罚〔2025〕8号")
    ManualEvidence.objects.create(
        enterprise=plant,
        code="penalty",
        on=dt.date(2025, 7, 11),
        quantity=Decimal(3000),
        reference="昆环罚〔2025〕8号",
        description="entered by hand",
    )

    rows = evidence.penalties(plant, YEAR)

    assert [(r.record, r.code, r.quantity) for r in rows] == [
        (f"inspections.record:{fined.pk}", "inspection_penalty", Decimal(80000))
    ]
    assert "80,000.00 yuan" in rows[0].explanation


def task(world, number: int, *, deadline: dt.date, source, **fields) -> RectificationTask:
    return RectificationTask.objects.create(
        round="test round",
        number=number,
        problem=f"problem {number}",
        subject="the plant",
        accepting_unit=world.ecology,
        goal="fixed",
        deadline=deadline,
        source_record=source,
        **fields,
    )


def test_rectification_done_late_or_open_past_its_deadline_counts_its_days(enforcement):
    clock.pin(NOW)  # 20 July 2025
    plant = enforcement.enterprises[0]
    source = record(enforcement, plant, day=dt.date(2025, 3, 1), fine=None)
    world = enforcement.world
    late = task(world, 1, deadline=dt.date(2025, 5, 31), source=source, state="closed",
                applied_on=dt.date(2025, 6, 10), closed_on=dt.date(2025, 7, 1))  # fmt: skip
    task(world, 2, deadline=dt.date(2025, 5, 31), source=source, state="closed",
                   applied_on=dt.date(2025, 5, 20), closed_on=dt.date(2025, 6, 20))  # fmt: skip
    still_open = task(world, 3, deadline=dt.date(2025, 7, 10), source=source, state="in_progress")
    task(world, 4, deadline=dt.date(2025, 9, 30), source=source, state="in_progress")

    rows = {row.record: row for row in evidence.late_rectification(plant, YEAR)}

    assert {k: v.quantity for k, v in rows.items()} == {
        f"inspections.rectification:{late.pk}": Decimal(10),
        f"inspections.rectification:{still_open.pk}": Decimal(10),
    }
    assert "still open on 2025-07-20" in rows[f"inspections.rectification:{still_open.pk}"].explanation


def test_hazardous_waste_levels_are_2_1_0(enforcement):
    from tests.credit.conftest import waste_assessment

    plant = enforcement.enterprises[0]
    basic = waste_assessment(plant, on=dt.date(2025, 6, 3))
    passed = waste_assessment(enforcement.enterprises[1], on=dt.date(2025, 6, 4), ledger=2)

    assert [r.quantity for r in evidence.hazardous_waste(plant, YEAR)] == [Decimal(1)]
    assert [r.quantity for r in evidence.hazardous_waste(enforcement.enterprises[1], YEAR)] == [Decimal(2)]
    assert (basic.outcome, passed.outcome) == ("basic", "pass")
    assert evidence.hazardous_waste(plant, registry.Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == []
