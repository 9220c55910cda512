"""The credit cycle through its services: evidence, drafts, notice, objection, publication, credit repair,
the grade in force, every step audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.core.models import AuditEntry
from envplan.credit import services
from envplan.credit.errors import CreditError, CreditErrorKind
from envplan.credit.models import CreditRating, GradeInForce, RatingState
from envplan.credit.queries import credit_grade, incentives_list, sanctions_list
from tests.credit.conftest import (
    TODAY,
    bypass,
    evidence,
    exceedance,
    inner_mongolia_round,
    local,
    pdf,
    waste_assessment,
)


def national_round(by, year: int = 2025):
    return services.create_round(
        title=f"{year} national",
        scheme_id="national-2013",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        by=by,
    )


def penalty(enterprise, by, *, amount: int = 100000, on: dt.date = dt.date(2025, 3, 2)):
    return services.add_evidence(
        enterprise,
        code="penalty",
        on=on,
        quantity=amount,
        reference="昆环罚〔2025〕3号",
        description="SO2 above the permit",
        upload=pdf(),
        by=by,
    )


def test_evidence_is_entered_by_raters_with_a_document(world, enterprise):
    entry = penalty(enterprise, world.officer)

    assert (entry.code, entry.quantity, entry.original_name, entry.content_type) == (
        "penalty",
        Decimal(100000),
        "decision.pdf",
        "application/pdf",
    )
    assert AuditEntry.objects.for_object(entry).get().action == "credit.evidence_added"


def test_evidence_is_refused_to_a_unit_reporter(world, enterprise):
    with pytest.raises(CreditError) as refused:
        penalty(enterprise, world.ecology_reporter)

    assert refused.value.kind == CreditErrorKind.NOT_ALLOWED


def test_evidence_without_its_document_is_refused(world, enterprise):
    with pytest.raises(CreditError) as refused:
        evidence(world, enterprise, "penalty", 1, with_file=False)

    assert (refused.value.kind, refused.value.field) == (CreditErrorKind.BAD_FILE, "file")


def test_evidence_computed_by_an_app_is_not_entered_by_hand(world, enterprise):
    with pytest.raises(CreditError) as refused:
        evidence(world, enterprise, "exceedance_hours", 3)

    assert refused.value.field == "code"
    assert "sources.exceedances" in refused.value.message


@pytest.mark.parametrize(
    ("code", "quantity", "message"),
    [
        ("noise_finding", "1.5", "Enter a whole number, 1 or more."),
        ("penalty", "-5", "Enter a number of 0 or more."),
        ("penalty", "abc", "Enter a number."),
    ],
)
def test_evidence_quantity_is_checked_against_its_unit(world, enterprise, code, quantity, message):
    with pytest.raises(CreditError) as refused:
        evidence(world, enterprise, code, quantity)

    assert (refused.value.field, refused.value.message) == ("quantity", message)


def test_a_level_quantity_is_2_1_or_0():
    with pytest.raises(CreditError) as refused:
        services.parse_quantity("hazardous_waste_result", "3")

    assert refused.value.message == "Enter 2 (pass), 1 (basic pass) or 0 (fail)."
    assert services.parse_quantity("hazardous_waste_result", "1") == 1


def test_draft_counts_exceedances_and_hand_evidence_line_by_line(world, outlet):
    enterprise = outlet.enterprise
    exceedance(outlet, local(2025, 8, 3, 14), hours=3)
    exceedance(outlet, local(2024, 12, 30, 1), hours=9)  # before the period: not counted
    entry = penalty(enterprise, world.officer)
    rating_round = inner_mongolia_round(world.officer)

    rating = services.compute_rating(rating_round, enterprise, by=world.officer, today=TODAY)

    lines = {line["record"]: line for line in rating.explanation["records"]}
    event = f"sources.exceedance:{outlet.pk}:a21026-ZsAvg:20250803T1400"
    assert set(lines) == {
        event,
        f"sources.outlet-compliance:{outlet.pk}:20250101-20251020",
        entry.record,
    }
    # Inner Mongolia (settings): 2 points an exceedance hour; 10 points a decision + 1 per 10,000 yuan.
    assert (lines[event]["role"], lines[event]["total_effect"]) == ("counted", "-6.00")
    assert lines[entry.record]["total_effect"] == "-20.00"
    assert (rating.score, rating.grade, rating.state, rating.as_of) == (Decimal("74.00"), "B", "draft", TODAY)
    assert AuditEntry.objects.for_object(rating).get().action == "credit.rating_computed"


def test_draft_before_the_period_starts_is_refused(world, enterprise):
    rating_round = national_round(world.officer, year=2026)

    with pytest.raises(CreditError) as refused:
        services.compute_rating(rating_round, enterprise, by=world.officer, today=TODAY)

    assert refused.value.kind == CreditErrorKind.TOO_EARLY


PENALTY, ASSESSMENT = "penalty", "assessment"


def notified(world, enterprise, *, day: dt.date = dt.date(2025, 4, 1)) -> CreditRating:
    """A 2024 national rating of a 100,000-yuan penalty and a basic-pass hazardous-waste result, notified.
    The two records' references are on the rating as `records[PENALTY]` and `records[ASSESSMENT]`."""
    fine = penalty(enterprise, world.officer, on=dt.date(2024, 6, 12))
    assessment = waste_assessment(enterprise, on=dt.date(2024, 9, 20))
    rating = services.compute_rating(
        national_round(world.officer, 2024), enterprise, by=world.officer, today=day
    )
    services.issue_notice(rating, by=world.officer, today=day, language="en")
    rating.refresh_from_db()
    rating.records = {PENALTY: fine.record, ASSESSMENT: f"inspections.waste:{assessment.pk}"}
    return rating


