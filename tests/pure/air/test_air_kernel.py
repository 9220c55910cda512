"""The AQI engine (`with_aqi`, compiled kernel) gives exactly what the Polars-expression oracle gives, for
both kinds, both editions, both real-time rules and both missing-value policies, on generated rows."""

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.standards.air import with_aqi
from envplan.standards.versions import AqiEdition
from tests.pure.air.reference import reference_aqi

REALTIME_TOPS = {
    "pm25": 600,
    "pm10": 700,
    "so2": 1000,
    "no2": 4000,
    "co": 170,
    "o3": 1300,
    "so2_24h": 3000,
    "pm25_24h": 600,
    "pm10_24h": 700,
    "o3_8h": 1000,
}
DAILY_TOPS = {"pm25": 600, "pm10": 700, "so2": 3000, "no2": 1000, "co": 70, "o3_8h": 1000, "o3_1h": 1300}


def _value(top: int) -> st.SearchStrategy[float | None]:
    thousandths = st.integers(min_value=-2, max_value=top * 1000).map(lambda q: q / 1000)
    halves = st.integers(min_value=0, max_value=top * 2).map(lambda h: h / 2)  # ties for GB/T 8170
    return st.one_of(st.none(), thousandths, halves, st.integers(min_value=0, max_value=top).map(float))


def _rows(tops: dict[str, int]) -> st.SearchStrategy[dict[str, float | None]]:
    return st.fixed_dictionaries(
        {"offset": st.integers(min_value=-30, max_value=30), **{k: _value(v) for k, v in tops.items()}}
    )


def _frame(data: list[dict[str, float | None]], kind: str) -> pl.DataFrame:
    """Rows around the change of edition: hours from 2026-03-01 01:00, days from 2026-03-01."""
    tops = REALTIME_TOPS if kind == "realtime" else DAILY_TOPS
    if kind == "realtime":
        times: list[date] = [datetime(2026, 3, 1, 1) + timedelta(hours=int(r["offset"] or 0)) for r in data]
    else:
        times = [date(2026, 3, 1) + timedelta(days=int(r["offset"] or 0)) for r in data]
    columns = {k: [row[k] for row in data] for k in tops}
    return pl.DataFrame({"station_code": ["S"] * len(data), "time": times, **columns}).with_columns(
        [pl.col(k).cast(pl.Float64) for k in tops]
    )


def _both(frame: pl.DataFrame, **options: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    ours = with_aqi(frame, **options)  # type: ignore[arg-type]
    expected = reference_aqi(frame, **options).collect()  # type: ignore[arg-type]
    assert ours.schema == expected.schema
    return ours.to_dicts(), expected.to_dicts()


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(_rows(REALTIME_TOPS), min_size=1, max_size=40),
    edition=st.sampled_from(["auto", "HJ633-2012", "HJ633-2026"]),
    rule=st.sampled_from(["practice", "text"]),
    missing=st.sampled_from(["available", "blank"]),
)
def test_kernel_realtime_equals_the_oracle(data, edition, rule, missing):
    frame = _frame(data, "realtime")

    ours, expected = _both(frame, kind="realtime", edition=edition, realtime_rule=rule, missing=missing)

    assert ours == expected


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(_rows(DAILY_TOPS), min_size=1, max_size=40),
    edition=st.sampled_from(["auto", "HJ633-2012", "HJ633-2026"]),
    missing=st.sampled_from(["available", "blank"]),
)
def test_kernel_daily_equals_the_oracle(data, edition, missing):
    frame = _frame(data, "daily")

    ours, expected = _both(frame, kind="daily", edition=edition, missing=missing)

    assert ours == expected


