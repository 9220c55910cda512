"""The demo's year of random inspections: four quarterly tasks, their draws (committed, made, revealed
and published for the first three quarters), and the records of each drawn target."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.contrib.auth.models import User

from envplan.inspections.demo.common import QUARTERS, YEAR, at, demo_seed, photo
from envplan.inspections.models import DrawState, InspectionRecord, InspectionTask
from envplan.inspections.services import draws, records
from envplan.inspections.workdays import add_working_days

FINDINGS = {
    "E": (
        "The bag filter's pressure gauge was broken and not logged (illustrative).",
        "Ordered on site to repair it; repaired and photographed the same week.",
    ),
    "A": (
        "Particulate above the permit's limit at the kiln stack during the check (illustrative).",
        "Evidence secured; case passed to the case office.",
    ),
}


def _fill_record(
    record: InspectionRecord, index: int, inspected: dt.date, *, publish: dt.date | None
) -> None:
    """A completed inspection: findings, result, a measurement, one or two generated photos."""
    result = "A" if index % 11 == 5 else "E" if index % 7 == 3 else "1"
    follow_ups = {"A": ["case"], "E": ["ordered"], "1": ["none"]}[result]
    findings = {}
    for finding in record.findings.all():
        problem, handling = FINDINGS.get(result, ("", "")) if finding.item.number == 1 else ("", "")
        findings[finding.item_id] = records.FindingInput(True, problem, handling)
    data = records.RecordInput(
        inspected_on=inspected,
        methods=["1", "2"] if index % 3 else ["1", "4"],
        result=result,
        follow_ups=follow_ups,
        follow_up_done=result != "A",
        follow_up_done_on=inspected if result != "A" else None,
        penalty_amount=Decimal(80000) if result == "A" else None,
        penalty_decision=f"昆环罚〔{YEAR}〕{index:02d}号（示例）" if result == "A" else "",
        summary="Generated demo record.",
        findings=findings,
    )
    moment = at(inspected, 16)
    records.save_record(record, by=None, data=data, now=moment)
    if index % 2 == 0 or result != "1":
        over = result == "A"
        records.add_measurement(
            record,
            by=None,
            parameter="particulate (portable analyser)",
            value=Decimal("13.6") if over else Decimal(str(4 + index % 5)),
            unit_of_measure="mg/m³",
            limit=Decimal(10),
            location="main stack",
            note="generated",
        )
    photos = [photo(index, f"site-{record.pk}-1.png")]
    if result != "1":
        photos.append(photo(index + 50, f"site-{record.pk}-2.png"))
    records.add_photos(
        record, uploads=photos, by=None, caption="generated picture", generated=True, now=moment
    )
    records.complete_record(record, by=None, now=moment)
    if publish is not None:
        records.publish_record(record, by=None, now=at(publish, 9))


def run_draws(officer: User, tasks: list[InspectionTask]) -> dict[str, int]:
    counts = {"draws": 0, "records": 0, "published": 0}
    index = 0
    for task, (label, start, _end, commit, published) in zip(tasks, QUARTERS, strict=True):
        if task.draws.exclude(state=DrawState.PLANNED).exists():
            continue
        for draw in draws.plan_draws(task, by=officer, now=at(commit, 8)):
            seed = demo_seed(f"{task.code} {draw.stratum}")
            draws.commit_draw(
                draw, by=officer, seed_sha256=hashlib.sha256(seed).hexdigest(), now=at(commit, 9)
            )
            draws.make_draw(draw, by=officer, seed=seed.hex(), now=at(commit + dt.timedelta(days=1), 9))
            counts["draws"] += 1
        task_records = list(
            InspectionRecord.objects.filter(task=task).order_by(
                "drawn_target__draw__stratum", "drawn_target__position"
            )
        )
        InspectionRecord.objects.filter(task=task).update(generated=True)
        for number, record in enumerate(task_records):
            index += 1
            if published is None:
                if number >= 3:
                    continue  # the quarter's other inspections are still to do
                inspected = dt.date(2025, 10, 14 + number)
                _fill_record(record, index, inspected, publish=None)
                continue
            inspected = start + dt.timedelta(days=35 + number * 6)
            working_days = 24 if (label, number) == ("Q2", 2) else 6 + number  # one published late
            _fill_record(record, index, inspected, publish=add_working_days(inspected, working_days))
            counts["published"] += 1
        counts["records"] += len(task_records)
        if published is not None:
            for draw in task.draws.all():
                draws.reveal_seed(draw, by=officer, now=at(published, 9))
                draws.publish_draw(draw, by=officer, now=at(published, 11))
    return counts
