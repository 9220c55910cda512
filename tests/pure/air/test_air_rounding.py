"""GB/T 8170 half-to-even rounding without binary-float errors."""

import polars as pl
import pytest

from envplan.standards.air import gbt8170_round


def _round(values: list[float], decimals: int) -> list[float]:
    return pl.DataFrame({"x": values}).select(gbt8170_round(pl.col("x"), decimals)).get_column("x").to_list()


def test_gbt8170_round_half_goes_to_even_integer():
    assert _round([34.5, 35.5, 0.5, 1.5, 2.5, 34.51, 34.49], 0) == [34.0, 36.0, 0.0, 2.0, 2.0, 35.0, 34.0]


def test_gbt8170_round_mean_of_binary_fractions_uses_the_decimal_value():
    # (0.1 + 0.2) / 2 is 0.15000000000000002 in binary; the decimal 0.15 rounds half-even to 0.2,
    # 0.25 to 0.2 and 0.35 to 0.4 (Python's round(0.35, 1) gives 0.3 because 0.35 is 0.34999… in binary).
    assert _round([(0.1 + 0.2) / 2, 0.25, 0.35, 2.45, 2.55], 1) == [0.2, 0.2, 0.4, 2.4, 2.6]


def test_gbt8170_round_just_below_half_stays_down():
    assert _round([34.4999, 0.2499], 0) == [34.0, 0.0]


def test_gbt8170_round_keeps_nulls_and_rejects_bad_decimals():
    assert _round([None], 0) == [None]  # type: ignore[list-item]
    with pytest.raises(ValueError, match="decimals"):
        gbt8170_round(pl.col("x"), 7)