@pytest.mark.parametrize("edition", list(AqiEdition))
@pytest.mark.parametrize(("kind", "column"), [("realtime", "no2"), ("daily", "so2"), ("daily", "co")])
def test_kernel_exact_on_a_stride_through_every_thousandth(edition, kind, column):
    top = {"no2": 3_840_001, "so2": 2_620_001, "co": 60_001}[column]
    values = [q / 1000 for q in range(0, top, 997)]  # a stride through every segment
    time = datetime(2025, 1, 1, 1) if kind == "realtime" else date(2025, 1, 1)
    frame = pl.DataFrame({"time": [time] * len(values), column: values})

    ours, expected = _both(frame, kind=kind, edition=str(edition))

    assert ours == expected


def test_kernel_pm25_35_001_rounds_up_to_51():
    frame = pl.DataFrame({"time": [datetime(2025, 1, 1, 1)], "pm25": [35.001]})

    result = with_aqi(frame, kind="realtime", edition="HJ633-2012")

    assert result.get_column("iaqi_pm25").to_list() == [51]


def test_kernel_nan_counts_as_missing():
    frame = pl.DataFrame({"time": [date(2026, 6, 1)] * 2, "pm25": [float("nan"), 36.0]})

    result = with_aqi(frame, kind="daily")

    assert result.select("iaqi_pm25", "aqi").rows() == [(None, None), (52, None)]


def _large_frame(rows: int) -> pl.DataFrame:
    """Generated hours over many kernel blocks: nulls, negatives, values just above each table top, and
    times on both sides of 2026-03-01 (blocks of one edition and blocks whose edition changes row by row)."""
    data: list[dict[str, float | None]] = []
    for h in range(rows):
        row: dict[str, float | None] = {"offset": (-20 if h < 4500 else 20) if h < 12500 else h % 61 - 30}
        for i, (k, top) in enumerate(REALTIME_TOPS.items()):
            pick = (h * 7919 + i * 104729) % 1009
            if pick == 0:
                row[k] = None
            elif pick < 3:
                row[k] = -0.5
            elif pick < 6:
                row[k] = top + pick - 4.0  # at, 1 and 2 units above the top of the table
            else:
                row[k] = (
                    ((h * 31 + i * 17) % (top * 1000 + 1)) / 1000 if pick % 2 else float(pick % (top + 1))
                )
        data.append(row)
    return _frame(data, "realtime")


@pytest.mark.parametrize("missing", ["available", "blank"])
@pytest.mark.parametrize("skip", [0, 5])
def test_kernel_over_many_blocks_and_a_sliced_frame_equals_the_oracle(missing, skip):
    frame = _large_frame(5 * 4096 + 1003).slice(skip)

    ours, expected = _both(frame, kind="realtime", missing=missing)

    assert ours == expected


def _fresh_process(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A new interpreter that computes one AQI with Numba's cache messages on (NUMBA_DEBUG_CACHE)."""
    script = (
        "import datetime, polars as pl\n"
        "from envplan.standards.air import with_aqi\n"
        "frame = pl.DataFrame({'time': [datetime.datetime(2025, 1, 1, 1)], 'pm25': [36.0]})\n"
        "aqi = with_aqi(frame, kind='realtime')['aqi'][0]\n"
        "from envplan.standards.air import compiled\n"
        "print(compiled.CACHE_FOLDER, aqi)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | environment
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, check=True
    )


def test_kernel_cache_is_written_once_to_the_user_cache_folder_and_then_loaded(tmp_path: Path):
    environment = {"XDG_CACHE_HOME": str(tmp_path), "NUMBA_DEBUG_CACHE": "1"}

    first = _fresh_process(environment)
    second = _fresh_process(environment)

    folder = tmp_path / "envplan" / "numba"
    assert first.stdout.splitlines()[-1] == f"{folder} 52"
    assert "data saved" in first.stdout
    assert second.stdout.splitlines()[-1] == f"{folder} 52"
    assert ("data saved" in second.stdout, "data loaded" in second.stdout) == (False, True)


def test_kernel_without_a_writable_cache_folder_compiles_in_memory(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")

    result = _fresh_process({"XDG_CACHE_HOME": str(blocked)})

    assert result.stdout.splitlines()[-1] == "None 52"
