"""Daily statistics and validity (GB 3095 Table 4, HJ 663 §6.1.2), annual evaluation (HJ 663), editions."""

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from envplan.standards.air import annual_evaluation, daily_aqi, daily_statistics, with_aqi
from envplan.standards.air.stats import city_hourly
from envplan.standards.versions import AqiEdition, LimitSet, aqi_edition, gb3095_limit_set

DAY = date(2025, 6, 1)


def _hours(day: date = DAY, station: str = "S", **values: list[float | None] | float) -> pl.DataFrame:
    """The 24 hours of `day` (labels 01:00 … next day 00:00); scalar or 24-long lists per pollutant."""
    start = datetime(day.year, day.month, day.day, 1)
    data: dict[str, list[object]] = {
        "station_code": [station] * 24,
        "time": [start + timedelta(hours=h) for h in range(24)],
    }
    for pollutant in ("pm25", "pm10", "so2", "no2", "co", "o3"):
        value = values.get(pollutant, 10.0)
        data[pollutant] = list(value) if isinstance(value, list) else [value] * 24
    return pl.DataFrame(
        data, schema_overrides={p: pl.Float64 for p in ("pm25", "pm10", "so2", "no2", "co", "o3")}
    )


def test_daily_statistics_day_holds_hours_labelled_01_to_24():
    hours = _hours(pm25=[float(h) for h in range(1, 25)])
    before = _hours(day=DAY - timedelta(days=1)).tail(1)  # labelled 2025-06-01 00:00: closes 31 May

    result = daily_statistics(pl.concat([before, hours]))

    day = result.filter(pl.col("date") == DAY).row(0, named=True)
    assert (day["pm25"], day["n_pm25"]) == (12.5, 24)
    assert result.get_column("date").to_list() == [DAY - timedelta(days=1), DAY]


@pytest.mark.parametrize(("present", "valid"), [(20, True), (19, False)])
def test_daily_mean_needs_20_hours(present: int, valid: bool):
    hours = _hours(so2=[5.0] * present + [None] * (24 - present))

    result = daily_statistics(hours).row(0, named=True)

    assert (result["n_so2"], result["valid_so2"]) == (present, valid)


def test_daily_max_8h_needs_6_hours_per_window_and_14_windows():
    # O3 missing at 01:00-05:00: windows ending 08:00-10:00 have 3-5 hours (invalid), 11:00-24:00 are valid.
    hours = _hours(o3=[None] * 5 + [50.0] * 19)

    result = daily_statistics(hours).row(0, named=True)

    assert (result["n_o3_8h"], result["valid_o3_8h"], result["o3_8h"]) == (14, True, 50.0)


def test_daily_max_8h_with_13_windows_is_invalid_unless_above_the_limit():
    low = _hours(o3=[None] * 6 + [50.0] * 18)
    high = _hours(station="T", o3=[None] * 6 + [170.0] * 18)

    result = daily_statistics(pl.concat([low, high]))

    assert result.select("station_code", "n_o3_8h", "valid_o3_8h").rows() == [
        ("S", 13, False),
        ("T", 13, True),
    ]


def test_daily_max_8h_takes_the_largest_moving_mean():
    # 8 hours at 200 (labels 10:00-17:00) among 100s: the window ending 17:00 has mean 200.
    o3 = [100.0] * 24
    o3[9:17] = [200.0] * 8

    result = daily_statistics(_hours(o3=o3)).row(0, named=True)

    assert (result["o3_8h"], result["o3_1h"]) == (200.0, 200.0)


def test_daily_aqi_uses_rounded_valid_statistics_and_drops_invalid_ones():
    # PM2.5 mean 35.5 -> 36 (half-even) -> IAQI 52; SO2 has 19 hours: not valid, not indexed.
    hours = _hours(pm25=[35.0, 36.0] * 12, so2=[900.0] * 19 + [None] * 5)

    result = daily_aqi(daily_statistics(hours)).row(0, named=True)

    assert (result["iaqi_pm25"], result["iaqi_so2"], result["pm25"]) == (52, None, 35.5)


def _daily_year(year: int, *, pm25: float = 20.0, drop: list[date] | None = None) -> pl.DataFrame:
    days = pl.date_range(date(year, 1, 1), date(year, 12, 31), "1d", eager=True)
    frame = pl.DataFrame({"station_code": "S", "date": days}).with_columns(
        pl.lit(pm25).alias("pm25"),
        pl.lit(30.0).alias("pm10"),
        pl.lit(5.0).alias("so2"),
        pl.lit(20.0).alias("no2"),
        pl.lit(0.5).alias("co"),
        pl.lit(60.0).alias("o3_8h"),
        pl.lit(80.0).alias("o3_1h"),
    )
    if drop:
        frame = frame.filter(~pl.col("date").is_in(drop))
    return daily_aqi(frame)


def test_annual_mean_is_valid_with_324_days_and_27_per_month():
    # Keep days 1-27 of every month: exactly 12 x 27 = 324 days.
    days = pl.date_range(date(2025, 1, 1), date(2025, 12, 31), "1d", eager=True)
    drop = days.filter(days.dt.day() > 27).to_list()

    result = annual_evaluation(_daily_year(2025, drop=drop), year=2025).row(0, named=True)

    assert (result["pm25_mean"], result["valid_days"]) == (20.0, 324)