def test_notice_freezes_the_rating_and_keeps_its_document(world, enterprise):
    rating = notified(world, enterprise)

    notice = services.current_notice(rating)
    assert (rating.state, notice.objection_deadline) == ("noticed", dt.date(2025, 4, 16))
    assert "Test Steel Works" in notice.document
    assert "84.76" in notice.document
    with pytest.raises(CreditError) as refused:
        services.compute_rating(rating.round, enterprise, by=world.officer, today=dt.date(2025, 4, 2))
    assert refused.value.kind == CreditErrorKind.WRONG_STATE


def test_objection_upheld_changes_the_grade_and_the_audit_shows_it(world, enterprise):
    rating = notified(world, enterprise)
    assert (rating.score, rating.grade) == (Decimal("84.76"), "blue")

    objection = services.record_objection(
        rating,
        statement="The penalty was annulled on reconsideration",
        records=[rating.records[PENALTY]],
        upload=pdf("reconsideration.pdf"),
        by=world.officer,
        received_on=dt.date(2025, 4, 10),
    )
    assert CreditRating.objects.get(pk=rating.pk).state == RatingState.UNDER_REVIEW
    changed = services.review_objection(
        objection,
        uphold=True,
        reason="reconsideration decision checked",
        by=world.supervisor,
        today=dt.date(2025, 4, 12),
    )

    # Without the penalty: 100 x15 + 65 x5 + 100 x21 over 41 = 95.73 -> green
    assert (changed.score, changed.grade, changed.state) == (Decimal("95.73"), "green", "noticed")
    entry = AuditEntry.objects.for_object(changed).filter(action="credit.objection_upheld").get()
    assert (entry.actor, entry.before["grade"], entry.after["grade"]) == (world.supervisor, "blue", "green")
    excluded = {line["record"]: line for line in changed.explanation["records"]}[rating.records[PENALTY]]
    assert excluded["role"] == "excluded"
    assert excluded["note"] == "objection of 2025-04-10 upheld: reconsideration decision checked"


def test_objection_rejected_keeps_the_grade(world, enterprise):
    rating = notified(world, enterprise)
    objection = services.record_objection(
        rating,
        statement="too harsh",
        records=[rating.records[PENALTY]],
        upload=pdf(),
        by=world.officer,
        received_on=dt.date(2025, 4, 3),
    )

    kept = services.review_objection(objection, uphold=False, reason="the decision stands", by=world.officer)

    assert (kept.grade, kept.state) == ("blue", "noticed")
    assert AuditEntry.objects.for_object(kept).filter(action="credit.objection_rejected").count() == 1


def test_objection_after_the_deadline_is_refused(world, enterprise):
    rating = notified(world, enterprise)

    with pytest.raises(CreditError) as refused:
        services.record_objection(
            rating,
            statement="late",
            records=[rating.records[PENALTY]],
            upload=pdf(),
            by=world.officer,
            received_on=dt.date(2025, 4, 17),
        )

    assert (refused.value.kind, refused.value.field) == (CreditErrorKind.TOO_LATE, "received_on")


def test_objection_to_a_record_the_rating_does_not_hold_is_refused(world, enterprise):
    rating = notified(world, enterprise)

    with pytest.raises(CreditError) as refused:
        services.record_objection(
            rating,
            statement="x",
            records=["credit.evidence:0"],
            upload=pdf(),
            by=world.officer,
            received_on=dt.date(2025, 4, 3),
        )

    assert refused.value.field == "records"


