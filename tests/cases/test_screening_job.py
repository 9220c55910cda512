"""The screening job on the lake: findings filed into one case per enterprise, incrementally."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from envplan.cases import screening
from envplan.cases.jobs import screening_job
from envplan.cases.models import Case, Finding, Outcome, ScreeningState
from envplan.cases.services import record_outcome, run_screening
from envplan.core.models import AuditEntry
from envplan.core.worker import discover
from envplan.sources.demo_data import DOCTORED_MN, HELD_VALUE, POWER_MN, WATER_MN
from envplan.sources.models import Enterprise
from tests.cases.conftest import END, NOW, ZONE


def test_screening_finds_the_doctored_enterprise_and_only_it(screened):
    case = Case.objects.get()

    findings = {(f.detector, f.factor, f.field) for f in case.findings.all()}

    assert case.enterprise == Enterprise.objects.get(name__startswith="Kundulun Heating")
    assert findings == {
        ("flat_line", "a21002", "Avg"),
        ("variance_collapse", "a21002", "Avg"),
        ("limit_hugging", "a21002", "ZsAvg"),
    }
    assert case.generated is True
    assert case.risk > 0.9
    assert screened.summary["cases_opened"] == [case.pk]


def test_screening_keeps_the_held_run_with_its_numbers(screened):
    held = Finding.objects.get(detector="flat_line")

    assert (held.mn, held.points) == (DOCTORED_MN, 30)
    assert held.evidence["value"] == float(HELD_VALUE)
    assert held.start == dt.datetime(2025, 10, 11, 8, tzinfo=ZONE)
    assert "held at 35.2" in held.explanation


def test_screening_run_is_audited_and_moves_every_loggers_state(screened):
    entry = AuditEntry.objects.get(action="cases.screening_run")

    assert entry.after["findings"] == 3
    assert entry.after["created"] == 3
    states = dict(ScreeningState.objects.values_list("mn", "screened_until"))
    assert {POWER_MN, WATER_MN, DOCTORED_MN} <= set(states)
    assert set(states.values()) == {END}


def test_screening_again_updates_the_findings_instead_of_repeating_them(screened):
    again = run_screening(end=END + dt.timedelta(days=1))

    assert (again.summary["created"], again.summary["updated"]) == (0, 3)
    assert Finding.objects.count() == 3
    assert Case.objects.count() == 1


def test_screening_reads_back_only_the_lookback_window(screened):
    found = screening.windows(end=END + dt.timedelta(days=1), screened={DOCTORED_MN: END}, mns=[DOCTORED_MN])
    first = screening.windows(end=END, screened={}, mns=[DOCTORED_MN])

    assert [(w.start, w.end) for w in found] == [(END - screening.LOOKBACK, END + dt.timedelta(days=1))]
    assert [w.start for w in first] == [END - screening.FIRST_WINDOW]
    assert found[0].history_start == END - screening.LOOKBACK - screening.HISTORY


def test_screening_learns_the_usual_from_history_before_the_window(demo):
    # Screened once up to 13 days before the end, the window starts 48 days back: the doctoring (the last
    # 20 days) is inside it, and the honest days before it are the history the baselines come from.
    alone = screening.windows(end=END, screened={}, mns=[DOCTORED_MN])
    with_history = screening.windows(
        end=END, screened={DOCTORED_MN: END - dt.timedelta(days=13)}, mns=[DOCTORED_MN]
    )

    first = screening.screen(alone).filter(pl.col("detector") == "limit_hugging").row(0, named=True)
    later = screening.screen(with_history).filter(pl.col("detector") == "limit_hugging").row(0, named=True)

    usual = [json.loads(row["evidence"])["usual_share_above"] for row in (first, later)]
    # Against honest weeks alone, values at or above the limit are commoner than when the doctored weeks
    # are counted in: the same bunching is the more surprising.
    assert usual[1] > usual[0]
    assert later["score"] > first["score"]
    assert later["start"] >= with_history[0].start


def test_judged_case_is_not_reopened_by_the_same_findings(screened, users):
    case = Case.objects.get()
    record_outcome(case, outcome=Outcome.CONFIRMED, note="analyser output frozen on site", by=users["chief"])

    again = run_screening(end=END + dt.timedelta(days=1))

    assert again.summary["already_judged"] == 3
    assert again.summary["cases_opened"] == []
    assert Case.objects.count() == 1


def test_screening_job_is_registered_daily_and_reports_what_it_did(demo):
    jobs = discover()

    text = screening_job(NOW.date())

    assert jobs["cases-screening"].daily_at == dt.time(4, 0)
    assert text == "6 loggers screened: 3 findings (3 new, 0 updated), 1 cases opened"
