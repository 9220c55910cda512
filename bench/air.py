"""Air-quality benchmark: vectorised AQI against python-aqi, and daily + annual evaluation at scale.

    .venv/bin/python bench/air.py            # 5 M station-hours AQI; 2,000 stations x 1 year daily+annual
    .venv/bin/python bench/air.py --quick    # a smoke run of a few seconds

Part 1 computes the real-time AQI of N station-hours in process with envplan.standards.air.kernel.realtime_aqi
(six IAQIs, AQI, category and primary-pollutant mask of every row, from a Polars frame to a Polars frame;
the compiled one-pass kernel when Numba is installed, else the NumPy kernel; exact integer tables, checked
against `with_aqi` by the tests) and, for reference, with the Polars expressions of `with_aqi`. It is run
on hours under HJ 633-2026 (inputs rounded per GB/T 8170 first) and under HJ 633-2012.
The baseline is python-aqi 0.6.1 (MEP algorithm) on a sample of the same rows, measured two ways:
* per row: `aqi.to_aqi` with the six pollutants of the station-hour (the same work as ours: one AQI per row);
* per pollutant: `aqi.to_iaqi` once per value, reported as values/s and as rows/s (six values a row).
The ratio is taken against the per-row rate. A station-hour with a missing value passes the rest.
python-aqi stops at SO2 1-h 800, so SO2 is capped at 800 for it (the sample stays below 60 anyway).
The kernel is compiled (or loaded from Numba's on-disk cache), the tables are built and each set is run
once at full size before the timed runs (untimed warm-up); the timed region is `realtime_aqi` from the
Polars frame to the result frame (editions, kernel, output frame with nulls).
`--part aqi` runs part 1 only. The load average is printed with the figures: on the shared 2-CPU
machine, other work slows the 2-thread kernel more than the 1-thread baseline.
Part 2 runs in a child process (so that its peak memory is its own): hourly data of S stations x one
year -> daily statistics -> daily AQI -> annual evaluation; it prints the time and the peak RSS.
Synthetic data come from hashes of the row number (deterministic, no numpy needed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from envplan.standards.air import annual_evaluation, daily_aqi, daily_statistics, fused, with_aqi
from envplan.standards.air.kernel import realtime_aqi

RANGES = {"pm25": 200, "pm10": 300, "so2": 60, "no2": 120, "co": 30, "o3": 260}  # co in 0.1 mg/m³ steps


def synthetic_hours(stations: int, hours: int, start: datetime = datetime(2025, 1, 1, 1)) -> pl.DataFrame:
    """`stations` x `hours` hourly rows (labels from `start`), about 1 % missing values."""
    n = stations * hours
    index = pl.int_range(n, dtype=pl.Int64)
    columns = [
        (pl.lit("S") + (index // hours).cast(pl.String).str.zfill(5)).alias("station_code"),
        (pl.lit(start) + pl.duration(hours=index % hours)).alias("time"),
    ]
    for seed, (name, top) in enumerate(RANGES.items(), start=1):
        raw = index.hash(seed) % (top + 1)
        value = raw.cast(pl.Float64) / 10 if name == "co" else raw.cast(pl.Float64)
        missing = index.hash(seed + 100) % 100 == 0
        columns.append(pl.when(missing).then(None).otherwise(value).alias(name))
    return pl.select(columns)


PYTHON_AQI_NAMES = {
    "pm25": "pm25",
    "pm10": "pm10",
    "so2": "so2_1h",
    "no2": "no2_1h",
    "co": "co_1h",
    "o3": "o3_1h",
}


def python_aqi_rates(sample: pl.DataFrame) -> dict[str, float]:
    """python-aqi's per-row and per-pollutant rates on the same rows (inputs as strings, as it expects)."""
    import aqi  # python-aqi 0.6.1

    names = list(PYTHON_AQI_NAMES.values())
    rows = [
        [
            (name, str(min(value, 800.0) if name == "so2_1h" else value))
            for name, value in zip(names, row, strict=True)
            if value is not None
        ]
        for row in sample.select(list(PYTHON_AQI_NAMES)).rows()
    ]
    values = [reading for readings in rows for reading in readings]
    per_row = per_value = 0.0
    for _ in range(3):  # best of three, as for ours: the machine is shared
        start = time.perf_counter()
        for readings in rows:  # the baseline is a per-row library: looping is the point of the comparison
            aqi.to_aqi(readings, algo=aqi.ALGO_MEP)
        per_row = max(per_row, len(rows) / (time.perf_counter() - start))
        start = time.perf_counter()
        for name, value in values:
            aqi.to_iaqi(name, value, algo=aqi.ALGO_MEP)
        per_value = max(per_value, len(values) / (time.perf_counter() - start))
    return {"per_row": per_row, "per_value": per_value, "values_per_row": len(values) / len(rows)}


def _best_of_five(frame: pl.DataFrame) -> float:
    best = float("inf")
    for _ in range(5):  # best of five: the machine is shared
        start = time.perf_counter()
        result = realtime_aqi(frame)
        best = min(best, time.perf_counter() - start)
    assert result.height == frame.height
    return best


