"""The pure rules of enforcement: ratios, working days, the hazardous-waste scoring, frequency factors,
the generated pictures. No database."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal
from fractions import Fraction

import pytest

from envplan.core.uploads import PNG, sniff
from envplan.inspections import frequency
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.images import generated_photo, png
from envplan.inspections.ratios import base_share, quota
from envplan.inspections.workdays import add_working_days, working_days_between


def test_ratios_share_of_a_category_per_quarter_rounds_up():
    share = base_share(per="quarter", task_per="quarter", category_size=8, percent=Decimal("12.5"))

    assert share == Fraction(1, 8)
    assert quota(size=9, share=share).count == 2  # 1.125 → at least 2


def test_ratios_objects_per_inspector_a_year_give_a_quarter_to_a_quarterly_task():
    # Guangzhou: 1:2.5 a year; 6 inspectors → 15 objects a year out of 17 → 3.75 a quarter → 4
    share = base_share(
        per="year", task_per="quarter", category_size=17, objects_per_inspector=Decimal("2.5"), inspectors=6
    )

    assert share == Fraction(15, 68)
    assert quota(size=17, share=share).count == 4


def test_ratios_multiplier_raises_the_share_but_never_past_the_whole_stratum():
    share = base_share(per="quarter", task_per="quarter", category_size=4, percent=Decimal(25))

    assert quota(size=4, share=share, multiplier=Decimal("1.5")) == quota(size=4, share=Fraction(3, 8))
    assert quota(size=4, share=share, multiplier=Decimal("1.5")).count == 2
    assert quota(size=3, share=Fraction(1), multiplier=Decimal(2)).count == 3


def test_ratios_quarterly_rule_for_a_yearly_task_is_four_times_it_capped_at_all():
    assert base_share(per="quarter", task_per="year", category_size=10, percent=Decimal(10)) == Fraction(2, 5)
    assert base_share(per="quarter", task_per="year", category_size=10, percent=Decimal(30)) == 1


def test_ratios_rule_must_be_one_kind():
    with pytest.raises(ValueError):
        base_share(per="year", task_per="year", category_size=3)


def test_workdays_twenty_working_days_skip_weekends():
    # Monday 2025-07-07 + 20 working days = Monday 2025-08-04
    assert add_working_days(dt.date(2025, 7, 7), 20) == dt.date(2025, 8, 4)
    assert add_working_days(dt.date(2025, 7, 12), 1) == dt.date(2025, 7, 14)  # from a Saturday


def test_workdays_between_counts_working_days_after_start_and_is_signed():
    assert working_days_between(dt.date(2025, 7, 7), dt.date(2025, 8, 4)) == 20
    assert working_days_between(dt.date(2025, 8, 4), dt.date(2025, 7, 7)) == -20


def test_workdays_holidays_and_extra_workdays_are_honoured():
    national_day = {dt.date(2025, 10, d) for d in range(1, 9)}
    extra = {dt.date(2025, 9, 28), dt.date(2025, 10, 11)}  # 2025's make-up Sunday and Saturday

    assert add_working_days(dt.date(2025, 9, 30), 1, holidays=national_day, extra_workdays=extra) == dt.date(
        2025, 10, 9
    )


def _all(role: str, points: int) -> dict[str, int | None]:
    return {item.code: points for item in scheme.checklist(role)}


def test_hazardous_waste_checklists_have_12_and_13_items():
    assert (len(scheme.PRODUCER_ITEMS), len(scheme.OPERATOR_ITEMS)) == (12, 13)
    assert scheme.PRODUCER_ITEMS[0].name_zh == "污染环境防治责任制度"


def test_hazardous_waste_full_marks_pass():
    result = scheme.score("producer", _all("producer", 2))

    assert (result.points, result.maximum, result.percent, result.outcome) == (
        24,
        24,
        Decimal("100.0"),
        "pass",
    )


def test_hazardous_waste_not_applicable_items_leave_the_maximum():
    points = _all("producer", 2) | {"utilisation": None, "disposal": None, "ledger": 0, "training": 1}

    result = scheme.score("producer", points)

    # 20 applicable points, 17 scored: 85 % → basic pass at the default cut-offs (90, 70)
    assert (result.maximum, result.points, result.percent, result.outcome) == (
        20,
        17,
        Decimal("85.0"),
        "basic",
    )
    assert result.not_applicable == ("utilisation", "disposal")


def test_hazardous_waste_cut_offs_are_the_rounds():
    points = _all("operator", 2) | {"training": 0, "monitoring": 0}  # 22 / 26 = 84.6 %

    assert scheme.score("operator", points).outcome == "basic"
    assert scheme.score("operator", points, pass_at=Decimal(80)).outcome == "pass"
    assert scheme.score("operator", points, basic_at=Decimal(85), pass_at=Decimal(90)).outcome == "fail"


def test_hazardous_waste_a_veto_fails_whatever_the_points():
    result = scheme.score("operator", _all("operator", 2), veto=["licence"])

    assert (result.percent, result.outcome, result.vetoed) == (Decimal("100.0"), "fail", ("licence",))


@pytest.mark.parametrize(
    ("points", "item"),
    [
        ({"responsibility": 3}, "responsibility"),
        ({"no-such-item": 1}, "no-such-item"),
        ({"ledger": True}, "ledger"),
    ],
)
def test_hazardous_waste_bad_scores_name_the_item(points, item):
    with pytest.raises(scheme.ScoringError) as raised:
        scheme.score("producer", _all("producer", 2) | points)

    assert raised.value.item == item


def test_hazardous_waste_a_missing_item_is_refused():
    points = _all("producer", 2)
    del points["transfer"]

    with pytest.raises(scheme.ScoringError, match="transfer"):
        scheme.score("producer", points)


def test_hazardous_waste_pass_rate_counts_only_pass():
    assert scheme.pass_rate(["pass", "pass", "basic", "fail"]) == Decimal("50.0")
    assert scheme.pass_rate(["pass"] * 49 + ["basic"]) == Decimal("98.0")
    assert scheme.pass_rate([]) is None


def test_frequency_raises_combine_special_and_the_largest_multiplier():
    raises = [
        ("credit.grade", frequency.FrequencyRaise(multiplier=Decimal("1.5"), reason="credit D")),
        (
            "screening.cases",
            frequency.FrequencyRaise(multiplier=Decimal("1.2"), special=True, reason="3 cases"),
        ),
    ]

    effective = frequency.effective("general", raises)

    assert (effective.registered, effective.category, effective.stratum) == (
        "general",
        "special",
        "special-x1.5",
    )
    assert effective.reasons == ("credit D", "3 cases")


def test_frequency_no_raise_keeps_the_category():
    assert frequency.effective("key", []) == frequency.Effective("key", "key", "key", Decimal(1))


def test_frequency_a_multiplier_below_one_is_refused():
    with pytest.raises(ValueError):
        frequency.FrequencyRaise(multiplier=Decimal("0.5"))


def test_frequency_registering_another_function_under_a_name_is_refused():
    def first(ids, year):
        return {}

    def second(ids, year):
        return {}

    frequency.register_factor("test.twice", label="t", factor=first)
    try:
        frequency.register_factor("test.twice", label="t", factor=first)  # the same: harmless
        with pytest.raises(ValueError):
            frequency.register_factor("test.twice", label="t", factor=second)
    finally:
        frequency.unregister_factor("test.twice")


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat_length = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_length])
    return width, height, raw


def test_images_png_is_a_real_png_of_the_given_size():
    data = png(3, 2, lambda x, y: (x * 100, y * 100, 7))

    width, height, raw = _png_size_and_pixels(data)

    assert (width, height) == (3, 2)
    assert raw == bytes([0, 0, 0, 7, 100, 0, 7, 200, 0, 7, 0, 0, 100, 7, 100, 100, 7, 200, 100, 7])
    assert sniff(data[:16], data) == PNG


def test_images_generated_photos_differ_and_carry_the_red_label():
    first, second = generated_photo(1), generated_photo(2)

    assert first != second
    _w, _h, raw = _png_size_and_pixels(first)
    assert bytes([160, 20, 20]) in raw  # the ink of GENERATED