def test_publication_waits_for_the_objection_period(world, enterprise):
    rating = notified(world, enterprise)

    with pytest.raises(CreditError) as early:
        services.publish_rating(rating, by=world.officer, today=dt.date(2025, 4, 16))
    published = services.publish_rating(rating, by=world.officer, today=dt.date(2025, 4, 17))

    assert early.value.kind == CreditErrorKind.TOO_EARLY
    assert (published.state, published.published_on) == ("published", dt.date(2025, 4, 17))
    assert credit_grade(enterprise, dt.date(2025, 4, 16)) is None
    grade = credit_grade(enterprise, dt.date(2025, 4, 17))
    assert (grade.grade, grade.best, grade.worst, grade.scheme_id) == ("blue", False, False, "national-2013")


def test_credit_repair_waits_for_the_schemes_period_then_changes_the_grade_from_that_day(world, enterprise):
    rating = notified(world, enterprise)
    services.publish_rating(rating, by=world.officer, today=dt.date(2025, 4, 20))

    with pytest.raises(CreditError) as early:
        services.apply_for_repair(
            rating,
            statement="rectified",
            records=[rating.records[ASSESSMENT]],
            upload=pdf(),
            by=world.officer,
            received_on=dt.date(2026, 4, 19),
        )
    repair = services.apply_for_repair(
        rating,
        statement="waste-oil ledger completed and checked",
        records=[rating.records[PENALTY]],
        upload=pdf("rectification.pdf"),
        by=world.officer,
        received_on=dt.date(2026, 4, 20),
    )
    repaired = services.review_repair(
        repair, accept=True, reason="checked on site", by=world.supervisor, today=dt.date(2026, 5, 4)
    )

    # The national setting: repair from 365 days after publication.
    assert (early.value.kind, early.value.field) == (CreditErrorKind.TOO_EARLY, "received_on")
    assert (repaired.grade, repaired.repaired_on) == ("green", dt.date(2026, 5, 4))
    assert credit_grade(enterprise, dt.date(2026, 5, 3)).grade == "blue"
    assert credit_grade(enterprise, dt.date(2026, 5, 4)).grade == "green"
    assert list(GradeInForce.objects.values_list("reason", flat=True).order_by("valid_from")) == [
        "published",
        "repaired",
    ]
    assert (
        AuditEntry.objects.for_object(repaired).filter(action="credit.repair_accepted").get().after["grade"]
        == "green"
    )


def test_grade_in_force_gives_the_inspection_factor_of_inner_mongolias_d(world, outlet):
    enterprise = outlet.enterprise
    bypass(world, enterprise)
    rating = services.compute_rating(
        inner_mongolia_round(world.officer), enterprise, by=world.officer, today=dt.date(2025, 6, 1)
    )
    services.issue_notice(rating, by=world.officer, today=dt.date(2025, 6, 1))
    services.publish_rating(rating, by=world.officer, today=dt.date(2025, 6, 20))

    grade = credit_grade(enterprise.pk, dt.date(2025, 7, 1))

    assert (grade.grade, grade.worst, grade.inspection_factor) == ("D", True, Decimal("1.5"))
    assert [g.enterprise for g in sanctions_list(dt.date(2025, 7, 1))] == ["Test Steel Works"]
    assert incentives_list(dt.date(2025, 7, 1)) == []


def test_round_refuses_an_unknown_scheme_and_a_reversed_period(world):
    with pytest.raises(CreditError) as unknown:
        services.create_round(
            title="x", scheme_id="gansu-2030", period_start=TODAY, period_end=TODAY, by=world.officer
        )
    with pytest.raises(CreditError) as reversed_:
        services.create_round(
            title="x",
            scheme_id="national-2013",
            period_start=TODAY,
            period_end=dt.date(2025, 1, 1),
            by=world.officer,
        )

    assert (unknown.value.field, reversed_.value.field) == ("scheme_id", "period_end")


def test_round_uses_a_district_scheme_file_from_the_data_folder(world, settings, tmp_path):
    from envplan.standards.credit import BUNDLED

    folder = tmp_path / "credit-schemes"
    folder.mkdir()
    text = (BUNDLED / "inner-mongolia-2024.toml").read_text(encoding="utf-8")
    (folder / "kundulun.toml").write_text(
        text.replace('id = "inner-mongolia-2024"', 'id = "kundulun-2026"'), encoding="utf-8"
    )

    created = services.create_round(
        title="district", scheme_id="kundulun-2026", period_start=TODAY, period_end=TODAY, by=world.officer
    )

    assert (created.scheme.id, created.scheme.method) == ("kundulun-2026", "points")
