"""Done-when of issue 14, on real series: the UCI gas-turbine years with documented manipulations injected
(envplan.screening.evaluation; recipes A-H of the screening reference §4).

Held out: the detectors' parameters were tuned on seeds 1-8 with DEVELOPMENT_MIX (equal recipe weights,
the reference's discrete parameter sets, half of the manipulations stealthy, 5 per series) and with the
same weights at continuous strengths. These tests use other seeds (9001-9003), HELD_OUT_MIX (other
recipe weights, parameters drawn anywhere in the documented ranges, 70 % stealthy, 6 per series) and
other draws of the routine marks. Measured when written: 89.4 % of 132 manipulations found, at most
0.40 false alarms per 1,000 clean hours (CO). The bench (bench/screening.py) reports the same figures
over more seeds.
"""

from __future__ import annotations

import polars as pl
import pytest

from envplan.screening import scan
from envplan.screening.evaluation import (
    HELD_NOX,
    HELD_OUT_MIX,
    NOX,
    Scores,
    benchmark_inputs,
    clean_series,
    limits,
    maintenance,
    readings,
    score,
)
from tests.pure.screening.series import DATA

HELD_OUT_SEEDS = (9001, 9002, 9003)


@pytest.fixture(scope="module")
def held_out() -> list[Scores]:
    results = []
    for seed in HELD_OUT_SEEDS:
        frame, limit_rows, records, truths, series = benchmark_inputs(DATA, seed=seed, mix=HELD_OUT_MIX)
        findings = scan(frame, limits=limit_rows, maintenance=records)
        results.append(score(findings, truths, series))
    return results


def test_benchmark_held_out_manipulations_are_found(held_out: list[Scores]) -> None:
    found = pl.concat([result.found for result in held_out])

    recall = found.get_column("found").mean()

    assert found.height >= 100  # enough manipulations for the share to mean something
    assert isinstance(recall, float)
    assert recall >= 0.8, found.group_by("recipe").agg(pl.col("found").mean()).sort("recipe")


def test_benchmark_held_out_false_alarms_stay_under_one_per_thousand_clean_hours(
    held_out: list[Scores],
) -> None:
    alarms = (
        pl.concat([result.false_alarms for result in held_out])
        .group_by("factor")
        .agg(pl.col("false").sum(), pl.col("clean_hours").sum())
        .with_columns((pl.col("false") / pl.col("clean_hours") * 1000.0).alias("per_1000_hours"))
    )

    assert alarms.height == 5  # NOx, CO, load, flue-gas temperature, O2
    assert alarms.get_column("per_1000_hours").max() <= 1.0, alarms


def test_benchmark_natural_held_nox_run_is_found_as_a_held_value() -> None:
    series = clean_series({2011: _year(2011)}, seed=HELD_OUT_SEEDS[0])
    _, first, last, _ = HELD_NOX

    findings = scan(readings(series), limits=limits(series), maintenance=maintenance(series))

    held = findings.filter((pl.col("detector") == "flat_line") & (pl.col("factor") == NOX))
    assert held.height == 1
    row = held.row(0, named=True)
    start = row["start"].replace(tzinfo=None)
    end = row["end"].replace(tzinfo=None)
    # Rows are hours from 1 January 00:00 (row 1 = 00:00): the run is rows 1337-1438, held at 60.38.
    assert (start.timetuple().tm_yday - 1) * 24 + start.hour == first - 1
    assert (end.timetuple().tm_yday - 1) * 24 + end.hour == last - 1
    assert "held at 60.38" in row["explanation"]
    assert "102 values in a row" in row["explanation"]


def _year(year: int) -> pl.DataFrame:
    return pl.read_csv(DATA / f"gt_{year}.csv")
