"""GB/T 8170 rounding (round half to even) as Polars expressions, free of binary-float errors."""

from __future__ import annotations

import polars as pl

# Values are first quantised to micro-units (1e-6). Concentrations carry at most 3 decimals and our
# statistics (means, interpolated percentiles) add binary noise of order 1e-12, so the quantisation
# recovers the exact decimal value (0.15000000000000002 -> 0.15, 34.49999999999999 -> 34.5) before the
# half-even decision, which is then made in exact integer-valued arithmetic.
_QUANTUM_DIGITS = 6


def gbt8170_round(value: pl.Expr, decimals: int) -> pl.Expr:
    """Round to `decimals` places, half to even (GB/T 8170 "四舍六入五成双"); Float64 result."""
    if not 0 <= decimals <= _QUANTUM_DIGITS:
        raise ValueError(f"decimals must be within 0..{_QUANTUM_DIGITS}")
    # Float arithmetic on integer-valued floats (exact below 2**53) is much faster than Int64 division.
    scaled = (value * 10**_QUANTUM_DIGITS).round(0)
    unit = float(10 ** (_QUANTUM_DIGITS - decimals))
    quotient = (scaled / unit).floor()
    remainder = scaled - quotient * unit
    round_up = (2 * remainder > unit) | ((2 * remainder == unit) & (quotient % 2 == 1))
    # Polars divides by multiplying with the reciprocal (24 / 10 -> 2.4000000000000004); the final round()
    # returns the float nearest to the exact decimal.
    rounded: pl.Expr = ((quotient + round_up.cast(pl.Float64)) / 10**decimals).round(decimals)
    return rounded


# Decimals of published concentrations: µg/m³ to integers, CO (mg/m³) to one decimal
# (HJ 633-2026 §4.2.2/§4.2.3; HJ 663 statistics in the same precision).
DECIMALS: dict[str, int] = {"pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "co": 1, "o3": 0}


def decimals_of(column: str) -> int:
    """Publication decimals of a column named after a pollutant (`co_p95` -> 1, `o3_8h` -> 0)."""
    return DECIMALS[column.split("_")[0]]
