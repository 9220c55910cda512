"""Heavy-pollution alerts and the credit rating: each reduction measure found not applied during an
alert is an evidence line of the enterprise's rating (envplan.emergency.evidence)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from envplan.credit import registry, services
from envplan.emergency.demo_data import STEEL_NAME
from envplan.emergency.evidence import noncompliance
from envplan.emergency.models import Alert
from envplan.sources.models import Enterprise

YEAR = registry.Period(dt.date(2025, 1, 1), dt.date(2025, 10, 20))


def test_each_measure_not_applied_is_one_line_naming_the_alert_and_the_figures(demo):
    steel = Enterprise.objects.get(name=STEEL_NAME)
    alert = Alert.objects.get(generated=True)

    rows = noncompliance(steel, YEAR)

    assert sorted(row.record for row in rows) == sorted(
        [f"emergency.alert:{alert.pk}:{p}" for p in ("nox", "pm", "so2")]
        + [f"emergency.alert:{alert.pk}:stopped:{steel.outlets.get(code='DA002').pk}"]
    )
    assert {row.code for row in rows} == {"alert_noncompliance"}
    assert {row.quantity for row in rows} == {Decimal(1)}
    so2 = next(row for row in rows if row.record.endswith(":so2"))
    assert "SO2:" in so2.explanation and "kg allowed" in so2.explanation
    stopped = next(row for row in rows if ":stopped:" in row.record)
    assert "DA002" in stopped.explanation and "72 h" in stopped.explanation


def test_an_enterprise_that_cut_and_a_period_without_alerts_give_no_line(demo):
    steel = Enterprise.objects.get(name=STEEL_NAME)
    compliant = [e for e in Enterprise.objects.filter(reduction_entries__isnull=False) if e.pk != steel.pk]

    assert [noncompliance(e, YEAR) for e in compliant] == [[] for _ in compliant]
    assert noncompliance(steel, registry.Period(dt.date(2025, 3, 1), dt.date(2025, 10, 20))) == []


def test_the_rating_deducts_per_measure_up_to_the_cap(demo):
    steel = Enterprise.objects.get(name=STEEL_NAME)
    rating_round = services.create_round(
        title="2025 Inner Mongolia",
        scheme_id="inner-mongolia-2024",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=None,
    )

    rating = services.compute_rating(rating_round, steel, by=None, today=dt.date(2025, 10, 20))

    lines = [r for r in rating.explanation["records"] if r["record"].startswith("emergency.")]
    assert len(lines) == 4
    assert {line["indicator"] for line in lines} == {"emergency_response"}
    indicator = next(i for i in rating.explanation["indicators"] if i["code"] == "emergency_response")
    assert indicator["contribution"] == "-30.00"  # 4 × 10 points, capped at 30


def test_the_public_alert_tables_carry_the_notices_not_the_office_reasoning(demo):
    from envplan.emergency import public
    from envplan.emergency.models import AlertChange
    from tests.emergency.conftest import NOW

    alert = Alert.objects.get(generated=True)
    alerts = {row["alert"]: row for row in public.alert_rows(NOW)}
    notices = [row for row in public.notice_rows(NOW) if row["alert"] == alert.pk]
    reasoning = {
        text
        for change in AlertChange.objects.filter(alert=alert)
        for text in (change.proposal, change.override_reason)
        if text
    }

    assert (alerts[alert.pk]["in_force"], alerts[alert.pk]["notices"]) == (False, 3)
    assert [row["action"] for row in sorted(notices, key=lambda r: r["number"])] == ["issue", "lower", "lift"]
    assert not {"proposal", "override_reason", "by"} & set(notices[0])
    assert not [text for text in reasoning for row in notices for value in row.values() if text == value]
