"""Inspection records: written by the drawn team, completed, published with a clock; photos checked by
content and size; a case linked by a generic reference."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from envplan.core.models import AuditEntry
from envplan.inspections.deadlines import result_clock, result_deadline
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.images import generated_photo
from envplan.inspections.models import InspectionRecord, Photo, RecordState
from envplan.inspections.services import records
from envplan.inspections.services.records import FindingInput, RecordInput
from tests.inspections.conftest import NOW, at, drawn, login


@pytest.fixture
def record(enforcement) -> InspectionRecord:
    return InspectionRecord.objects.get(drawn_target__draw=drawn(enforcement.task, "special"))


def _inspector_login(record: InspectionRecord):
    return record.inspectors.order_by("code").first().user


def _jpeg() -> bytes:
    from PIL import Image  # installed with WeasyPrint

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_records_deadline_is_twenty_working_days_and_the_clock_runs(settings):
    inspected = dt.date(2025, 7, 7)

    assert result_deadline(inspected) == dt.date(2025, 8, 4)
    assert result_clock(inspected, None, today=dt.date(2025, 7, 28)).working_days == 5
    assert result_clock(inspected, None, today=dt.date(2025, 8, 6)).state == "overdue"
    assert result_clock(inspected, dt.date(2025, 8, 4), today=dt.date(2025, 9, 1)).state == "on_time"
    late = result_clock(inspected, dt.date(2025, 8, 6), today=dt.date(2025, 9, 1))
    assert (late.state, late.working_days) == ("late", 2)
    settings.ENVPLAN_INSPECTION_RESULT_WORKING_DAYS = 5
    assert result_deadline(inspected) == dt.date(2025, 7, 14)


def test_records_saved_completed_and_published_with_audit(record, enforcement):
    item = record.findings.first().item
    data = RecordInput(
        inspected_on=dt.date(2025, 7, 15),
        methods=["1", "4"],
        result="E",
        follow_ups=["ordered"],
        follow_up_done=True,
        follow_up_done_on=dt.date(2025, 7, 18),
        penalty_amount=Decimal("20000"),
        penalty_decision="昆环罚〔2025〕1号",
        findings={item.pk: FindingInput(True, "gauge broken", "repaired")},
    )

    records.save_record(record, by=_inspector_login(record), data=data, now=NOW)
    records.complete_record(record, by=_inspector_login(record), now=NOW)
    published = records.publish_record(record, by=enforcement.world.officer, now=at(dt.date(2025, 7, 30)))

    assert published.state == RecordState.PUBLISHED
    assert record.findings.get(item=item).problem == "gauge broken"
    assert list(
        AuditEntry.objects.filter(target_id=str(record.pk), action__startswith="inspections.record")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "inspections.record_saved",
        "inspections.record_completed",
        "inspections.record_published",
    ]
    assert AuditEntry.objects.get(action="inspections.record_published").after == {
        "deadline": "2025-08-12",
        "on_time": True,
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RecordInput(inspected_on=dt.date(2025, 7, 21)), "inspected_on"),  # after NOW's day
        (RecordInput(result="Z"), "result"),
        (RecordInput(methods=["9"]), "methods"),
        (RecordInput(penalty_amount=Decimal(-1)), "penalty_amount"),
        (RecordInput(follow_up_done=True), "follow_up_done_on"),
        (
            RecordInput(
                inspected_on=dt.date(2025, 7, 10), follow_up_done=True, follow_up_done_on=dt.date(2025, 7, 9)
            ),
            "follow_up_done_on",
        ),
    ],
)
def test_records_bad_input_is_refused_on_its_field(record, data, field):
    with pytest.raises(InspectionError) as raised:
        records.save_record(record, by=None, data=data, now=NOW)

    assert raised.value.field == field
    assert InspectionRecord.objects.get(pk=record.pk).inspected_on is None


def test_records_complete_needs_date_method_result_and_follow_up(record):
    with pytest.raises(InspectionError) as raised:
        records.complete_record(record, by=None, now=NOW)
    assert raised.value.field == "inspected_on"
    records.save_record(
        record,
        by=None,
        data=RecordInput(inspected_on=dt.date(2025, 7, 15), methods=["1"], result="A"),
        now=NOW,
    )
    with pytest.raises(InspectionError) as raised:
        records.complete_record(record, by=None, now=NOW)
    assert raised.value.field == "follow_ups"


def test_records_a_published_record_cannot_change(record):
    records.save_record(
        record,
        by=None,
        data=RecordInput(inspected_on=dt.date(2025, 7, 15), methods=["1"], result="1"),
        now=NOW,
    )
    records.complete_record(record, by=None, now=NOW)
    records.publish_record(record, by=None, now=NOW)

    with pytest.raises(InspectionError) as raised:
        records.save_record(record, by=None, data=RecordInput(), now=NOW)

    assert raised.value.kind == ErrorKind.WRONG_STATE


def test_records_another_inspector_may_not_write_the_record(record, enforcement):
    outsider = next(i for i in enforcement.inspectors if not record.inspectors.filter(pk=i.pk).exists())

    with pytest.raises(InspectionError) as raised:
        records.save_record(record, by=outsider.user, data=RecordInput(summary="x"), now=NOW)

    assert raised.value.kind == ErrorKind.NOT_ALLOWED


def test_records_photos_are_checked_by_content(record):
    jpeg = SimpleUploadedFile("site.jpg", _jpeg(), content_type="image/jpeg")
    png = SimpleUploadedFile("site.png", generated_photo(1), content_type="image/png")

    stored = records.add_photos(record, uploads=[jpeg, png], by=None, caption="stack", now=NOW)

    assert [p.content_type for p in stored] == ["image/jpeg", "image/png"]
    assert stored[0].file.read()[:3] == b"\xff\xd8\xff"
    assert AuditEntry.objects.filter(action="inspections.photo_added").count() == 2


def test_records_a_file_that_only_claims_to_be_a_photo_refuses_the_whole_upload(record):
    good = SimpleUploadedFile("site.png", generated_photo(1), content_type="image/png")
    fake = SimpleUploadedFile("site.jpg", b"#!/bin/sh\necho not a photo\n", content_type="image/jpeg")

    with pytest.raises(InspectionError) as raised:
        records.add_photos(record, uploads=[good, fake], by=None, now=NOW)

    assert (raised.value.kind, raised.value.field) == (ErrorKind.BAD_FILE, "files")
    assert "site.jpg" in raised.value.message
    assert not Photo.objects.exists()


def test_records_a_pdf_is_not_a_photo(record):
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    with pytest.raises(InspectionError, match=r"scan\.pdf"):
        records.add_photos(record, uploads=[pdf], by=None, now=NOW)


def test_records_a_photo_over_the_size_limit_is_refused(record, settings):
    settings.ENVPLAN_UPLOAD_LIMITS_MB = {"evidence": 1}
    big = SimpleUploadedFile(
        "big.png", generated_photo(1) + b"\0" * (1024 * 1024 + 1), content_type="image/png"
    )

    with pytest.raises(InspectionError, match="the limit is 1 MB"):
        records.add_photos(record, uploads=[big], by=None, now=NOW)


def test_records_measurements_flag_values_over_their_limit(record):
    measurement = records.add_measurement(
        record,
        by=None,
        parameter="particulate",
        value=Decimal("12.5"),
        unit_of_measure="mg/m³",
        limit=Decimal(10),
    )

    assert measurement.over_limit is True
    with pytest.raises(InspectionError) as raised:
        records.add_measurement(record, by=None, parameter="pH", value=Decimal("1e12"))
    assert raised.value.field == "value"


def test_records_link_a_case_by_a_generic_reference(record, enforcement):
    case = enforcement.enterprises[0]  # any model stands for a screening case until that app exists

    records.link_case(record, by=None, case=case)
    record.refresh_from_db()

    assert record.case == case
    assert InspectionRecord.objects.filter(case_id=str(case.pk)).count() == 1
    records.link_case(record, by=None, case=None)
    record.refresh_from_db()
    assert (record.case_type, record.case_id) == (None, "")


def test_records_phone_form_saves_findings_and_completes(record, client):
    login(client, _inspector_login(record))
    item = record.findings.first().item
    page = client.get(f"/inspections/records/{record.pk}/edit/")
    assert page.status_code == 200
    assert 'capture="environment"' in client.get(record.get_absolute_url()).content.decode()

    response = client.post(
        f"/inspections/records/{record.pk}/edit/",
        {
            "inspected_on": "2025-07-15",
            "methods": ["1"],
            "result": "1",
            "follow_ups": ["none"],
            f"checked_{item.pk}": "on",
            f"problem_{item.pk}": "",
            f"handling_{item.pk}": "",
            "complete": "1",
        },
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.result, record.inspected_on) == ("completed", "1", dt.date(2025, 7, 15))


def test_records_phone_form_shows_a_refusal_on_its_field(record, client):
    login(client, _inspector_login(record))

    response = client.post(
        f"/inspections/records/{record.pk}/edit/", {"inspected_on": "2025-07-15", "complete": "1"}
    )

    assert response.status_code == 400
    assert "Give at least one check method." in response.content.decode()


def test_records_photo_upload_page_path_stores_the_photo(record, client):
    login(client, _inspector_login(record))
    upload = SimpleUploadedFile("camera.jpg", _jpeg(), content_type="image/jpeg")

    response = client.post(
        f"/inspections/records/{record.pk}/photos/", {"photos": [upload], "caption": "outlet"}
    )

    assert response.status_code == 302
    photo = Photo.objects.get()
    shown = client.get(f"/inspections/photos/{photo.pk}/")
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/jpeg")
