"""The ledger and the assessment on the bundled demo plan (the reference plan, 47 tasks)."""

from __future__ import annotations

import datetime as dt

from envplan.demo.loader import load_demo
from envplan.exports.assessment import assess_units
from envplan.exports.ledger import LEDGER_SHEET, build_ledger
from envplan.plans.models import Assignment, Unit


def test_demo_ledger_has_a_row_per_assignment(db: None) -> None:
    plan = load_demo().plan

    sheet = build_ledger(plan, today=dt.date(2025, 7, 1), reader=None)[LEDGER_SHEET]

    assert sheet.max_row - 1 == Assignment.objects.filter(task__plan=plan).count()
    assert [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)] == list(
        range(1, sheet.max_row)
    )


def test_demo_ledger_is_built_in_a_fixed_number_of_queries(db: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    plan = load_demo().plan

    with django_assert_max_num_queries(20):
        build_ledger(plan, today=dt.date(2025, 7, 1), reader=None)


def test_demo_assessment_scores_every_reporting_unit(db: None) -> None:
    plan = load_demo().plan

    result = assess_units(plan, today=dt.date(2025, 7, 1))

    named = Unit.objects.filter(assignments__task__plan=plan).distinct()
    expected = {u.code for u in named if not u.is_group} | {
        m.code for u in named if u.is_group for m in u.members.all() if not m.is_group
    }
    assert {row.unit.code for row in result.rows} == expected
    scores = [row.score for row in result.rows]
    assert scores == sorted(scores, reverse=True)
