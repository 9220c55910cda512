"""Benchmark: single-factor water classification of many samples, against a per-row Python baseline.

Run: ``.venv/bin/python bench/water.py`` (10 million samples) or ``--quick`` (200 000, a few seconds).
``--all-items`` fills all 23 item columns instead of the 8 of a typical automatic station plus lab set.

The baseline is a plain per-row Python classifier (a loop over dict rows: class and main pollutants) timed
on a sample in the same run (best of ``--repeat`` runs for both sides); the two implementations are compared
on that sample and the benchmark fails if they disagree. Peak memory is the highest resident set size
sampled while the vectorised classification runs (Linux /proc), next to the size of the input frame.
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from envplan.standards.water import ITEM_BY_CODE, ITEMS, classify_samples
from tests.pure.water.reference import classify_row

STATION_ITEMS = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn")
# Value ranges (clean end, polluted end): each row draws one pollution level, skewed towards clean water as in
# real monitoring (most samples I-III), and each item varies around it, so items of a row move together.
RANGES: dict[str, tuple[float, float]] = {
    "do": (10.0, 1.0),
    "codmn": (1.0, 20.0),
    "cod": (5.0, 55.0),
    "bod5": (0.5, 14.0),
    "nh3n": (0.02, 3.5),
    "tp": (0.005, 0.6),
    "tn": (0.1, 4.0),
    "fecal_coliform": (50.0, 60000.0),
}


def _uniform(seed: int) -> pl.Expr:
    """Deterministic uniform [0, 1) per row from a hash of the row index (no numpy needed)."""
    return (pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed) % (1 << 53)).cast(pl.Float64) / float(1 << 53)


def make_samples(rows: int, items: tuple[str, ...]) -> pl.DataFrame:
    level = _uniform(7) ** 2.5
    columns: list[pl.Expr] = [
        (pl.lit("S") + (pl.int_range(pl.len()) % 500).cast(pl.String)).alias("monitoring_section"),
        pl.when(_uniform(1) < 0.3).then(pl.lit("lake")).otherwise(pl.lit("river")).alias("waterbody"),
    ]
    for index, code in enumerate(items):
        jitter = 0.5 + _uniform(100 + index)
        if code == "ph":
            value = 6.8 + 1.2 * _uniform(100 + index) + 3.0 * level * (_uniform(150) - 0.4)
        else:
            item = ITEM_BY_CODE[code]
            clean, polluted = RANGES.get(code, (0.0, 1.5 * (item.limits or (1, 1, 1, 1, 1))[4]))
            value = clean + (polluted - clean) * pl.min_horizontal(pl.lit(1.0), level * jitter)
        # About 5 % of the values are missing (not measured).
        columns.append(pl.when(_uniform(200 + index) >= 0.05).then(value).alias(code))
    frame = pl.select(pl.repeat(0, rows).alias("_")).select(columns)
    return frame.with_columns(pl.col("waterbody").cast(pl.Enum(["river", "lake"])))


def baseline_classify(records: Sequence[Mapping[str, object]]) -> list[tuple[str | None, list[str]]]:
    """Per-row classifier written the obvious way (the test suite's oracle), for comparison."""
    return [classify_row(record) for record in records]


@contextmanager
def peak_rss() -> Iterator[dict[str, int]]:
    """Sample VmRSS every 5 ms while the block runs; yields a dict filled with before/peak in bytes."""
    result = {"before": _rss(), "peak": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak"] = max(result["peak"], _rss())
            stop.wait(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result["peak"] = max(result["peak"], _rss())


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="200 000 rows, 20 000 baseline rows")
    parser.add_argument("--all-items", action="store_true", help="all 23 item columns")
    parser.add_argument("--repeat", type=int, default=2, help="best of N timings for both (default 2)")
    args = parser.parse_args(argv)
    rows = 200_000 if args.quick else args.rows
    baseline_rows = min(20_000 if args.quick else args.baseline_rows, rows)
    items = tuple(item.code for item in ITEMS) if args.all_items else STATION_ITEMS

    started = time.perf_counter()
    samples = make_samples(rows, items)
    generated = time.perf_counter() - started
    size = samples.estimated_size() / 2**20
    print(f"generated {rows:,} samples x {len(items)} items in {generated:.1f} s ({size:,.0f} MiB in memory)")

    sample = samples.head(baseline_rows)
    records = sample.with_columns(pl.col("waterbody").cast(pl.String)).to_dicts()
    baseline_seconds = float("inf")
    for _ in range(args.repeat):  # best of N: the machine may be shared
        started = time.perf_counter()
        expected = baseline_classify(records)
        baseline_seconds = min(baseline_seconds, time.perf_counter() - started)
    check = classify_samples(sample).select(pl.col("class").cast(pl.String), "main_pollutants").rows()
    mismatches = sum(1 for got, want in zip(check, expected, strict=True) if (got[0], got[1]) != want)
    baseline_rate = baseline_rows / baseline_seconds
    print(f"baseline (per-row Python): {baseline_rows:,} rows in {baseline_seconds:.2f} s", end=" ")
    print(f"= {baseline_rate:,.0f} rows/s")
    print(f"disagreements between baseline and vectorised on those rows: {mismatches}")
    if mismatches:
        return 1

    classify_samples(samples.head(1000))  # warm-up: first-call costs are not throughput
    with peak_rss() as memory:
        seconds = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = classify_samples(samples)
            seconds = min(seconds, time.perf_counter() - started)
            del result
    result = classify_samples(samples.head(baseline_rows))
    rate = rows / seconds
    worse = result.get_column("class").cast(pl.String).value_counts(sort=True)
    print(f"vectorised (Polars): {rows:,} rows in {seconds:.2f} s = {rate:,.0f} rows/s")
    peak, before = memory["peak"] / 2**20, memory["before"] / 2**20
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS during classification {peak:,.0f} MiB (before {before:,.0f} MiB);", end=" ")
    print(f"process max {max_rss:,.0f} MiB")
    print(f"ratio vectorised / baseline: {rate / baseline_rate:,.1f}x")
    print(f"class distribution of the first {baseline_rows:,} rows:", dict(worse.iter_rows()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