def part_aqi(rows: int, sample: int) -> dict[str, float]:
    stations = 1000
    hours = rows // stations
    # Two sets of the same size: hours under HJ 633-2026 (in force since 2026-03-01: inputs rounded per
    # GB/T 8170 first) and hours under HJ 633-2012 (the edition python-aqi implements).
    current = synthetic_hours(stations, hours, start=datetime(2026, 3, 1, 1))
    older = synthetic_hours(stations, hours, start=datetime(2025, 1, 1, 1))
    # Warm-up, untimed: compile the kernel (or load it from Numba's cache), build the look-up tables, and
    # run each set once at full size (the first full-size run of a process pays for fresh memory).
    realtime_aqi(current)
    realtime_aqi(older)
    seconds_2026 = _best_of_five(current)
    seconds_2012 = _best_of_five(older)
    start = time.perf_counter()
    with_aqi(older, kind="realtime").collect()
    polars_seconds = time.perf_counter() - start
    theirs = python_aqi_rates(older.head(sample))
    return {
        "rows": older.height,
        "seconds_2026": seconds_2026,
        "seconds_2012": seconds_2012,
        "rows_per_s": older.height / max(seconds_2026, seconds_2012),
        "polars_rows_per_s": older.height / polars_seconds,
        "python_aqi_rows_per_s": theirs["per_row"],
        "python_aqi_values_per_s": theirs["per_value"],
        "values_per_row": theirs["values_per_row"],
    }


def part_annual(stations: int, hours: int) -> dict[str, float]:
    hourly = synthetic_hours(stations, hours)
    start = time.perf_counter()
    daily = daily_aqi(daily_statistics(hourly))
    after_daily = time.perf_counter()
    annual = annual_evaluation(daily, year=2025)
    end = time.perf_counter()
    assert annual.height == stations
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": hourly.height,
        "station_days": daily.height,
        "daily_seconds": after_daily - start,
        "annual_seconds": end - after_daily,
        "seconds": end - start,
        "peak_rss_mib": peak_kib / 1024,
    }


def _load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in averages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--part", choices=["all", "aqi", "annual"], default="all", help="all (default), aqi: part 1 only"
    )
    parser.add_argument("--stations", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    hours = 8760
    if args.part == "annual":
        print(json.dumps(part_annual(args.stations, hours)))
        return 0
    rows, sample, stations = (50_000, 2_000, 20) if args.quick else (5_000_000, 20_000, 2_000)

    load_before = os.getloadavg()
    figures_aqi = part_aqi(rows, sample)
    load_after = os.getloadavg()
    engine = "compiled (Numba)" if fused.available() else "NumPy"
    n = figures_aqi["rows"]
    ratio = figures_aqi["rows_per_s"] / figures_aqi["python_aqi_rows_per_s"]
    per_value_rows = figures_aqi["python_aqi_values_per_s"] / figures_aqi["values_per_row"]
    print(
        f"real-time AQI, {n:,} station-hours (6 pollutants each; IAQIs, AQI, category, primary mask):\n"
        f"  ours, {engine} kernel (best of 5): HJ 633-2026 hours {figures_aqi['seconds_2026']:.3f} s "
        f"({n / figures_aqi['seconds_2026']:,.0f} rows/s), HJ 633-2012 hours "
        f"{figures_aqi['seconds_2012']:.3f} s ({n / figures_aqi['seconds_2012']:,.0f} rows/s); "
        f"Polars expressions (with_aqi): {figures_aqi['polars_rows_per_s']:,.0f} rows/s\n"
        f"  python-aqi 0.6.1 on {sample:,} rows (best of 3): per row (to_aqi, 6 values) "
        f"{figures_aqi['python_aqi_rows_per_s']:,.0f} rows/s; per pollutant (to_iaqi) "
        f"{figures_aqi['python_aqi_values_per_s']:,.0f} values/s = {per_value_rows:,.0f} rows/s\n"
        f"  ratio against the per-row baseline: HJ 633-2012 hours "
        f"{n / figures_aqi['seconds_2012'] / figures_aqi['python_aqi_rows_per_s']:,.0f}x, HJ 633-2026 hours "
        f"{n / figures_aqi['seconds_2026'] / figures_aqi['python_aqi_rows_per_s']:,.0f}x; headline (slower "
        f"edition) {ratio:,.0f}x (against per-pollutant: {figures_aqi['rows_per_s'] / per_value_rows:,.0f}x; "
        "goal >= 1,000x)\n"
        f"  load average (1/5/15 min, {os.cpu_count()} CPUs; other work on the machine slows both sides): "
        f"before {_load(load_before)}, after {_load(load_after)}"
    )
    if args.part == "aqi":
        return 0
    child = subprocess.run(
        [sys.executable, __file__, "--part", "annual", "--stations", str(stations)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return 1
    figures = json.loads(child.stdout)
    print(
        f"daily + annual, {stations:,} stations x {hours:,} h = {figures['rows']:,} rows "
        f"({figures['station_days']:,} station-days): {figures['seconds']:.1f} s "
        f"(daily {figures['daily_seconds']:.1f} s, annual {figures['annual_seconds']:.1f} s), "
        f"peak RSS {figures['peak_rss_mib']:,.0f} MiB incl. the generated input (goal < 60 s, << 24 GiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
