"""Worked examples A1-A13, P1-P2 of air-water-standards.md §5, in both editions where they differ."""

from datetime import date, datetime
from typing import Any

import polars as pl
import pytest

from envplan.standards.air import category_of, percentile_expr, with_aqi
from envplan.standards.air.rounding import gbt8170_round

REALTIME_2017 = datetime(2017, 7, 7, 16)
DAILY_2025 = date(2025, 6, 1)


def _one(kind: str, edition: str, **values: float) -> dict[str, Any]:
    time: date | datetime = REALTIME_2017 if kind == "realtime" else DAILY_2025
    row: dict[str, Any] = {"time": [time]}
    row.update({name: [float(value)] for name, value in values.items()})
    result = with_aqi(pl.DataFrame(row), kind=kind, edition=edition)  # type: ignore[arg-type]
    return result.row(0, named=True)


def test_aqi_a1_kunming_realtime_tie_of_pm10_and_pm25():
    result = _one("realtime", "HJ633-2012", pm25=43, pm10=69, so2=10, no2=69, co=1.2, o3=3)

    assert (result["aqi"], result["category"], result["primary"]) == (60, 2, "pm25;pm10")
    assert (result["iaqi_so2"], result["iaqi_no2"], result["iaqi_co"], result["iaqi_o3"]) == (4, 35, 12, 1)


def test_aqi_a2_nanjing_realtime_pm25_149_gives_199():
    result = _one("realtime", "HJ633-2012", pm25=149, pm10=100, so2=10, no2=50, co=1.0, o3=10)

    assert (result["aqi"], result["category"], result["primary"]) == (199, 4, "pm25")


@pytest.mark.parametrize(("edition", "aqi", "iaqi_pm10"), [("HJ633-2012", 107, 85), ("HJ633-2026", 119, 100)])
def test_aqi_a3_daily_both_editions(edition: str, aqi: int, iaqi_pm10: int):
    result = _one("daily", edition, pm25=80, pm10=120, so2=20, no2=45, co=1.2, o3_8h=150, o3_1h=150)

    assert (result["aqi"], result["category"], result["primary"]) == (aqi, 3, "pm25")
    assert (result["iaqi_pm10"], result["iaqi_no2"], result["iaqi_co"], result["iaqi_o3_8h"]) == (
        iaqi_pm10,
        57,
        30,
        92,
    )


@pytest.mark.parametrize("edition", ["HJ633-2012", "HJ633-2026"])
def test_aqi_a4_daily_50_is_excellent_without_primary(edition: str):
    result = _one("daily", edition, pm25=35, pm10=40, so2=10, no2=30, co=0.8, o3_8h=90, o3_1h=100)

    assert (result["aqi"], result["category"], result["primary"]) == (50, 1, None)


@pytest.mark.parametrize(("edition", "aqi", "category"), [("HJ633-2012", 100, 2), ("HJ633-2026", 114, 3)])
def test_aqi_a5_daily_pm25_75(edition: str, aqi: int, category: int):
    result = _one("daily", edition, pm25=75, pm10=40, so2=10, no2=30, co=0.8, o3_8h=90, o3_1h=100)

    assert (result["aqi"], result["category"], result["primary"]) == (aqi, category, "pm25")


@pytest.mark.parametrize("edition", ["HJ633-2012", "HJ633-2026"])
def test_aqi_a6_daily_tie_lists_both_primary_pollutants(edition: str):
    result = _one("daily", edition, pm25=115, pm10=250, so2=10, no2=30, co=0.8, o3_8h=90, o3_1h=100)

    assert (result["aqi"], result["primary"]) == (150, "pm25;pm10")


@pytest.mark.parametrize(
    ("edition", "aqi", "category", "iaqi_pm10"), [("HJ633-2012", 130, 3, 55), ("HJ633-2026", 92, 2, 58)]
)
def test_aqi_a7_daily_o3_one_hour_only_counts_in_2012(edition: str, aqi: int, category: int, iaqi_pm10: int):
    result = _one("daily", edition, pm25=30, pm10=60, so2=10, no2=35, co=0.9, o3_8h=150, o3_1h=260)

    assert (result["aqi"], result["category"], result["primary"], result["iaqi_pm10"]) == (
        aqi,
        category,
        "o3",
        iaqi_pm10,
    )


@pytest.mark.parametrize("edition", ["HJ633-2012", "HJ633-2026"])
def test_aqi_a8_daily_co_3_5_gives_88(edition: str):
    result = _one("daily", edition, co=3.5)

    assert result["iaqi_co"] == 88


@pytest.mark.parametrize("edition", ["HJ633-2012", "HJ633-2026"])
def test_aqi_a9_daily_pm25_36_rounds_up_to_52(edition: str):
    result = _one("daily", edition, pm25=36)

    assert result["iaqi_pm25"] == 52


def test_aqi_a10_realtime_no2_250_gives_105():
    result = _one("realtime", "HJ633-2012", pm25=10, pm10=20, so2=5, no2=250, co=0.5, o3=20)

    assert (result["aqi"], result["primary"]) == (105, "no2")


@pytest.mark.parametrize(("edition", "iaqi_so2"), [("HJ633-2012", 124), ("HJ633-2026", 200)])
def test_aqi_a11_realtime_so2_above_800(edition: str, iaqi_so2: int):
    result = _one("realtime", edition, pm25=10, pm10=20, so2=900, so2_24h=300, no2=20, co=0.5, o3=20)

    assert (result["iaqi_so2"], result["aqi"], result["primary"]) == (iaqi_so2, iaqi_so2, "so2")


