"""The demo: a winter alert with its notices, the reduction lists, data during the alert, a compliance
report that finds the steel plant that did not cut, a CAP feed valid against the CAP 1.2 schema, the
neighbour's feed imported, and the plan's list targets computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from envplan.core.models import AuditEntry
from envplan.emergency import queries
from envplan.emergency.demo_data import STEEL_NAME, load_emergency_demo
from envplan.emergency.models import Alert, NeighbourAlert, ReductionList
from envplan.indicators.models import IndicatorValue
from envplan.indicators.services import evaluate_computed
from tests.emergency.conftest import DATA, NOW

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "CAP-v1.2.xsd")))


def test_demo_alert_is_orange_lowered_to_yellow_then_lifted(demo):
    alert = Alert.objects.get(generated=True)
    changes = list(alert.changes.order_by("sequence"))

    assert [(c.action, c.level, c.proposed_level) for c in changes] == [
        ("issue", "orange", "orange"),
        ("lower", "yellow", "yellow"),
        ("lift", "yellow", "lift"),
    ]
    assert alert.state == "lifted"
    assert "发布重污染天气橙色预警" in changes[0].notice_text
    assert "1月14日0时起启动Ⅱ级应急响应" in changes[0].notice_text
    assert "解除时间另行通知" in changes[0].notice_text
    assert [e.action for e in AuditEntry.objects.for_object(alert).order_by("pk")] == [
        "emergency.alert_issued",
        "emergency.alert_lowered",
        "emergency.alert_lifted",
    ]


def test_demo_compliance_finds_the_steel_plant_that_did_not_cut(demo):
    alert = Alert.objects.get(generated=True)

    report = queries.compliance_report(alert, now=NOW)

    assert [r.entry.enterprise.name for r in report.non_compliant] == [STEEL_NAME]
    steel = report.non_compliant[0]
    assert {p["pollutant"] for p in steel.pollutants if not p["compliant"]} == {"so2", "nox", "pm"}
    assert [(s["outlet"], s["hours"]) for s in steel.stopped] == [("DA002", 72)]  # orange: 14 to 17 January
    assert [r.entry.enterprise.name_zh for r in report.without_data] == ["昆都仑水泥粉磨有限公司（示例）"]
    assert sorted(r.entry.row_number for r in report.compliant_results) == [1, 3]
    assert report.reduction_list.year == 2024  # the list in force in January 2025
    assert report.generated is True
    findings = [(row["enterprise"], row["finding"]) for row in queries.case_rows(report)]
    assert findings.count((STEEL_NAME, "stopped_line_emitting")) == 1
    assert ("Kundulun Cement Grinding Co. (illustrative)", "no_data") in findings


def test_demo_power_plant_cut_about_a_quarter_against_an_owed_mix_of_20_and_10_percent(demo):
    report = queries.compliance_report(Alert.objects.get(generated=True), now=NOW)
    power = next(r for r in report.results if r.entry.row_number == 1)
    so2 = next(p for p in power.pollutants if p["pollutant"] == "so2")

    # 72 orange hours at 20 % and 36 yellow hours at 10 %
    assert so2["hours"] == 108
    assert so2["cut_required"] == pytest.approx((72 * 20 + 36 * 10) / 108)
    assert so2["cut_achieved"] == pytest.approx(25, abs=1.5)
    assert so2["compliant"] is True


def test_demo_cap_feed_validates_against_the_cap_1_2_schema(demo, client: Client, cap_schema):
    response = client.get(reverse("emergency:cap_feed"))  # public: no login

    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    alerts = feed.findall(f"{ATOM}entry/{ATOM}content/{CAP}alert")
    assert len(alerts) == 3
    for alert in alerts:
        cap_schema.assertValid(etree.ElementTree(alert))
    assert [a.findtext(f"{CAP}msgType") for a in alerts] == ["Cancel", "Update", "Alert"]
    first = alerts[-1]
    assert first.findtext(f"{CAP}info/{CAP}category") == "Env"
    assert first.findtext(f"{CAP}info/{CAP}severity") == "Severe"
    assert first.findtext(f"{CAP}info/{CAP}area/{CAP}areaDesc") == "昆都仑区"
    assert first.findtext(f"{CAP}sent") == "2025-01-13T16:00:00+08:00"
    cancel = alerts[0]
    assert len(cancel.findtext(f"{CAP}references").split()) == 2


def test_demo_single_cap_message_validates(demo, client: Client, cap_schema):
    change = Alert.objects.get(generated=True).changes.get(sequence=2)

    response = client.get(reverse("emergency:cap_message", args=[change.pk]))

    assert response["Content-Type"] == "application/cap+xml"
    cap_schema.assertValid(etree.ElementTree(etree.fromstring(response.content)))


def test_demo_neighbour_feed_is_imported_as_one_thread_now_cancelled(demo):
    messages = list(NeighbourAlert.objects.order_by("sent"))

    assert [(m.msg_type, m.level) for m in messages] == [("Alert", "orange"), ("Cancel", "orange")]
    assert messages[0].thread == messages[1].thread
    assert queries.neighbour_alerts_in_force(now=NOW) == []


def test_demo_list_targets_are_computed_from_the_lists(demo):
    counts = evaluate_computed(demo.plan, as_of=NOW.date())
    values = {
        v.indicator.computation: (v.date, v.value)
        for v in IndicatorValue.objects.filter(
            indicator__computation__startswith="emergency."
        ).select_related("indicator")
        if v.date == NOW.date()
    }

    assert counts["emergency.gas_enterprise_coverage"] == 2  # September and October of 2025
    assert values["emergency.gas_enterprise_coverage"] == (NOW.date(), Decimal("100.0"))
    assert values["emergency.list_revised_on_time"] == (NOW.date(), Decimal(1))


def test_demo_load_twice_changes_nothing(demo):
    audit = AuditEntry.objects.count()

    again = load_emergency_demo(plan=demo.plan)

    assert again["alerts"] == 0
    assert AuditEntry.objects.count() == audit
    assert ReductionList.objects.count() == 2


def test_demo_steel_grade_was_lowered_after_the_alert(demo):
    from envplan.sources.models import Enterprise

    steel = Enterprise.objects.get(name=STEEL_NAME)

    before = queries.grades_in_force([steel.pk], on=dt.date(2025, 1, 14))[steel.pk]
    after = queries.grades_in_force([steel.pk], on=NOW.date())[steel.pk]

    assert (before.scheme, before.grade, after.grade) == ("2020", "B", "C")
