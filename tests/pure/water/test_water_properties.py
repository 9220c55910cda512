"""The vectorised classifier agrees with a plain per-row reading of GB 3838-2002 on generated samples."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.standards.water import ITEMS, classify_samples

LABELS = ("I", "II", "III", "IV", "V", "劣V")
CODES = ("ph", "do", "codmn", "nh3n", "tp", "cu", "hg", "f")


def _reference(row: dict[str, Any]) -> tuple[str | None, list[str]]:
    """Per-row oracle: worst class; items worse than III ranked by class, multiple (None last), Table 1."""
    lake = row["waterbody"] == "lake"
    worst = 0
    ranked: list[tuple[int, float, int, str]] = []
    for item in ITEMS:
        value = row.get(item.code)
        if value is None or not item.routine:
            continue
        multiple = -1.0
        if item.direction == "range":
            rank = 1 if 6 <= value <= 9 else 6
        else:
            limits = item.lake_limits if lake and item.lake_limits else item.limits
            assert limits is not None
            inside = [value <= limit if item.direction == "max" else value >= limit for limit in limits]
            rank = inside.index(True) + 1 if any(inside) else 6
            if item.direction == "max" and value > limits[2]:
                multiple = (value - limits[2]) / limits[2]
        worst = max(worst, rank)
        if rank > 3:
            ranked.append((rank, multiple, -item.table_number, item.code))
    ranked.sort(reverse=True)
    return (LABELS[worst - 1] if worst else None), [code for *_, code in ranked[:3]]


# Values drawn around the class limits so that boundaries and shared limits are hit often.
_LIMIT_VALUES = sorted({float(v) for item in ITEMS for v in (item.limits or ()) + (item.lake_limits or ())})
value = st.one_of(
    st.none(),
    st.sampled_from([*_LIMIT_VALUES, 5.9, 6.0, 9.0, 9.1]),
    st.floats(min_value=0, max_value=20, allow_nan=False),
)
row = st.fixed_dictionaries(
    {"waterbody": st.sampled_from(["river", "lake"]), **{code: value for code in CODES}}
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_properties_vectorised_class_and_main_pollutants_match_per_row_reading(
    rows: list[dict[str, Any]],
) -> None:
    frame = pl.DataFrame(rows, schema={"waterbody": pl.String, **{code: pl.Float64 for code in CODES}})

    result = classify_samples(frame).select(pl.col("class").cast(pl.String), "main_pollutants").rows()

    # Multiples closer than the ranking resolution (1e-6) are not generated apart from exact ties.
    assert [(label, list(main)) for label, main in result] == [_reference(r) for r in rows]
