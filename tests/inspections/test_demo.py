"""The enforcement demo: a year of random inspections with published draws that verify, records with
photos, a hazardous-waste round and the 24 rectification tasks, each feeding its target on the dashboard."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from envplan.core.models import AuditEntry
from envplan.core.uploads import PNG, sniff
from envplan.dashboard.queries import plan_dashboard
from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD, demo_password_hash
from envplan.draw import cli as pure_cli
from envplan.indicators.services import ensure_indicators, evaluate_computed
from envplan.inspections.command import main
from envplan.inspections.demo import load_inspections_demo
from envplan.inspections.demo.common import ROUND
from envplan.inspections.models import (
    Draw,
    DrawState,
    HazardousWasteAssessment,
    InspectionRecord,
    Photo,
    RecordState,
    RectificationState,
    RectificationTask,
)

DEMO_TODAY = dt.date(2025, 10, 20)


@pytest.fixture
def demo(db: None) -> DemoResult:
    result = load_demo()
    load_inspections_demo(plan=result.plan, password_hash=demo_password_hash(DEMO_PASSWORD))
    ensure_indicators(result.plan)
    evaluate_computed(result.plan, as_of=DEMO_TODAY)
    return result


def test_demo_has_a_year_of_random_inspections_with_published_draws(demo):
    states = {(d.task.code, d.stratum): d.state for d in Draw.objects.select_related("task")}

    assert sorted({code for code, _ in states}) == [
        "KDL-2025-Q1",
        "KDL-2025-Q2",
        "KDL-2025-Q3",
        "KDL-2025-Q4",
    ]
    assert {stratum for _, stratum in states} == {"key", "general", "special"}
    assert {state for (code, _), state in states.items() if code != "KDL-2025-Q4"} == {DrawState.PUBLISHED}
    assert {state for (code, _), state in states.items() if code == "KDL-2025-Q4"} == {DrawState.DRAWN}
    records = InspectionRecord.objects.filter(task__year=2025)
    assert records.count() == 28  # 7 a quarter: 2 key, 1 special, 4 general
    assert records.filter(state=RecordState.PUBLISHED).count() == 21
    assert records.filter(task__code="KDL-2025-Q4", state=RecordState.COMPLETED).count() == 3


def test_demo_published_draw_verifies_with_the_pure_command(demo, tmp_path: Path):
    draw = Draw.objects.filter(state=DrawState.PUBLISHED).order_by("pk").first()
    for argv in (
        ["pool", "export", "--draw", str(draw.pk), "-o", str(tmp_path / "pool.csv")],
        ["roster", "export", "--draw", str(draw.pk), "-o", str(tmp_path / "roster.csv")],
        ["published", "--draw", str(draw.pk), "-o", str(tmp_path / "draw.json")],
    ):
        assert main(argv, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    out = io.StringIO()

    code = pure_cli.main(
        [
            "verify",
            str(tmp_path / "pool.csv"),
            str(tmp_path / "draw.json"),
            "--seed",
            draw.seed_hex,
            "--inspectors",
            str(tmp_path / "roster.csv"),
        ],
        stdout=out,
        stderr=io.StringIO(),
    )

    assert (code, out.getvalue()) == (0, f"reproduced: {draw.count} id(s) drawn by envplan-draw-1\n")


def test_demo_every_step_of_every_published_draw_is_audited(demo):
    published = Draw.objects.filter(state=DrawState.PUBLISHED).count()

    actions = [
        AuditEntry.objects.filter(action=action).count()
        for action in (
            "inspections.draw_committed",
            "inspections.draw_made",
            "inspections.seed_revealed",
            "inspections.draw_published",
        )
    ]

    assert published == 9
    assert actions == [12, 12, 9, 9]


def test_demo_records_carry_real_generated_photos(demo):
    completed = InspectionRecord.objects.exclude(state=RecordState.DRAFT)

    assert all(record.photos.exists() for record in completed)
    photo = Photo.objects.first()
    content = photo.file.read()
    assert photo.generated and sniff(content[:16], content) == PNG
    assert completed.filter(result="A").exists() and completed.filter(result="E").exists()


def test_demo_has_a_hazardous_waste_round_with_each_outcome_scored(demo):
    assessments = HazardousWasteAssessment.objects.all()

    assert assessments.count() == 12
    assert set(assessments.values_list("role", flat=True)) == {"producer", "operator"}
    assert sorted(assessments.values_list("outcome", flat=True)) == ["basic"] + ["pass"] * 11


def test_demo_has_the_24_rectification_tasks_at_every_stage(demo):
    tasks = RectificationTask.objects.filter(round=ROUND)

    assert tasks.count() == 24
    assert dict(
        tasks.values_list("state").order_by().annotate(n=__import__("django.db.models").db.models.Count("pk"))
    ) == {
        RectificationState.CLOSED: 15,
        RectificationState.REOPENED: 1,
        RectificationState.PUBLICISED: 2,
        RectificationState.ACCEPTED: 1,
        RectificationState.APPLIED: 2,
        RectificationState.IN_PROGRESS: 3,
    }


def test_demo_each_part_feeds_its_target_on_the_dashboard(demo):
    rows = {row.target.indicator: row for row in plan_dashboard(demo.plan, today=DEMO_TODAY).targets}

    expected = {
        "on-site pass rate of hazardous-waste producing and operating units": Decimal("91.7"),
        "2025 inspection rectification tasks completed": Decimal(15),
        "2025 rectification tasks closed at least a month before their deadline": Decimal(11),
        "random-inspection results published within the deadline": Decimal("95.2"),
    }
    latest = {name: (rows[name].attainment.latest, rows[name].attainment.latest_date) for name in expected}

    assert latest == {name: (value, DEMO_TODAY) for name, value in expected.items()}
    assert {rows[name].indicator.computation.split(".")[0] for name in expected} == {"inspections"}


def test_demo_dashboard_page_shows_the_enforcement_targets(demo, client: Client):
    assert client.login(username="supervisor", password=DEMO_PASSWORD)

    page = client.get(f"/dashboard/plans/{demo.plan.pk}/").content.decode()

    assert "random-inspection results published within the deadline" in page
    assert "computed from the enforcement records" in page


def test_demo_logins_reach_their_pages(demo, client: Client):
    assert client.login(username="bureau-officer", password=DEMO_PASSWORD)
    assert client.get("/inspections/tasks/").status_code == 200
    client.logout()
    assert client.login(username="inspector1", password=DEMO_PASSWORD)
    assert client.get("/inspections/tasks/").status_code == 403
    assert client.get("/inspections/records/").status_code == 200


def test_demo_load_again_changes_nothing(demo):
    counts = (AuditEntry.objects.count(), Photo.objects.count(), Draw.objects.count())

    again = load_inspections_demo(plan=demo.plan, password_hash="unused")

    assert again == {"loaded": 0}
    assert (AuditEntry.objects.count(), Photo.objects.count(), Draw.objects.count()) == counts
