"""The plan's rule and national practice on a case with a dry section, checked by hand.

January: S1 is class IV (CODMn 8), S2 class II, R1 (reservoir, TP 0.02 on lake limits) class II, S3 dry.
  official 2 of 3 = 66.7 %; plan's rule (2 + 1 dry) of (3 + 1) = 75.0 %.
February: S1 class III (CODMn 4, TP 0.15), S2 II, S3 III (CODMn 5), R1 IV (lake TP 0.08).
  month: 3 of 4 = 75.0 % on both rules. Year to date: S1 CODMn mean 6 -> III, S3 dry only in January ->
  III on February's sample, R1 TP mean 0.05 -> III: 4 of 4 = 100.0 %.
Drinking-water sources S2 (target III) and R1 (target II): January both meet; February R1 misses (month IV,
  year to date III): 50.0 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.indicators import registry
from envplan.water import indicators
from envplan.water.services import import_samples
from tests.water.conftest import HEADER, write

CASE = (
    HEADER
    + "S1,2025-01-10,river,7.5,6.5,8,0.4,0.15,\n"
    + "S2,2025-01-10,river,7.8,8.0,2.1,0.12,0.05,\n"
    + "S3,2025-01-10,river,,,,,,1\n"
    + "R1,2025-01-12,lake,7.2,7.9,<0.5,0.1L,0.02,\n"
    + "S1,2025-02-10,river,7.5,6.5,4,0.4,0.15,\n"
    + "S2,2025-02-10,river,7.8,8.0,2.1,0.12,0.05,\n"
    + "S3,2025-02-10,river,7.5,6.5,5,0.4,0.15,\n"
    + "R1,2025-02-12,lake,7.2,7.9,2,0.1,0.08,\n"
)
AS_OF = dt.date(2025, 2, 20)
JAN, FEB = dt.date(2025, 1, 31), AS_OF


@pytest.fixture
def case(monitoring_sections, tmp_path):
    record = import_samples(write(tmp_path, CASE), by=None)
    assert record.errors == []


def values(series):
    return [(day, str(value)) for day, value in series]


def test_class_iii_share_plan_rule_counts_the_dry_monitoring_section_as_compliant(case):
    series = indicators.class_iii_share_plan_rule({}, AS_OF)

    assert values(series) == [(JAN, "75.0"), (FEB, "100.0")]


def test_class_iii_share_official_leaves_the_dry_monitoring_section_out(case):
    series = indicators.class_iii_share_official({}, AS_OF)

    assert values(series) == [(JAN, "66.7"), (FEB, "100.0")]


def test_class_iii_shares_by_month(case):
    plan = indicators.class_iii_share_plan_rule({"basis": "month"}, AS_OF)
    official = indicators.class_iii_share_official({"basis": "month"}, AS_OF)

    assert (values(plan), values(official)) == (
        [(JAN, "75.0"), (FEB, "75.0")],
        [(JAN, "66.7"), (FEB, "75.0")],
    )


def test_drinking_water_compliance_year_to_date_and_by_month(case):
    to_date = indicators.drinking_water_compliance({}, AS_OF)
    monthly = indicators.drinking_water_compliance({"basis": "month"}, AS_OF)

    assert (values(to_date), values(monthly)) == (
        [(JAN, "100.0"), (FEB, "50.0")],
        [(JAN, "100.0"), (FEB, "50.0")],
    )


def test_class_iii_share_restricted_to_named_monitoring_sections(case):
    series = indicators.class_iii_share_official({"sections": ["S1", "S3"]}, AS_OF)

    assert values(series) == [(JAN, "0.0"), (FEB, "100.0")]


def test_class_iii_share_inactive_monitoring_sections_are_not_counted(case, monitoring_sections):
    monitoring_sections[0].active = False
    monitoring_sections[0].save()

    series = indicators.class_iii_share_official({}, dt.date(2025, 1, 31))

    assert values(series) == [(JAN, "100.0")]


def test_water_computations_are_registered_with_percent():
    names = {name: registry.get(name).unit_of_measure for name in indicators.COMPUTATIONS}

    assert names == {indicators.PLAN_RULE: "%", indicators.OFFICIAL: "%", indicators.DRINKING: "%"}


def test_class_iii_share_without_samples_is_empty(monitoring_sections):
    assert indicators.class_iii_share_plan_rule({}, AS_OF) == []


def test_percent_rounds_half_to_even_at_one_decimal():
    assert [indicators.percent(v) for v in (100 * 5 / 6, 0.25, None)] == [
        Decimal("83.3"),
        Decimal("0.2"),
        None,
    ]
