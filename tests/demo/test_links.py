"""The enforcement links on the whole demo as `envplan demo` loads it: the doctored enterprise's
confirmed case feeds its credit rating and its inspection frequency, the credit grades raise the draws,
and every rating line names the record that moved it."""

from __future__ import annotations

from envplan.cases.models import Case
from envplan.credit.models import CreditRating
from envplan.demo.activity import DEMO_TODAY
from envplan.emergency.demo_data import STEEL_NAME
from envplan.inspections.models import (
    Draw,
    DrawState,
    HazardousWasteAssessment,
    InspectionRecord,
    RectificationTask,
)
from envplan.inspections.services import draws
from envplan.sources.demo_data import DOCTORED_ENTERPRISE, ENTERPRISES
from tests.wholedemo import whole_demo_fixture

whole_demo = whole_demo_fixture("whole_demo", "demo-links")


def lines(rating: CreditRating, prefix: str) -> list[dict]:
    return [line for line in rating.explanation["records"] if line["record"].startswith(prefix)]


def draft_2025(name: str, scheme: str = "inner-mongolia-2024") -> CreditRating:
    return CreditRating.objects.select_related("round").get(
        enterprise__name=name, round__scheme_id=scheme, round__period_end__year=2025
    )


def test_the_doctored_enterprises_confirmed_case_feeds_its_rating(whole_demo, db):
    case = Case.objects.get(enterprise__name=DOCTORED_ENTERPRISE["name"], outcome="confirmed")

    [line] = lines(draft_2025(DOCTORED_ENTERPRISE["name"]), "cases.")

    assert case.judged_at.date() <= DEMO_TODAY
    assert (line["record"], line["indicator"], line["total_effect"]) == (
        f"cases.case:{case.pk}",
        "falsified_data",
        "-20.00",
    )


def test_the_doctored_enterprise_and_the_red_graded_plant_are_raised_in_the_register(whole_demo, db):
    entries = {entry.enterprise.name: entry.effective for entry in draws.pool_entries(2025)}

    doctored = entries[DOCTORED_ENTERPRISE["name"]]
    red = entries[ENTERPRISES[1]["name"]]  # the wastewater plant, red since May (a one-vote veto)
    green = entries[ENTERPRISES[0]["name"]]

    assert (doctored.registered, doctored.category) == ("general", "special")
    assert any("confirmed screening case" in reason for reason in doctored.reasons)
    assert (red.registered, red.category) == ("key", "special")
    assert any("credit grade" in reason for reason in red.reasons)
    assert (green.category, green.reasons) == ("key", ())


def test_draws_committed_after_the_red_grade_was_published_draw_the_plant_as_special(whole_demo, db):
    water = ENTERPRISES[1]["name"]
    pools = {
        (draw.task.code, draw.stratum): {entry["name"]: entry["reasons"] for entry in draw.pool}
        for draw in Draw.objects.select_related("task").exclude(state=DrawState.PLANNED)
    }

    # Q1 committed on 9 January, before the grade (6 May); Q3 on 9 July, after it.
    assert water in pools[("KDL-2025-Q1", "key")]
    assert any("credit grade" in reason for reason in pools[("KDL-2025-Q3", "special")][water])
    assert DOCTORED_ENTERPRISE["name"] in pools[("KDL-2025-Q4", "general")]  # confirmed on 20 October


def test_enforcement_records_feed_the_ratings_line_by_line(whole_demo, db):
    fined = InspectionRecord.objects.filter(penalty_amount__gt=0, inspected_on__year=2025).first()
    basic = HazardousWasteAssessment.objects.get(round__year=2025, outcome="basic")

    fine_lines = lines(draft_2025(fined.enterprise.name), "inspections.record:")
    waste_lines = lines(draft_2025(basic.enterprise.name), "inspections.waste:")
    alert_lines = lines(draft_2025(STEEL_NAME), "emergency.")

    assert f"inspections.record:{fined.pk}" in {line["record"] for line in fine_lines}
    assert {line["indicator"] for line in fine_lines} == {"administrative_penalty"}
    assert [(line["indicator"], line["total_effect"]) for line in waste_lines] == [
        ("hazardous_waste", "-5.00")
    ]
    assert {line["indicator"] for line in alert_lines} == {"emergency_response"} and len(alert_lines) == 4


def test_every_rating_of_the_demo_explains_each_record(whole_demo, db):
    for rating in CreditRating.objects.all():
        records = rating.explanation["records"]
        assert {line["record"] for line in records} == {row["record"] for row in rating.evidence}, rating
        assert all(row["explanation"] or row["label"] for row in rating.evidence), rating


def test_the_year_of_inspections_is_there(whole_demo, db):
    published = InspectionRecord.objects.filter(state="published")

    assert published.exists() and all(record.photos.exists() for record in published)
    assert Draw.objects.filter(state=DrawState.PUBLISHED).exclude(seed_hex="").exists()
    assert RectificationTask.objects.count() == 24
