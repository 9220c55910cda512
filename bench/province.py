"""Benchmark: a simulated province on both engines, and how each grows with the data.

Run: ``.venv/bin/python bench/province.py`` (air: 100, 300 and 1,000 stations x one year of hours;
water: 2,000 sections x 12 months; screening: 50, 200 and 500 outlets x 30 days of minute values) or
``--quick`` (a smoke run of a few seconds per engine plus Spark's start). Sizes can be set with
``--stations``, ``--sections``, ``--devices`` and ``--days``.

For each size the same input is written to Parquet (as the lake holds it) and then, on each engine, read
and evaluated: the local engine reads it with Polars and runs the pure functions on the whole frame; the
Spark engine (``--spark-master``, by default ``local[2]``: this machine's two cores) reads it with Spark and
runs the same functions per partition (station and year, city, section, outlet) through
``applyInArrow``. The results are compared (row counts, and every row for air) and the benchmark fails
when they differ. Printed: seconds per engine, the Spark/local ratio (the baseline is the local engine,
measured in the same run), and microseconds per input row, whose stability across sizes says how each
engine grows. Spark's start (a JVM, once) is reported apart.

The 5,000 outlets x one month of the issue is 432 million readings (two channels a minute); the sizes
run here stop well below it on a 2-core, 24 GB machine, and the per-row figures give the extrapolation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from envplan.engines import LocalEngine
from envplan.engines import province as simulated
from envplan.screening.options import ScanOptions


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def line(task: str, size: str, rows: int, local: float, spark: float) -> None:
    print(
        f"{task:<22} {size:>26} {rows:>12,} rows   local {local:8.2f} s ({local / rows * 1e6:6.2f} µs/row)"
        f"   spark {spark:8.2f} s ({spark / rows * 1e6:6.2f} µs/row)   spark/local {spark / local:5.1f}x",
        flush=True,
    )


def air(spark: Any, stations: int, folder: Path) -> None:
    hourly = simulated.station_hours(stations, year=2025, cities=max(1, stations // 80))
    path = folder / f"air-{stations}.parquet"
    hourly.write_parquet(path)
    rows = hourly.height
    del hourly
    local_engine = LocalEngine()

    def on_local() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        frame = pl.read_parquet(path)
        daily = local_engine.air_daily(frame.drop("city"))
        return (
            daily,
            local_engine.air_annual(daily, year=2025),
            local_engine.air_city_annual(frame, year=2025),
        )

    def on_spark() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        frame = spark.session.read.parquet(str(path))
        daily = spark.air_daily(frame.drop("city"))
        return daily, spark.air_annual(daily, year=2025), spark.air_city_annual(frame, year=2025)

    local_seconds, local = timed(on_local)
    spark_seconds, remote = timed(on_spark)
    for mine, theirs in zip(remote, local, strict=True):
        floats = [n for n, t in theirs.schema.items() if t.is_float()]
        if mine.drop(floats).rows() != theirs.drop(floats).rows():
            raise SystemExit(f"air, {stations} stations: the engines disagree")
    line("air daily+annual", f"{stations} stations x 1 year", rows, local_seconds, spark_seconds)


def water(spark: Any, sections: int, folder: Path) -> None:
    samples = simulated.section_samples(sections, year=2025)
    local_seconds, local = timed(lambda: LocalEngine().water_assess(samples, every="year"))
    spark_seconds, remote = timed(lambda: spark.water_assess(samples, every="year"))
    if remote.sections.height != local.sections.height or remote.shares != local.shares:
        raise SystemExit(f"water, {sections} sections: the engines disagree")
    line("water assessment", f"{sections} sections x 12 months", samples.height, local_seconds, spark_seconds)


def screening(spark: Any, devices: int, days: int, folder: Path) -> None:
    readings = simulated.device_readings(devices, days=days)
    rows = readings.height
    options = ScanOptions()
    local_seconds, local = timed(lambda: LocalEngine().screen(readings, options=options))
    spark_seconds, remote = timed(lambda: spark.screen(readings, options=options))
    if (
        remote.height != local.height
        or remote.select("mn", "detector").rows() != local.select("mn", "detector").rows()
    ):
        raise SystemExit(f"screening, {devices} outlets: the engines disagree")
    line("screening", f"{devices} outlets x {days} days", rows, local_seconds, spark_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of small sizes")
    parser.add_argument("--stations", type=int, nargs="*", help="air stations per run (1 year of hours each)")
    parser.add_argument("--sections", type=int, nargs="*", help="water sections per run (12 months each)")
    parser.add_argument("--devices", type=int, nargs="*", help="outlets per screening run")
    parser.add_argument("--days", type=int, help="days of minute values per outlet")
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args()
    stations = args.stations or ([20] if args.quick else [100, 300, 1000])
    sections = args.sections or ([200] if args.quick else [2000])
    devices = args.devices or ([10] if args.quick else [50, 200, 500])
    days = args.days or (3 if args.quick else 30)

    from envplan.engines.spark import SparkEngine

    started = time.perf_counter()
    spark = SparkEngine.start(master=args.spark_master, config={"spark.driver.memory": "8g"})
    took = time.perf_counter() - started
    print(f"Spark {spark.session.version} on {args.spark_master}: started in {took:.1f} s")
    try:
        with tempfile.TemporaryDirectory(prefix="envplan-province-") as temporary:
            folder = Path(temporary)
            for count in stations:
                air(spark, count, folder)
            for count in sections:
                water(spark, count, folder)
            for count in devices:
                screening(spark, count, days, folder)
    finally:
        spark.stop()
    print(f"done {dt.datetime.now():%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
