"""Real-time AQI against the values CNEMC published (HJ 633-2012 era), from tests/data/air."""

from functools import cache
from pathlib import Path

import polars as pl

from envplan.standards.air import read_cnemc, with_aqi

DATA = Path(__file__).resolve().parents[2] / "data" / "air"


@cache
def _snapshot_2017() -> pl.DataFrame:
    return read_cnemc(DATA / "cnemc_national_stations_2017-07-07T16.json")


def _published(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("published_aqi").is_not_null())


def test_realtime_aqi_matches_every_published_station_hour_of_2017_snapshot():
    stations = _snapshot_2017()

    result = _published(with_aqi(stations, kind="realtime"))

    assert result.height == 1462
    assert result.filter(pl.col("aqi") == pl.col("published_aqi")).height == 1462
    assert result.filter(pl.col("category") == pl.col("published_category")).height == 1462
    assert result.filter(pl.col("primary").eq_missing(pl.col("published_primary"))).height == 1462


def test_realtime_aqi_2017_snapshot_includes_ties_and_o3_primary_cases():
    stations = _snapshot_2017()

    result = _published(with_aqi(stations, kind="realtime"))

    assert result.filter(pl.col("primary") == "o3").height == 260
    assert result.filter(pl.col("primary").str.contains(";")).height == 4


def test_realtime_aqi_with_the_unswapped_o3_column_breaks_609_station_hours():
    stations = _snapshot_2017()
    wrong = stations.with_columns(pl.col("o3_1h_day_max").alias("o3"))

    result = _published(with_aqi(wrong, kind="realtime"))

    assert result.filter(pl.col("aqi") != pl.col("published_aqi")).height == 609


def test_realtime_aqi_text_rule_does_not_reproduce_published_values():
    stations = _snapshot_2017()

    result = _published(with_aqi(stations, kind="realtime", realtime_rule="text"))

    assert result.filter(pl.col("aqi") == pl.col("published_aqi")).height < result.height // 2


def test_realtime_aqi_matches_2022_subset_with_blank_missing_policy():
    rows = read_cnemc(DATA / "heqinwill_cnemc_2022-01-04T08_subset.csv")

    result = with_aqi(rows, kind="realtime", missing="blank")

    published = _published(result)
    assert published.height == 18
    assert published.filter(pl.col("aqi") == pl.col("published_aqi")).height == 18
    assert published.filter(pl.col("primary").eq_missing(pl.col("published_primary"))).height == 18
    blank = result.filter(pl.col("published_aqi").is_null())
    assert blank.get_column("station_code").to_list() == ["1053A", "1140A"]
    assert blank.get_column("aqi").to_list() == [None, None]


def test_realtime_aqi_available_policy_indexes_the_pollutants_present():
    rows = read_cnemc(DATA / "heqinwill_cnemc_2022-01-04T08_subset.csv")

    result = with_aqi(rows, kind="realtime", missing="available")

    harbin = result.filter(pl.col("station_code") == "1140A").row(0, named=True)
    # PM2.5 missing; PM10 1-h 274 -> 150 + (274-250)·50/100 = 162 against the PM10 24-h column.
    assert harbin["iaqi_pm25"] is None
    assert harbin["aqi"] == 162


def test_realtime_aqi_matches_baotou_and_edge_case_rows_of_both_snapshots():
    rows = read_cnemc(DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv")

    result = with_aqi(rows, kind="realtime")

    assert result.height == 26
    assert result.filter(pl.col("aqi") == pl.col("published_aqi")).height == 26
    assert result.filter(pl.col("category") == pl.col("published_category")).height == 26
    assert result.filter(pl.col("primary").eq_missing(pl.col("published_primary"))).height == 26
    baotou = result.filter(
        pl.col("station_code").is_in(["1585A", "1586A", "1587A", "1588A", "1589A", "1590A"])
    )
    assert baotou.height == 12


def test_read_cnemc_maps_the_swapped_o3_columns():
    rows = read_cnemc(DATA / "heqinwill_cnemc_2022-01-04T08_subset.csv")

    first = rows.filter(pl.col("station_code") == "1001A").row(0, named=True)

    # CSV columns o3=50, o3_24h=1, o3_8h=24, o3_8h_24h=17: o3_24h is the latest hour.
    assert (first["o3"], first["o3_1h_day_max"], first["o3_8h"], first["o3_8h_day_max"]) == (
        1.0,
        50.0,
        17.0,
        24.0,
    )
