"""The vectorised classifier agrees with a plain per-row reading of GB 3838-2002 on generated samples."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.standards.water import ITEMS, classify_samples
from tests.pure.water.reference import classify_row

CODES = ("ph", "do", "codmn", "nh3n", "tp", "cu", "hg", "f")


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
    rows: list[dict[str, str | float | None]],
) -> None:
    frame = pl.DataFrame(rows, schema={"waterbody": pl.String, **{code: pl.Float64 for code in CODES}})

    result = classify_samples(frame).select(pl.col("class").cast(pl.String), "main_pollutants").rows()

    # Multiples closer than the ranking resolution (1e-6) are not generated apart from exact ties.
    assert [(label, list(main)) for label, main in result] == [classify_row(r) for r in rows]
