"""Target attainment, I-III shares under both dry rules, river/basin status (W8, W9 and official rows)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from envplan.standards.water import (
    Shares,
    WaterRules,
    assess,
    basin_status,
    class_share_status,
    classify_samples,
    meets_target,
    parse_class_label,
    period_values,
    section_shares,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "water"
# NH3-N values whose single-factor class is the key (GB 3838-2002 Table 1: 0.15/0.5/1.0/1.5/2.0).
NH3N_FOR_CLASS = {"I": 0.1, "II": 0.4, "III": 0.8, "IV": 1.2, "V": 1.8, "劣V": 2.5}


def _samples(classes: list[str | None], *, targets: list[str | None] | None = None) -> pl.DataFrame:
    """One annual sample per section; None = a dry section (no water all year)."""
    frame = pl.DataFrame(
        {
            "monitoring_section": [f"s{index}" for index in range(len(classes))],
            "time": [datetime(2024, 6, 1)] * len(classes),
            "waterbody": ["river"] * len(classes),
            "dry": [label is None for label in classes],
            "nh3n": [None if label is None else NH3N_FOR_CLASS[label] for label in classes],
        }
    )
    if targets is not None:
        frame = frame.with_columns(pl.Series("target_class", targets).cast(pl.String))
        frame = frame.with_columns(parse_class_label(pl.col("target_class")).alias("target_class"))
    return frame


def _official_attainment_rows() -> list[dict[str, str]]:
    with (DATA / "official_section_class_examples.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["official_attainment"]]


def test_assess_official_target_attainment_is_reproduced() -> None:
    rows = _official_attainment_rows()
    frame = pl.DataFrame(
        {
            "class": [row["official_class"] for row in rows],
            "target_class": [row["target_class"] for row in rows],
        }
    ).select(parse_class_label(pl.col("class")).alias("class"), parse_class_label(pl.col("target_class")))
    official = [row["official_attainment"].startswith(("met", "达标")) for row in rows]

    result = frame.select(meets_target()).to_series().to_list()

    assert len(rows) == 17  # Ningxia 6, Da Hinggan Ling 7, Guangdong 4
    assert result == official


def test_assess_w8_six_sections_use_the_class_share_method() -> None:
    samples = _samples(["II", "III", "III", "IV", "V", "劣V"])

    result = assess(samples, every="year")

    # I-III 3/6 = 50 % < 75 %; 劣V 1/6 = 16.7 % < 20 % -> 轻度污染.
    assert result.shares.official == 50.0
    assert result.shares.worse_than_v_share == pytest.approx(100 / 6)
    assert result.status is not None
    assert (result.status.method, result.status.status) == ("class_share", "轻度污染")


def test_assess_w9_dry_sections_excluded_officially_and_compliant_by_the_plan_rule() -> None:
    samples = _samples(["II"] * 6 + ["IV", "V"] + [None, None])

    result = assess(samples, every="year")

    assert (result.shares.evaluated, result.shares.dry) == (8, 2)
    assert result.shares.official == 75.0
    assert result.shares.dry_counts_as_compliant == 80.0


def test_assess_cnemc_weekly_denominator_excludes_the_dry_section() -> None:
    # 2007 week 2: 84 sections, one dry, 49 at I-III -> printed 59.0 % (49/83), not 58.3 % (49/84).
    sections = pl.DataFrame(
        {"class": ["II"] * 49 + ["IV"] * 34 + [None], "dry": [False] * 83 + [True]},
        schema_overrides={"class": pl.Enum(["I", "II", "III", "IV", "V", "劣V"])},
    )

    shares = section_shares(sections)

    assert round(shares.official or 0, 1) == 59.0


def test_assess_meets_target_per_section_and_none_without_target_or_when_dry() -> None:
    samples = _samples(["II", "IV", "III", None], targets=["Ⅲ", "III", None, "II"])

    sections = assess(samples, every="year").sections

    assert sections.get_column("meets_target").to_list() == [True, False, None, None]


def test_assess_fewer_than_five_sections_use_the_mean_method() -> None:
    samples = _samples(["II", "II", "II", "劣V"])

    result = assess(samples, every="year")

    # Mean NH3-N (0.4 x 3 + 2.5) / 4 = 0.925 -> III -> 良好 (the share method would give 75 % -> 良好 too,
    # so check the method and class rather than only the word).
    assert result.status is not None
    assert (result.status.method, result.status.water_class, result.status.status) == ("mean", "III", "良好")


def test_assess_five_sections_switch_to_the_class_share_method_and_the_threshold_is_configurable() -> None:
    samples = _samples(["II", "II", "II", "II", "劣V"])
    sections = classify_samples(period_values(samples, every="year"))

    share = basin_status(sections)
    mean = basin_status(sections, rules=WaterRules(min_sections_for_class_share=6))

    # Share: I-III 4/5 = 80 % -> 良好. Mean: NH3-N (0.4 x 4 + 2.5) / 5 = 0.82 -> III -> 良好 as well;
    # the class differs from a worst-section view (劣V) but not the word, so compare method and class.
    assert share is not None and mean is not None
    assert (share.method, share.status, share.water_class) == ("class_share", "良好", None)
    assert (mean.method, mean.status, mean.water_class) == ("mean", "良好", "III")


def test_assess_mean_method_and_share_method_can_disagree() -> None:
    samples = _samples(["II", "II", "II", "II", "劣V"]).with_columns(
        pl.when(pl.col("nh3n") > 2).then(6.0).otherwise(pl.col("nh3n")).alias("nh3n")
    )
    sections = classify_samples(period_values(samples, every="year"))

    share = basin_status(sections)
    mean = basin_status(sections, rules=WaterRules(min_sections_for_class_share=6))

    # Mean NH3-N (0.4 x 4 + 6.0) / 5 = 1.52 -> V -> 中度污染, while 4/5 at I-III -> 良好.
    assert share is not None and mean is not None
    assert (share.status, mean.status, mean.water_class) == ("良好", "中度污染", "V")


def test_assess_dry_sections_do_not_count_towards_the_five_sections() -> None:
    samples = _samples(["II", "II", "II", "II", None])

    result = assess(samples, every="year")

    assert result.status is not None
    assert (result.status.method, result.status.sections_evaluated) == ("mean", 4)


def test_assess_all_sections_dry_gives_no_share_and_no_status() -> None:
    result = assess(_samples([None, None]), every="year")

    assert (result.shares.official, result.shares.dry_counts_as_compliant) == (None, 100.0)
    assert result.status is None


def _shares(evaluated: int, good: int, bad: int) -> Shares:
    return Shares(
        evaluated, good, bad, 0, 100 * good / evaluated, 100 * good / evaluated, 100 * bad / evaluated
    )


@pytest.mark.parametrize(
    ("evaluated", "good", "bad", "expected"),
    [
        (10, 9, 0, "优"),  # exactly 90 %
        (10, 8, 0, "良好"),
        (20, 15, 0, "良好"),  # exactly 75 %
        (10, 7, 1, "轻度污染"),  # 劣V 10 %
        (10, 7, 2, "中度污染"),  # 劣V exactly 20 %
        (10, 5, 4, "重度污染"),  # I-III 50 % < 60 %, 劣V exactly 40 %
        (10, 6, 4, "中度污染"),  # the gap of the recalled rule: I-III 60 %, 劣V 40 %
    ],
)
def test_assess_class_share_status_thresholds(evaluated: int, good: int, bad: int, expected: str) -> None:
    assert class_share_status(_shares(evaluated, good, bad)) == expected


def test_assess_class_share_heavy_threshold_is_configurable() -> None:
    shares = _shares(10, 6, 4)

    assert class_share_status(shares, rules=WaterRules(heavy_share_below=75.0)) == "重度污染"


def test_assess_rejects_samples_spanning_two_periods() -> None:
    samples = _samples(["II", "II"]).with_columns(
        pl.Series("time", [datetime(2024, 1, 1), datetime(2024, 2, 1)])
    )

    with pytest.raises(ValueError, match="more than one period"):
        assess(samples, every="month")
