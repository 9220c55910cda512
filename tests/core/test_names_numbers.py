"""One helper for display names and one for numbers and units (issue 18)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from envplan.core import names, numbers


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ("0,70", "0,71 %", "17,9", "123\u202f457")),
        ("en", ("0.70", "0.71 %", "17.9", "123,457")),
        ("zh-hans", ("0.70", "0.71 %", "17.9", "123457")),
    ],
)
def test_numbers_follow_the_readers_locale(language: str, expected: tuple[str, ...]) -> None:
    with translation.override(language):
        shown = (
            numbers.format_number(0.7, numbers.decimals_like(0.7, Decimal("0.71"))),
            numbers.format_quantity(Decimal("0.71"), "%", 2),
            numbers.format_number(17.870968),
            numbers.format_number(123456.7),
        )
    # French groups thousands with a (narrow) no-break space, depending on Django's version.
    assert (*shown[:3], shown[3].replace("\u00a0", "\u202f")) == expected


def test_a_value_beside_its_target_has_the_targets_decimals_and_one_for_a_fraction() -> None:
    assert numbers.decimals_like(0.7, Decimal("0.71")) == 2
    assert numbers.decimals_like(83.333, Decimal("85")) == 1
    assert numbers.decimals_like(17.870968, Decimal("18")) == 1
    assert numbers.decimals_like(100, Decimal("100")) == 0
    assert numbers.decimals_like(12.5, None) == 1


def test_units_follow_their_number_and_bare_counts_have_none() -> None:
    with translation.override("en"):
        assert numbers.format_quantity(35, "µg/m³") == "35 µg/m³"
        assert numbers.format_quantity(12, "count") == "12"
        assert numbers.format_quantity(None, "MW") == "—"


def test_pollutant_and_water_item_names() -> None:
    with translation.override("zh-hans"):
        assert names.pollutant_name("pm10") == "PM₁₀"
        assert names.substance_names("codmn, tp, nh3n") == "高锰酸盐指数、总磷、氨氮"
        assert names.substance_names("pm25;o3") == "PM₂.₅、O₃"
    with translation.override("en"):
        assert names.substance_names(["codmn", "so2"]) == "permanganate index, SO₂"
        assert names.pollutant_name("unknown-code") == "unknown-code"


def test_the_template_filters_use_the_helpers() -> None:
    template = Template(
        "{% load envplan_format %}{{ v|number_like:t|unit_after:'%' }} {{ 'pm25'|pollutant }} "
        "{{ 'hourly'|frame_kind }}"
    )
    with translation.override("fr"):
        text = template.render(Context({"v": 83.333, "t": Decimal("85")}))
    assert text.startswith("83,3 % PM₂.₅ ")
