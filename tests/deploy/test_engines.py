"""The Spark engine (local mode, two cores) gives the local engine's results row by row: the daily and
annual air evaluation, the water assessment and the screening, on a simulated province (stations across a
new year, outages that make days and years invalid, dry sections, lakes, held values)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from envplan.engines import LocalEngine, get_engine
from envplan.engines import province as simulated
from envplan.engines.spark import SparkEngine
from envplan.screening.options import DETECTORS, ScanOptions

pytestmark = pytest.mark.once
LOCAL = LocalEngine()


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Struct columns spread into one column per field (named column.field)."""
    structs = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Struct)]
    if not structs:
        return frame
    return flat(
        frame.with_columns(pl.col(name).name.prefix_fields(f"{name}.") for name in structs).unnest(structs)
    )


def same_rows(spark: pl.DataFrame, local: pl.DataFrame) -> None:
    """Row by row, in order: every column exactly, except unrounded floating values (means, exceedance
    multiples), which may differ in their last bit (the order in which a mean's terms are added depends
    on memory layout) -- every published (rounded) figure, count, flag and class is compared exactly."""
    assert spark.schema == local.schema
    assert spark.height == local.height
    spark, local = flat(spark), flat(local)
    floats = [name for name, dtype in local.schema.items() if dtype.is_float()]
    assert spark.drop(floats).rows() == local.drop(floats).rows()
    assert_frame_equal(
        spark.select(floats), local.select(floats), check_exact=False, rel_tol=1e-12, abs_tol=1e-12
    )


def test_engines_agree_on_the_daily_air_evaluation_across_a_new_year(spark_engine: SparkEngine):
    year_end = simulated.station_hours(6, year=2024).filter(pl.col("time") > dt.datetime(2024, 12, 20))
    new_year = simulated.station_hours(6, year=2025).filter(pl.col("time") <= dt.datetime(2025, 1, 12))
    outage = (pl.col("station_code") == "P00001") & pl.col("time").is_between(
        dt.datetime(2025, 1, 3, 1), dt.datetime(2025, 1, 3, 6)
    )
    hourly = pl.concat([year_end, new_year]).drop("city").filter(~outage)  # 18 hours left: an invalid day

    local = LOCAL.air_daily(hourly)
    spark = spark_engine.air_daily(hourly)

    assert local.filter(pl.col("date") == dt.date(2024, 12, 31)).height == 6  # 1 January 00:00 closes it
    assert local.get_column("valid_pm25").value_counts().height == 2  # the outage left invalid days
    same_rows(spark, local)


def test_engines_agree_on_the_annual_air_evaluation_of_stations_and_cities(spark_engine: SparkEngine):
    hourly = simulated.station_hours(12, year=2025, cities=3)
    daily = LOCAL.air_daily(hourly.drop("city"))

    stations_local = LOCAL.air_annual(daily, year=2025)
    cities_local = LOCAL.air_city_annual(hourly, year=2025)
    stations_spark = spark_engine.air_annual(daily, year=2025)
    cities_spark = spark_engine.air_city_annual(hourly, year=2025)

    assert stations_local.height == 12 and cities_local.height == 3
    # P00005 lost ten February days (25 valid days needed in February), P00007 fifty days: invalid years
    invalid = stations_local.filter(pl.col("pm25_mean").is_null()).get_column("station_code").to_list()
    assert invalid == ["P00005", "P00007"]
    same_rows(stations_spark, stations_local)
    same_rows(cities_spark, cities_local)


@pytest.mark.parametrize("every", ["month", "year"])
def test_engines_agree_on_the_water_assessment(spark_engine: SparkEngine, every: str):
    samples = simulated.section_samples(40, year=2025)
    if every == "month":
        samples = samples.filter(pl.col("time").dt.month() == 1)

    local = LOCAL.water_assess(samples, every=every)
    spark = spark_engine.water_assess(samples, every=every)

    assert local.sections.height == 40
    assert local.sections.get_column("dry").sum() == (3 if every == "month" else 0)
    same_rows(spark.sections, local.sections)
    assert spark.shares == local.shares
    assert spark.status == local.status


def test_engines_agree_on_the_screening_of_many_outlets(spark_engine: SparkEngine):
    readings = simulated.device_readings(12, days=3)
    history = simulated.device_readings(12, days=2, start=dt.date(2025, 2, 20))
    outlets = pl.DataFrame(
        {"mn": readings.get_column("mn").unique().sort(), "industry": ["power", "cement", "steel"] * 4}
    )
    options = ScanOptions(detectors=tuple(DETECTORS))

    local = LOCAL.screen(readings, history=history, outlets=outlets, options=options)
    spark = spark_engine.screen(readings, history=history, outlets=outlets, options=options)

    assert local.height > 0
    assert set(local.filter(pl.col("detector") == "flat_line").get_column("mn")) == {"MN000004"}
    same_rows(spark, local)


def test_engines_unknown_engine_is_refused_in_one_line():
    from envplan.engines import EngineError

    with pytest.raises(EngineError, match="unknown engine 'hadoop': choose one of local, spark"):
        get_engine("hadoop")


def test_engines_air_and_water_commands_write_the_same_output_on_spark(
    spark_engine: SparkEngine, tmp_path: Path
):
    from tests.commandline import in_group

    hours = simulated.station_hours(4, year=2025, cities=2).filter(pl.col("time") <= dt.datetime(2025, 2, 1))
    hourly_csv = tmp_path / "hourly.csv"
    hours.with_columns(pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S")).write_csv(hourly_csv)
    samples_csv = tmp_path / "samples.csv"
    samples = simulated.section_samples(12).select(
        "monitoring_section", "time", "waterbody", *simulated.WATER_ITEMS, "dry"
    )
    samples.rename({"monitoring_section": "section"}).with_columns(
        pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S")
    ).write_csv(samples_csv)

    def run(main, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()

    for main, argv in (
        (in_group("air"), ("daily", str(hourly_csv))),
        (in_group("air"), ("annual", str(hourly_csv), "--year", "2025")),
        (in_group("water"), ("assess", str(samples_csv), "--period", "2025")),
    ):
        local = run(main, *argv)
        spark = run(main, *argv, "--engine", "spark")
        assert local[0] == 0, local[2]
        assert spark == local


def test_engines_screening_command_writes_the_same_findings_on_spark(
    spark_engine: SparkEngine, tmp_path: Path
):
    from tests.commandline import in_group

    screening = in_group("screening")

    readings = simulated.device_readings(6, days=3)
    history = simulated.device_readings(6, days=2, start=dt.date(2025, 2, 20))
    for name, frame in (("readings.csv", readings), ("history.csv", history)):
        frame.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%z")).write_csv(tmp_path / name)
    argv = [str(tmp_path / "readings.csv"), "--history", str(tmp_path / "history.csv")]

    outputs = []
    for engine in ("local", "spark"):
        out, err = io.StringIO(), io.StringIO()
        code = screening(["scan", *argv, "--engine", engine], stdout=out, stderr=err)
        outputs.append((code, out.getvalue(), err.getvalue()))

    assert outputs[0][0] == 1, outputs[0][2]  # findings: the held value of MN000004
    assert '"detector": "flat_line"' in outputs[0][1]
    assert outputs[1] == outputs[0]