def test_annual_mean_is_invalid_with_26_days_in_a_month():
    drop = [date(2025, 3, d) for d in range(1, 6)]  # March keeps 26 days; the year still has 360

    result = annual_evaluation(_daily_year(2025, drop=drop), year=2025).row(0, named=True)

    assert (result["pm25_mean"], result["pm25_p95"], result["compliant"], result["valid_days"]) == (
        None,
        None,
        None,
        360,
    )


def test_annual_february_needs_only_25_days():
    drop = [date(2025, 2, d) for d in range(1, 4)]  # February keeps 25 days

    result = annual_evaluation(_daily_year(2025, drop=drop), year=2025).row(0, named=True)

    assert result["pm25_mean"] == 20.0


def test_annual_percentile_follows_hj663_formula_and_rounds_half_even():
    frame = _daily_year(2025).with_columns(pl.int_range(1, 366).cast(pl.Float64).alias("pm25"))

    result = annual_evaluation(frame, year=2025).row(0, named=True)

    # n = 365; p95: k = 1 + 364 x 0.95 = 346.8 -> 346 + 0.8 = 346.8 -> 347. p98 of SO2 (all 5) -> 5.
    # Mean of 1..365 = 183.
    assert (result["pm25_p95"], result["pm25_mean"], result["so2_p98"]) == (347.0, 183.0, 5.0)


@pytest.mark.parametrize(("low", "expected"), [(34.0, 34.0), (35.0, 36.0)])
def test_annual_mean_rounds_an_exact_half_to_even(low: float, expected: float):
    # 364 days (31 December dropped), half at `low`, half at `low + 1`: the mean is exactly low + 0.5.
    frame = _daily_year(2025, drop=[date(2025, 12, 31)]).with_columns(
        pl.when(pl.col("date").dt.ordinal_day() % 2 == 0).then(low).otherwise(low + 1).alias("pm25")
    )

    result = annual_evaluation(frame, year=2025).row(0, named=True)

    assert result["pm25_mean"] == expected


@pytest.mark.parametrize(
    ("year", "limit_set", "compliant"),
    [
        (2025, "GB3095-2012", True),  # annual PM2.5 limit 35
        (2030, "GB3095-2026-transitional", True),  # 30
        (2031, "GB3095-2026", False),  # 25
    ],
)
def test_annual_compliance_follows_the_limit_set_of_the_year(year: int, limit_set: str, compliant: bool):
    result = annual_evaluation(_daily_year(year, pm25=28.0), year=year).row(0, named=True)

    assert (result["limit_set"], result["pm25_mean_compliant"], result["compliant"]) == (
        limit_set,
        compliant,
        compliant,
    )


def test_annual_good_days_ratio_counts_days_with_aqi_at_most_100():
    frame = _daily_year(2025).with_columns(
        pl.when(pl.col("date").dt.ordinal_day() <= 73).then(150.0).otherwise(20.0).alias("pm25")
    )

    result = annual_evaluation(daily_aqi(frame.drop("aqi", "category", "primary")), year=2025).row(
        0, named=True
    )

    # 73 polluted days out of 365: 292 / 365 = 80.0 %.
    assert (result["valid_days"], result["good_days"], result["good_days_ratio"]) == (365, 292, 80.0)


def test_city_hourly_is_the_mean_of_the_stations():
    a = _hours(station="A", pm25=10.0).with_columns(pl.lit("C").alias("city"))
    b = _hours(station="B", pm25=21.0).with_columns(pl.lit("C").alias("city"))

    result = city_hourly(pl.concat([a, b]))

    assert result.get_column("pm25").unique().to_list() == [15.5]
    assert result.get_column("station_code").unique().to_list() == ["C"]


def test_edition_switches_at_2026_03_01_by_the_day_a_value_belongs_to():
    times = [datetime(2026, 3, 1, 0), datetime(2026, 3, 1, 1)]  # 00:00 closes 28 February
    frame = pl.DataFrame({"time": times, "pm25": [80.0, 80.0]})

    result = with_aqi(frame, kind="realtime")

    assert result.get_column("edition").to_list() == ["HJ633-2012", "HJ633-2026"]
    assert result.get_column("iaqi_pm25").to_list() == [107, 119]


def test_edition_of_a_date_and_override():
    assert aqi_edition(date(2026, 2, 28)) is AqiEdition.HJ633_2012
    assert aqi_edition(date(2026, 3, 1)) is AqiEdition.HJ633_2026
    assert aqi_edition(date(2027, 1, 1), "HJ633-2012") is AqiEdition.HJ633_2012


def test_limit_set_switches_after_2030_12_31():
    assert gb3095_limit_set(date(2026, 2, 28)) is LimitSet.GB3095_2012
    assert gb3095_limit_set(date(2030, 12, 31)) is LimitSet.GB3095_2026_TRANSITIONAL
    assert gb3095_limit_set(date(2031, 1, 1)) is LimitSet.GB3095_2026


def test_daily_statistics_treats_absent_hour_rows_like_missing_values():
    # Rows 01:00-05:00 absent (not just empty): the hour grid is completed, giving the same 14 windows.
    hours = _hours(o3=[None] * 5 + [50.0] * 19).filter(pl.col("o3").is_not_null())

    result = daily_statistics(hours).row(0, named=True)

    assert (result["n_o3_8h"], result["valid_o3_8h"], result["n_pm25"], result["valid_pm25"]) == (
        14,
        True,
        19,
        False,
    )
