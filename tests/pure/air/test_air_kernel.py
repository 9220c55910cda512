"""The NumPy real-time kernel gives exactly what `with_aqi` gives (practice rule), on generated hours."""

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.standards.air import fused, with_aqi
from envplan.standards.air.kernel import (
    iaqi_table,
    is_2026_mask,
    primary_text,
    realtime_aqi,
    realtime_aqi_arrays,
    realtime_aqi_blocked,
)
from envplan.standards.versions import AqiEdition

COMPARED = [
    "iaqi_pm25",
    "iaqi_pm10",
    "iaqi_so2",
    "iaqi_no2",
    "iaqi_co",
    "iaqi_o3",
    "aqi",
    "category",
    "primary",
]
TOPS = {"pm25": 600, "pm10": 700, "so2": 1000, "no2": 4000, "co": 170, "o3": 1300, "so2_24h": 3000}


def _value(top: int) -> st.SearchStrategy[float | None]:
    thousandths = st.integers(min_value=-2, max_value=top * 1000).map(lambda q: q / 1000)
    halves = st.integers(min_value=0, max_value=top * 2).map(lambda h: h / 2)  # ties for GB/T 8170
    return st.one_of(st.none(), thousandths, halves, st.integers(min_value=0, max_value=top).map(float))


ENGINES = ["numpy", "numba"] if fused.available() else ["numpy"]

rows = st.fixed_dictionaries(
    {"hour": st.integers(min_value=-30, max_value=30), **{k: _value(v) for k, v in TOPS.items()}}
)


def _frame(data: list[dict[str, float | None]]) -> pl.DataFrame:
    start = datetime(2026, 3, 1, 1)
    times = [start + timedelta(hours=int(row["hour"] or 0)) for row in data]
    columns = {k: [row[k] for row in data] for k in TOPS}
    return pl.DataFrame({"station_code": ["S"] * len(data), "time": times, **columns}).with_columns(
        [pl.col(k).cast(pl.Float64) for k in TOPS]
    )


def _compare(
    frame: pl.DataFrame, edition: str, missing: str, engine: str = "auto"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    expected = with_aqi(frame, kind="realtime", edition=edition, missing=missing).collect()
    fast = realtime_aqi(frame, edition=edition, missing=missing, engine=engine).with_columns(
        primary_text(pl.col("primary_mask")).alias("primary"),
        pl.col("aqi").cast(pl.Int64),
    )
    ours = fast.select(
        [pl.col(c).cast(expected.schema[c]) for c in COMPARED] + [pl.col("edition").cast(pl.String)]
    )
    return ours, expected.select([*COMPARED, "edition"])


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(rows, min_size=1, max_size=40),
    edition=st.sampled_from(["auto", "HJ633-2012", "HJ633-2026"]),
    missing=st.sampled_from(["available", "blank"]),
    engine=st.sampled_from(ENGINES),
)
def test_kernel_realtime_aqi_equals_with_aqi(data, edition, missing, engine):
    frame = _frame(data)

    ours, expected = _compare(frame, edition, missing, engine)

    assert ours.to_dicts() == expected.to_dicts()


@pytest.mark.parametrize("edition", list(AqiEdition))
def test_kernel_tables_exact_on_every_thousandth_of_no2(edition):
    table = iaqi_table(edition, "NO2_1h")
    q = np.arange(0, 3_840_001, 997)  # a stride through every segment
    frame = pl.DataFrame({"time": [datetime(2025, 1, 1, 1)] * len(q), "no2": q / 1000})

    expected = with_aqi(frame, kind="realtime", edition="HJ633-2012").collect().get_column("iaqi_no2")

    assert table[q].tolist() == expected.to_list()


def test_kernel_pm25_35_001_rounds_up_to_51():
    frame = pl.DataFrame({"time": [datetime(2025, 1, 1, 1)], "pm25": [35.001]})

    result = realtime_aqi(frame, edition="HJ633-2012")

    assert result.get_column("iaqi_pm25").to_list() == [51]


def test_kernel_blocks_on_threads_equal_one_pass():
    frame = _frame(
        [
            {
                "hour": h % 61 - 30,
                **{k: float((h * 37 + i * 11) % (top + 3)) for i, (k, top) in enumerate(TOPS.items())},
            }
            for h in range(500)
        ]
    )
    columns = {k: frame.get_column(k).to_numpy() for k in TOPS}
    is_2026 = is_2026_mask(frame.get_column("time").cast(pl.Datetime("us")).to_numpy())

    whole = realtime_aqi_arrays(columns, is_2026=is_2026)
    blocked = realtime_aqi_blocked(columns, is_2026=is_2026, block_rows=37, threads=2)

    assert {k: v.tolist() for k, v in blocked.items()} == {k: v.tolist() for k, v in whole.items()}


def _large_frame(rows: int) -> pl.DataFrame:
    """Generated hours over several kernel blocks: nulls (Arrow validity), negatives, values just above each
    table top, and times on both sides of 2026-03-01 (blocks of one edition and mixed blocks). No NaN: the
    fast path reads NaN as missing, `with_aqi` as a number above every breakpoint (IAQI 500)."""
    data = []
    for h in range(rows):
        # Rows 0-4499 under HJ 633-2012, 4500-12499 under 2026, then the edition changes row by row.
        row: dict[str, float | None] = {"hour": (-20 if h < 4500 else 20) if h < 12500 else h % 61 - 30}
        for i, (k, top) in enumerate(TOPS.items()):
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
    return _frame(data)


@pytest.mark.skipif(not fused.available(), reason="Numba is not installed")
@pytest.mark.parametrize("missing", ["available", "blank"])
@pytest.mark.parametrize("skip", [0, 5, 8])
def test_kernel_numba_over_many_blocks_and_a_sliced_frame_equals_with_aqi(missing, skip):
    assert fused.BLOCK_ROWS == 4096  # the editions of `_large_frame` give blocks of each kind for this size
    # skip 5: bitmaps read from bit 5 on (bit by bit); 0 and 8: byte by byte, then a tail of 3 or 5 bits.
    frame = _large_frame(3 * fused.BLOCK_ROWS + 1003).slice(skip)

    ours, expected = _compare(frame, "auto", missing, "numba")

    assert ours.to_dicts() == expected.to_dicts()