def test_aqi_a11_2012_so2_above_800_without_24h_mean_has_no_so2_index():
    result = _one("realtime", "HJ633-2012", pm25=10, pm10=20, so2=900, no2=20, co=0.5, o3=20)

    assert (result["iaqi_so2"], result["aqi"], result["primary"]) == (None, 20, None)


@pytest.mark.parametrize(("edition", "iaqi_o3", "category"), [("HJ633-2012", 375, 6), ("HJ633-2026", 300, 5)])
def test_aqi_a12_daily_o3_8h_above_800(edition: str, iaqi_o3: int, category: int):
    result = _one("daily", edition, pm25=10, pm10=20, so2=5, no2=20, co=0.5, o3_8h=850, o3_1h=950)

    assert (result["iaqi_o3"], result["aqi"], result["category"], result["primary"]) == (
        iaqi_o3,
        iaqi_o3,
        category,
        "o3",
    )


@pytest.mark.parametrize(
    ("edition", "rule", "iaqi_pm25"),
    [("HJ633-2012", "text", 94), ("HJ633-2012", "practice", 158), ("HJ633-2026", "practice", 158)],
)
def test_aqi_a13_realtime_pm25_rule(edition: str, rule: str, iaqi_pm25: int):
    frame = pl.DataFrame({"time": [REALTIME_2017], "pm25": [120.0], "pm25_24h": [70.0]})

    result = with_aqi(frame, kind="realtime", edition=edition, realtime_rule=rule).row(0, named=True)

    assert result["iaqi_pm25"] == iaqi_pm25


def test_aqi_2026_missing_pollutant_publishes_only_above_100():
    frame = pl.DataFrame({"time": [DAILY_2025, DAILY_2025], "pm25": [80.0, 36.0]})

    result = with_aqi(frame, kind="daily", edition="HJ633-2026")

    assert result.get_column("aqi").to_list() == [119, None]
    assert result.get_column("category").to_list() == [3, None]
    assert result.get_column("primary").to_list() == ["pm25", None]
    assert result.get_column("iaqi_pm25").to_list() == [119, 52]


def test_aqi_2026_rounds_inputs_half_even_before_the_index():
    # HJ 633-2026 §4.2.2: PM2.5 35.5 -> 36 (half to even) -> 52; 34.5 -> 34 -> 49.
    frame = pl.DataFrame({"time": [DAILY_2025, DAILY_2025], "pm25": [35.5, 34.5]})

    result = with_aqi(frame, kind="daily", edition="HJ633-2026")

    assert result.get_column("iaqi_pm25").to_list() == [52, 49]


def test_aqi_above_the_table_is_capped_at_500():
    result = _one("daily", "HJ633-2026", pm25=700)

    assert (result["aqi"], result["category"]) == (500, 6)


def test_percentile_p1_hj663_example_gives_6_5():
    values = pl.DataFrame({"x": [3.0, 4, 8, 2, 5, 4]})

    result = values.select(percentile_expr(pl.col("x"), 90)).item()

    assert result == 6.5


def test_percentile_p2_o3_p90_gives_163():
    values = pl.DataFrame({"x": [120.0, 135, 150, 160, 162, 170, 95, 88, 140, 155]})

    result = values.select(gbt8170_round(percentile_expr(pl.col("x"), 90), 0)).item()

    assert result == 163


@pytest.mark.parametrize(
    ("so2", "aqi", "level", "zh", "fr", "rgb"),
    [  # daily SO2 (HJ 633-2012 Table 1: 50 -> 50, 150 -> 100, 475 -> 150, 800 -> 200, 1600 -> 300)
        (50, 50, 1, "优", "Excellent", (0, 228, 0)),
        (52, 51, 2, "良", "Bon", (255, 255, 0)),
        (475, 150, 3, "轻度污染", "Légèrement pollué", (255, 126, 0)),
        (481.5, 151, 4, "中度污染", "Modérément pollué", (255, 0, 0)),
        (1600, 300, 5, "重度污染", "Fortement pollué", (153, 0, 76)),
        (1605, 301, 6, "严重污染", "Gravement pollué", (126, 0, 35)),
    ],
)
def test_category_of_gives_level_names_and_colour_as_the_engine(
    so2: float, aqi: int, level: int, zh: str, fr: str, rgb: tuple[int, int, int]
):
    category = category_of(aqi)
    computed = _one("daily", "HJ633-2012", so2=so2)

    assert (category.level, category.name_zh, category.name_fr, category.rgb) == (level, zh, fr, rgb)
    assert (computed["aqi"], computed["category"]) == (aqi, level)


def test_iaqi_ceiling_is_not_fooled_by_binary_float_error():
    # Daily CO 2.2: 50 + 0.2 x 25 = 55 exactly, 55.00000000000001 in binary (naive ceiling 56);
    # PM2.5 4.9: 4.9 x 50 / 35 = 7 exactly, 7.000000000000001 in binary (naive ceiling 8).
    frame = pl.DataFrame({"time": [DAILY_2025] * 2, "co": [2.2, 2.21], "pm25": [4.9, 4.91]})

    result = with_aqi(frame, kind="daily", edition="HJ633-2012")

    assert result.get_column("iaqi_co").to_list() == [55, 56]
    assert result.get_column("iaqi_pm25").to_list() == [7, 8]
