"""Rectification tasks to closure: progress and evidence by the accepting unit, acceptance, the public
notice, closure (销号), the look-back review that can reopen a task, and the plan's indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from envplan.core.models import AuditEntry
from envplan.inspections import indicators
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.images import generated_photo
from envplan.inspections.models import RectificationAction, RectificationState, RectificationTask
from envplan.inspections.services import rectifications as services
from tests.inspections.conftest import at

ROUND = "test round"


def _task(world, *, number: int = 1, deadline: dt.date = dt.date(2025, 11, 30)) -> RectificationTask:
    return services.save_rectification(
        RectificationTask(
            round=ROUND,
            number=number,
            problem="Stockyard uncovered",
            subject="the plant",
            accepting_unit=world.ecology,
            goal="covered",
            deadline=deadline,
        ),
        by=world.supervisor,
        now=at(dt.date(2025, 3, 1)),
    )


def _evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("after.png", generated_photo(3), content_type="image/png")


def _close(world, task: RectificationTask, closed: dt.date) -> RectificationTask:
    start = closed - dt.timedelta(days=16)
    services.add_evidence(
        task, by=world.ecology_reporter, uploads=[_evidence()], now=at(start - dt.timedelta(days=9))
    )
    services.apply_for_acceptance(
        task, by=world.ecology_reporter, completion="done", now=at(start - dt.timedelta(days=7))
    )
    services.decide_acceptance(
        task, by=world.ecology_admin, accept=True, now=at(start - dt.timedelta(days=2))
    )
    services.publicise_closure(task, by=world.officer, start=start, contact="office", now=at(start))
    return services.close_rectification(task, by=world.officer, now=at(closed))


def test_rectifications_go_from_registration_to_closure(enforcement):
    world = enforcement.world
    task = _task(world)

    services.record_progress(
        task,
        by=world.ecology_reporter,
        month=dt.date(2025, 6, 1),
        progress="covers ordered",
        now=at(dt.date(2025, 6, 20)),
    )
    closed = _close(world, task, dt.date(2025, 7, 25))

    assert closed.state == RectificationState.CLOSED
    assert (closed.accepted_on, closed.notice_start, closed.notice_end, closed.closed_on) == (
        dt.date(2025, 7, 7),
        dt.date(2025, 7, 9),
        dt.date(2025, 7, 23),  # 10 working days
        dt.date(2025, 7, 25),
    )
    actions = list(task.events.values_list("action", flat=True))
    assert actions == ["created", "progress", "evidence", "applied", "accepted", "publicised", "closed"]
    assert task.events.get(action="progress").by_unit == world.ecology
    assert AuditEntry.objects.filter(action__startswith="inspections.rectification_").count() == 6


def test_rectifications_need_evidence_before_acceptance(enforcement):
    world = enforcement.world
    task = _task(world)

    with pytest.raises(InspectionError) as raised:
        services.apply_for_acceptance(
            task, by=world.ecology_reporter, completion="done", now=at(dt.date(2025, 5, 1))
        )

    assert raised.value.field == "evidence"


def test_rectifications_refused_acceptance_goes_back_to_work_with_the_reason(enforcement):
    world = enforcement.world
    task = _task(world)
    services.add_evidence(task, by=world.ecology_reporter, uploads=[_evidence()], now=at(dt.date(2025, 5, 1)))
    services.apply_for_acceptance(
        task, by=world.ecology_reporter, completion="done", now=at(dt.date(2025, 5, 2))
    )

    with pytest.raises(InspectionError):
        services.decide_acceptance(task, by=world.ecology_admin, accept=False, now=at(dt.date(2025, 5, 5)))
    refused = services.decide_acceptance(
        task, by=world.ecology_admin, accept=False, comment="half the yard open", now=at(dt.date(2025, 5, 5))
    )

    assert (refused.state, refused.applied_on) == (RectificationState.IN_PROGRESS, None)
    assert task.events.get(action=RectificationAction.REFUSED).comment == "half the yard open"


def test_rectifications_close_waits_for_the_end_of_the_notice(enforcement):
    world = enforcement.world
    task = _task(world)
    services.add_evidence(task, by=world.ecology_reporter, uploads=[_evidence()], now=at(dt.date(2025, 5, 1)))
    services.apply_for_acceptance(
        task, by=world.ecology_reporter, completion="done", now=at(dt.date(2025, 5, 2))
    )
    services.decide_acceptance(task, by=world.ecology_admin, accept=True, now=at(dt.date(2025, 5, 5)))
    services.publicise_closure(task, by=world.officer, start=dt.date(2025, 5, 6), now=at(dt.date(2025, 5, 6)))

    with pytest.raises(InspectionError) as raised:
        services.close_rectification(task, by=world.officer, now=at(dt.date(2025, 5, 20)))

    assert raised.value.kind == ErrorKind.WRONG_STATE
    assert services.close_rectification(
        task, by=world.officer, now=at(dt.date(2025, 5, 21))
    ).closed_on == dt.date(2025, 5, 21)


def test_rectifications_look_back_reopens_a_task_whose_problem_came_back(enforcement):
    world = enforcement.world
    task = _close(world, _task(world), dt.date(2025, 5, 16))

    with pytest.raises(InspectionError) as raised:
        services.look_back(
            task, by=world.officer, reviewed_on=dt.date(2025, 9, 1), holds=False, now=at(dt.date(2025, 9, 1))
        )
    assert raised.value.field == "note"
    services.look_back(
        task,
        by=world.officer,
        reviewed_on=dt.date(2025, 9, 1),
        holds=False,
        note="covers gone",
        now=at(dt.date(2025, 9, 1)),
    )

    task.refresh_from_db()
    assert (task.state, task.closed_on, task.notice_start) == (RectificationState.REOPENED, None, None)
    services.record_progress(
        task,
        by=world.ecology_reporter,
        month=dt.date(2025, 9, 1),
        progress="re-covering",
        now=at(dt.date(2025, 9, 10)),
    )
    task.refresh_from_db()
    assert task.state == RectificationState.IN_PROGRESS


def test_rectifications_only_the_accepting_unit_reports_and_its_admin_accepts(enforcement):
    world = enforcement.world
    task = _task(world)

    for outsider in (world.housing_reporter, world.supervisor, world.officer):
        with pytest.raises(InspectionError) as raised:
            services.add_evidence(task, by=outsider, uploads=[_evidence()], now=at(dt.date(2025, 5, 1)))
        assert raised.value.kind == ErrorKind.NOT_ALLOWED
    services.add_evidence(task, by=world.ecology_admin, uploads=[_evidence()], now=at(dt.date(2025, 5, 1)))
    services.apply_for_acceptance(
        task, by=world.ecology_reporter, completion="done", now=at(dt.date(2025, 5, 2))
    )
    with pytest.raises(InspectionError) as raised:
        services.decide_acceptance(task, by=world.ecology_reporter, accept=True, now=at(dt.date(2025, 5, 5)))
    assert raised.value.kind == ErrorKind.NOT_ALLOWED


def test_rectifications_indicators_count_closures_as_they_stood_each_month(enforcement):
    world = enforcement.world
    early = _close(world, _task(world, number=1), dt.date(2025, 5, 16))  # deadline 11-30: early
    _close(world, _task(world, number=2, deadline=dt.date(2025, 6, 30)), dt.date(2025, 6, 20))  # not early
    _task(world, number=3)  # open
    _task(world, number=4, deadline=dt.date(2026, 6, 30))  # due next year: not counted
    services.look_back(
        early, by=None, reviewed_on=dt.date(2025, 8, 5), holds=False, note="back", now=at(dt.date(2025, 8, 5))
    )

    closed = dict(indicators.rectifications_closed({}, dt.date(2025, 8, 20)))
    closed_early = dict(indicators.rectifications_closed_early({"round": ROUND}, dt.date(2025, 8, 20)))

    assert [closed[dt.date(2025, m, d)] for m, d in ((4, 30), (5, 31), (6, 30), (7, 31), (8, 20))] == [
        0,
        1,
        2,
        2,
        1,
    ]
    assert [closed_early[dt.date(2025, m, d)] for m, d in ((4, 30), (5, 31), (6, 30), (7, 31), (8, 20))] == [
        0,
        1,
        1,
        1,
        0,
    ]
    assert indicators.rectifications_closed({"round": "another"}, dt.date(2025, 8, 20)) == []


def test_rectifications_one_month_before_keeps_the_day_or_the_months_last():
    assert indicators.one_month_before(dt.date(2025, 11, 30)) == dt.date(2025, 10, 30)
    assert indicators.one_month_before(dt.date(2025, 3, 31)) == dt.date(2025, 2, 28)
    assert indicators.one_month_before(dt.date(2025, 1, 15)) == dt.date(2024, 12, 15)


def test_rectifications_closed_indicator_feeds_a_target_through_the_registry(enforcement):
    from envplan.indicators.models import Indicator, IndicatorValue
    from envplan.indicators.services import configure_indicator, evaluate_computed

    world = enforcement.world
    _close(world, _task(world), dt.date(2025, 5, 16))
    indicator = Indicator.objects.create(target=world.target2)
    configure_indicator(
        indicator,
        by=None,
        source="computed",
        computation="inspections.rectifications_closed",
        parameters={"round": ROUND},
    )

    counts = evaluate_computed(world.plan, as_of=dt.date(2025, 7, 20))

    assert counts == {"inspections.rectifications_closed": 7}
    assert IndicatorValue.objects.get(indicator=indicator, date=dt.date(2025, 7, 20)).value == Decimal(1)
