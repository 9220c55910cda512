"""Alerts, grades, lists and neighbours' CAP messages through the services: what they refuse and what
they record."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from envplan.core.models import AuditEntry
from envplan.emergency import listxlsx, queries, services
from envplan.emergency.models import Alert, ListEntry, NeighbourAlert, PerformanceGrade, ReductionList
from envplan.sources.models import Enterprise, Outlet
from tests.emergency.conftest import DATA, NOW, ZONE

ISSUED = dt.datetime(2025, 12, 1, 16, 0, tzinfo=ZONE)


def _issue(**changes):
    values = dict(
        region="Test district",
        issuer="Test office",
        sender="office.test",
        level="orange",
        forecast_start=dt.date(2025, 12, 1),
        forecast=[160, 215, 238, 100, 90],
        issued_at=ISSUED,
        response_start=ISSUED + dt.timedelta(hours=8),
        by=None,
    )
    values.update(changes)
    return services.issue_alert(**values)


def test_issue_alert_at_the_proposed_level_needs_no_reason(db):
    alert = _issue()

    change = alert.changes.get()
    assert (change.proposed_level, change.rules, change.override_reason) == ("orange", "2024", "")
    assert AuditEntry.objects.for_object(alert).get().action == "emergency.alert_issued"


def test_issue_alert_at_another_level_needs_a_reason_and_stores_nothing_without(db):
    with pytest.raises(services.EmergencyError, match="forecast calls for orange") as refused:
        _issue(level="red")

    assert refused.value.field == "override_reason"
    assert Alert.objects.count() == 0
    alert = _issue(level="red", override_reason="上级区域预警：市应急指挥部红色预警")
    assert (alert.level, alert.changes.get().proposed_level) == ("red", "orange")


def test_issue_alert_refuses_a_sender_with_spaces_and_a_response_before_issue(db):
    with pytest.raises(services.EmergencyError) as bad_sender:
        _issue(sender="office test")
    with pytest.raises(services.EmergencyError) as early:
        _issue(response_start=ISSUED - dt.timedelta(hours=1))

    assert (bad_sender.value.field, early.value.field) == ("sender", "response_start")


def test_change_alert_raises_then_lowers_and_audits_each(db):
    alert = _issue()
    raised = services.change_alert(
        alert,
        level="red",
        forecast_start=dt.date(2025, 12, 2),
        forecast=[250, 320, 260],
        sent_at=ISSUED + dt.timedelta(days=1),
        effective_at=ISSUED + dt.timedelta(days=1),
        by=None,
    )
    lowered = services.change_alert(
        alert,
        level="yellow",
        forecast_start=dt.date(2025, 12, 4),
        forecast=[210, 120],
        sent_at=ISSUED + dt.timedelta(days=3),
        effective_at=ISSUED + dt.timedelta(days=3),
        by=None,
    )

    assert (raised.action, raised.previous_level, lowered.action) == ("raise", "orange", "lower")
    assert "提升为红色预警" in raised.notice_text
    alert.refresh_from_db()
    assert alert.level == "yellow"
    assert AuditEntry.objects.for_object(alert).count() == 3


def test_change_alert_cannot_take_effect_before_the_previous_notice(db):
    alert = _issue()

    with pytest.raises(services.EmergencyError) as refused:
        services.change_alert(
            alert,
            level="orange",
            forecast_start=dt.date(2025, 12, 1),
            forecast=[160, 215, 238],
            sent_at=ISSUED + dt.timedelta(hours=2),
            effective_at=ISSUED,
            by=None,
        )

    assert refused.value.field == "effective_at"
    assert alert.changes.count() == 1


def test_lift_alert_needs_two_clean_days_or_a_reason(db):
    alert = _issue()
    lifted_at = dt.datetime(2025, 12, 5, 12, 0, tzinfo=ZONE)

    with pytest.raises(services.EmergencyError, match="allows lifting on 2025-12-06"):
        services.lift_alert(
            alert, lifted_at=lifted_at, forecast_start=dt.date(2025, 12, 5), forecast=[160, 90, 80], by=None
        )
    change = services.lift_alert(
        alert, lifted_at=lifted_at, forecast_start=dt.date(2025, 12, 5), forecast=[120, 90], by=None
    )

    alert.refresh_from_db()
    assert (alert.state, change.proposed_level) == ("lifted", "lift")
    assert "解除重污染天气橙色预警" in change.notice_text
    with pytest.raises(services.EmergencyError, match="lifted"):
        services.lift_alert(alert, lifted_at=lifted_at, override_reason="again", by=None)


def test_level_periods_follow_the_notices_until_the_lift(db):
    alert = _issue()
    services.change_alert(
        alert, level="yellow", forecast_start=dt.date(2025, 12, 3), forecast=[160, 170],
        sent_at=ISSUED + dt.timedelta(days=2), effective_at=ISSUED + dt.timedelta(days=2), by=None,
    )  # fmt: skip
    services.lift_alert(alert, lifted_at=ISSUED + dt.timedelta(days=4), override_reason="test", by=None)

    periods = queries.level_periods(list(alert.changes.all()), now=NOW)

    assert [(p.level, p.end - p.start) for p in periods] == [
        ("orange", dt.timedelta(hours=40)),
        ("yellow", dt.timedelta(days=2)),
    ]


# --- grades ------------------------------------------------------------------------------------------


@pytest.fixture
def enterprise(db) -> Enterprise:
    made = Enterprise.objects.create(name="Test Steel", name_zh="测试钢铁", credit_code="91150203TEST00001X")
    Outlet.objects.create(enterprise=made, code="DA001", name="stack", kind="gas")
    Outlet.objects.create(enterprise=made, code="DA002", name="sinter", kind="gas")
    return made


def test_downgrade_ends_the_grade_and_refuses_a_higher_one(enterprise):
    grade = services.record_grade(
        enterprise, industry="steel", scheme="2020", grade="B", valid_from=dt.date(2024, 1, 1), by=None
    )

    with pytest.raises(services.EmergencyError, match="A is not lower than B"):
        services.downgrade(grade, to="A", on=dt.date(2025, 3, 1), reason="x", by=None)
    lower = services.downgrade(grade, to="C", on=dt.date(2025, 3, 1), reason="violation", by=None)

    grade.refresh_from_db()
    assert grade.valid_until == dt.date(2025, 2, 28)
    assert (lower.grade, lower.downgrade_of_id) == ("C", grade.pk)
    assert queries.grades_in_force([enterprise.pk], on=dt.date(2025, 2, 28))[enterprise.pk].grade == "B"
    assert queries.grades_in_force([enterprise.pk], on=dt.date(2025, 3, 1))[enterprise.pk].grade == "C"


def test_record_grade_refuses_a_grade_of_another_scheme(enterprise):
    with pytest.raises(services.EmergencyError, match="not a grade of the 2026 scheme"):
        services.record_grade(
            enterprise, industry="steel", scheme="2026", grade="B-", valid_from=dt.date(2026, 2, 1), by=None
        )

    assert PerformanceGrade.objects.count() == 0


# --- the list as Excel -------------------------------------------------------------------------------


def _workbook(rows: list[dict[str, object]]) -> bytes:
    return listxlsx.write_workbook([listxlsx.ExportRow(row) for row in rows], [])


STEEL_ROWS = [
    {
        "row": 1,
        "enterprise": "测试钢铁",
        "credit_code": "91150203TEST00001X",
        "industry": "steel",
        "control_type": "绩效分级管控",
        "grade": "B",
        "scheme": "2020",
        "graded_on": "2024-01-01",
        "line": "加热炉",
        "outlets": "DA001",
        "so2": 100,
        "nox": 200,
        "pm": 20,
        "orange_cut": 30,
        "orange_measures": '=HYPERLINK("x")',
    },
    {
        "row": 1,
        "enterprise": "测试钢铁",
        "credit_code": "91150203TEST00001X",
        "line": "烧结机",
        "outlets": "DA002",
        "stop_from": "橙色",
    },
]


def test_import_list_reads_lines_outlets_grade_and_keeps_formula_text_as_text(enterprise):
    draft = services.create_list(title="test", year=2025, by=None)

    result = services.import_list(draft, name="list.xlsx", content=_workbook(STEEL_ROWS), by=None)

    assert (result.problems, result.entries, result.lines, result.grades) == ([], 1, 2, 1)
    entry = ListEntry.objects.get(reduction_list=draft)
    assert (entry.baseline_so2, entry.orange_cut, entry.orange_measures) == (
        Decimal("100.000"),
        Decimal("30.00"),
        '=HYPERLINK("x")',
    )
    lines = [(line.name, [o.code for o in line.outlets.all()], line.stop_from) for line in entry.lines.all()]
    assert lines == [("加热炉", ["DA001"], ""), ("烧结机", ["DA002"], "orange")]
    assert PerformanceGrade.objects.get(enterprise=enterprise).grade == "B"


def test_import_list_with_bad_rows_stores_nothing_and_names_each_problem(enterprise):
    draft = services.create_list(title="test", year=2025, by=None)
    services.import_list(draft, name="first.xlsx", content=_workbook(STEEL_ROWS), by=None)
    bad = [
        {**STEEL_ROWS[0], "so2": "lots", "outlets": "DA009"},
        {"row": 2, "enterprise": "Nobody Ltd", "line": "x"},
        {**STEEL_ROWS[1], "stop_from": "purple", "nox": 999},
    ]

    result = services.import_list(draft, name="bad.xlsx", content=_workbook(bad), by=None)

    assert [str(p) for p in result.problems] == [
        "应急减排清单, row 2, SO2排放量(年,t): 'lots' is not a number",
        "应急减排清单, row 4, NOx排放量(年,t): differs from row 2 of the same enterprise (200 there)",
        "应急减排清单, row 4, 停产起始预警级别: 'purple' is not 黄色, 橙色 or 红色",
        "应急减排清单, row 3, 企业名称: no enterprise 'Nobody Ltd' in the sources registry",
        "应急减排清单, row 2, 排放口编号: Test Steel has no outlet 'DA009'",
    ]
    assert ListEntry.objects.get(reduction_list=draft).baseline_so2 == Decimal("100.000")


def test_import_list_refuses_an_adopted_list_and_a_file_that_is_not_a_workbook(enterprise):
    draft = services.create_list(title="test", year=2025, by=None)
    services.import_list(draft, name="list.xlsx", content=_workbook(STEEL_ROWS), by=None)
    services.adopt_list(draft, on=dt.date(2025, 9, 20), by=None)

    with pytest.raises(services.EmergencyError, match="revise it"):
        services.import_list(draft, name="list.xlsx", content=_workbook(STEEL_ROWS), by=None)
    other = services.create_list(title="other", year=2025, by=None)
    with pytest.raises(services.EmergencyError, match=r"notes\.txt: refused before opening") as refused:
        services.import_list(other, name="notes.txt", content=b"not a workbook", by=None)
    assert refused.value.field == "file"


def test_export_then_import_gives_the_same_list(enterprise):
    draft = services.create_list(title="test", year=2025, by=None)
    services.import_list(draft, name="list.xlsx", content=_workbook(STEEL_ROWS), by=None)
    rows, caps = listxlsx.export_rows(draft, on=dt.date(2025, 6, 1))
    exported = listxlsx.write_workbook(rows, caps)
    copy = services.create_list(title="copy", year=2025, by=None)

    result = services.import_list(copy, name="exported.xlsx", content=exported, by=None)

    assert result.problems == []
    fields = ("baseline_so2", "baseline_nox", "baseline_pm", "orange_cut", "orange_measures", "control_type")
    original, again = (
        ListEntry.objects.filter(reduction_list=lst).values(*fields).get() for lst in (draft, copy)
    )
    assert again == original
    book = load_workbook(io.BytesIO(exported), read_only=True)
    caps_rows = list(book[listxlsx.CAPS_SHEET].iter_rows(values_only=True))
    # orange: 100 t/a over 8,760 h, 30 % off, for 24 h
    assert caps_rows[2][:3] == ("测试钢铁", "橙色", round(100_000 / 8760 * 24 * 0.7, 1))


def test_revise_list_copies_entries_and_lines_into_a_draft(enterprise):
    first = services.create_list(title="2024", year=2024, by=None)
    services.import_list(first, name="list.xlsx", content=_workbook(STEEL_ROWS), by=None)
    services.adopt_list(first, on=dt.date(2024, 9, 20), by=None)

    revision = services.revise_list(first, title="2025", year=2025, by=None)

    assert (revision.state, revision.revision_of_id) == ("draft", first.pk)
    entry = revision.entries.get()
    assert [list(line.outlets.values_list("code", flat=True)) for line in entry.lines.all()] == [
        ["DA001"],
        ["DA002"],
    ]
    assert ReductionList.objects.get(pk=first.pk).entries.count() == 1


# --- neighbours --------------------------------------------------------------------------------------


def test_import_cap_stores_a_neighbour_alert_once_and_reads_its_level_from_the_event(db):
    data = (DATA / "qingshan_alert.xml").read_bytes()

    first = services.import_cap(data, name="qingshan_alert.xml", by=None)
    again = services.import_cap(data, name="qingshan_alert.xml", by=None)

    assert (first.new, again.new, again.known) == (1, 0, 1)
    message = NeighbourAlert.objects.get()
    assert (message.level, message.area, message.msg_type) == ("red", "青山区", "Alert")
    assert queries.neighbour_alerts_in_force(now=NOW) == [message]


def test_import_cap_refuses_a_doctype_and_a_document_that_is_not_cap(db):
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    )

    with pytest.raises(services.EmergencyError, match="document type declaration"):
        services.import_cap(entity, name="evil.xml", by=None)
    with pytest.raises(services.EmergencyError, match=r"neither a CAP 1\.2 <alert> nor an Atom <feed>"):
        services.import_cap(b"<rss/>", name="rss.xml", by=None)
    with pytest.raises(services.EmergencyError, match=r"bad.xml \(x\): <msgType> is missing"):
        services.import_cap(
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>',
            name="bad.xml",
            by=None,
        )
    assert NeighbourAlert.objects.count() == 0
