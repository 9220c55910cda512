"""The test oracle: HJ 633 IAQI and AQI written as Polars expressions, independently of the compiled kernel.

This was the production path before the kernel served every command and page; it stays here only as the
reference the kernel is checked against (`test_air_kernel.py`). It takes the frames `with_aqi` takes and
adds the same columns (schema in `envplan.standards.air.aqi`), and it reads the standard's tables only:
the options are the plain words of the command line, not the engine's enums.
"""

from __future__ import annotations

import itertools
from typing import Literal

import polars as pl

from envplan.standards.air import tables as hj633
from envplan.standards.air.rounding import gbt8170_round
from envplan.standards.versions import AqiEdition, aqi_edition_expr

Kind = Literal["realtime", "daily"]
Rule = Literal["practice", "text"]  # HJ 633-2012 real-time: what CNEMC published, or the text
Missing = Literal["available", "blank"]  # HJ 633-2012 with an indicator missing: index the rest, or none


# The exact value of an index segment is a fraction with denominator (BP_hi - BP_lo) x 1000 <= 1,140,000
# (NO2 1-h, 1200-2340) once C is quantised to thousandths, so a non-integer IAQI lies at least 8.7e-7 above
# the integer below it, while float64 error on values <= 500 stays under 1e-12. Subtracting 1e-9 before
# the ceiling therefore gives the exact "round up" of HJ 633 (60.000000000001 -> 60, 51.25 -> 52).
_CEILING_EPSILON = 1e-9
_QUANTUM_DECIMALS = 3  # inputs are used to the thousandth (published data carry at most one decimal)


def iaqi_expr(concentration: pl.Expr, breakpoints: hj633.Breakpoints) -> pl.Expr:
    """IAQI of one indicator, rounded up (HJ 633-2012 §6.2, HJ 633-2026 §4.2.6), as Int64.

    IAQI = (IAQI_hi - IAQI_lo) / (BP_hi - BP_lo) * (C - BP_lo) + IAQI_lo with BP_lo < C <= BP_hi; the
    segments are continuous. Above a fully defined table the IAQI is capped at 500; above a partly defined
    one (SO2 1-h, O3 8-h) it is null and the caller applies the edition's rule. Negative C gives null.
    """
    c = concentration.round(_QUANTUM_DECIMALS)
    defined = [
        (level, bp) for level, bp in zip(hj633.IAQI_LEVELS, breakpoints, strict=True) if bp is not None
    ]
    top = float(hj633.IAQI_CAP) if len(defined) == len(hj633.IAQI_LEVELS) else None
    result: pl.Expr = pl.lit(top, dtype=pl.Float64)
    # Built from the top segment down so that the first segment with C <= BP_hi wins.
    for (level_lo, bp_lo), (level_hi, bp_hi) in reversed(list(itertools.pairwise(defined))):
        slope = (level_hi - level_lo) / (bp_hi - bp_lo)
        result = pl.when(c <= bp_hi).then(level_lo + (c - bp_lo) * slope).otherwise(result)
    ceiling = (result - _CEILING_EPSILON).ceil().clip(lower_bound=0)
    return pl.when(c >= 0).then(ceiling).cast(pl.Int64)  # null or negative C: no index


def category_expr(aqi: pl.Expr) -> pl.Expr:
    """Category level 1-6 of an AQI (HJ 633-2012 Table 2 / HJ 633-2026 Table 1); null stays null."""
    level = pl.lit(1, dtype=pl.Int8)
    for category in hj633.CATEGORIES[:-1]:
        assert category.aqi_max is not None
        level = level + (aqi > category.aqi_max).cast(pl.Int8)
    return level


def primary_expr(aqi: pl.Expr, iaqi: dict[str, pl.Expr]) -> pl.Expr:
    """Primary pollutants: the codes whose IAQI equals an AQI above 50, ties all count (HJ 633 §4)."""
    parts = [pl.when(iaqi[code] == aqi).then(pl.lit(code)) for code in hj633.POLLUTANTS]
    joined = pl.concat_str(parts, separator=";", ignore_nulls=True)
    return pl.when(aqi > hj633.PRIMARY_ABOVE).then(joined).otherwise(None)


class _Rows:
    """Per-row or fixed edition choice, so that a fixed edition builds no per-row branches."""

    def __init__(self, fixed: AqiEdition | None) -> None:
        self.fixed = fixed

    def pick(self, for_2026: pl.Expr, for_2012: pl.Expr) -> pl.Expr:
        if self.fixed is AqiEdition.HJ633_2026:
            return for_2026
        if self.fixed is AqiEdition.HJ633_2012:
            return for_2012
        return pl.when(pl.col("edition") == str(AqiEdition.HJ633_2026)).then(for_2026).otherwise(for_2012)

    def has(self, edition: AqiEdition) -> bool:
        return self.fixed is None or self.fixed is edition


def reference_aqi(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    kind: Kind,
    edition: str = "auto",
    realtime_rule: Rule = "practice",
    missing: Missing = "available",
) -> pl.LazyFrame:
    """`with_aqi` of the frame, in four stages (inputs, indices, AQI, labels) so that every index is
    evaluated once. `edition` is `auto` (each row the edition of the day it belongs to) or an edition."""
    lazy = frame.lazy()
    columns = set(lazy.collect_schema().names())
    text_rule = realtime_rule == "text"
    fixed = None if str(edition) == "auto" else AqiEdition(str(edition))
    rows = _Rows(fixed)
    if kind == "realtime":
        belongs_to = (pl.col("time").cast(pl.Datetime) - pl.duration(hours=1)).dt.date()
    else:
        belongs_to = pl.col("time").cast(pl.Date)
    lazy = lazy.with_columns(aqi_edition_expr(belongs_to, edition).alias("edition"))

    def source(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64) if name in columns else pl.lit(None, dtype=pl.Float64)

    def conc(name: str, name_2012: str | None = None) -> pl.Expr:
        """Input of an index: HJ 633-2026 §4.2.2/§4.2.3 round inputs per GB/T 8170 (CO one decimal)."""
        rounded = (
            gbt8170_round(source(name), 1 if name.startswith("co") else 0)
            if rows.has(AqiEdition.HJ633_2026)
            else None
        )
        plain = source(name_2012 or name)
        return rows.pick(rounded, plain) if rounded is not None else plain

    # Stage 1: inputs.
    if kind == "realtime":
        pm_2012 = "_24h" if text_rule else ""  # HJ 633-2012 text: PM from the 24-h moving means
        inputs = {
            "pm25": conc("pm25", "pm25" + pm_2012),
            "pm10": conc("pm10", "pm10" + pm_2012),
            "so2": conc("so2"),
            "so2_24h": conc("so2_24h"),
            "no2": conc("no2"),
            "co": conc("co"),
            "o3": conc("o3"),
            "o3_8h": conc("o3_8h"),
        }
    else:
        inputs = {name: conc(name) for name in ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h")}
    lazy = lazy.with_columns([expr.alias(f"_c_{name}") for name, expr in inputs.items()])
    c = {name: pl.col(f"_c_{name}") for name in inputs}
    none = pl.lit(None, dtype=pl.Int64)

    # Stage 2: indices.
    def pm(name: str, column: str) -> pl.Expr:
        per_edition = {
            ed: iaqi_expr(c[name], hj633.BREAKPOINTS[ed][column]) for ed in AqiEdition if rows.has(ed)
        }
        if len(per_edition) == 1:
            return next(iter(per_edition.values()))
        return rows.pick(per_edition[AqiEdition.HJ633_2026], per_edition[AqiEdition.HJ633_2012])

    bp = hj633.BREAKPOINTS[AqiEdition.HJ633_2012]  # identical to 2026 except PM10/PM2.5
    indices: dict[str, pl.Expr] = {"pm25": pm("pm25", "PM25_24h"), "pm10": pm("pm10", "PM10_24h")}
    if kind == "realtime":
        # Table 1 note of each edition: SO2 1-h above 800 -> 2012: the 24-h mean's IAQI; 2026: 200.
        above = rows.pick(
            pl.lit(hj633.SO2_1H_ABOVE_TABLE_IAQI_2026, dtype=pl.Int64), iaqi_expr(c["so2_24h"], bp["SO2_24h"])
        )
        indices["so2"] = (
            pl.when(c["so2"] > hj633.SO2_1H_THRESHOLD)
            .then(above)
            .otherwise(iaqi_expr(c["so2"], bp["SO2_1h"]))
        )
        indices["no2"] = iaqi_expr(c["no2"], bp["NO2_1h"])
        indices["co"] = iaqi_expr(c["co"], bp["CO_1h"])
        indices["o3_1h"] = iaqi_expr(c["o3"], bp["O3_1h"])
        required = [c["so2"], c["no2"], c["co"], c["o3"], c["pm25"], c["pm10"]]
        if text_rule and rows.has(AqiEdition.HJ633_2012):
            # HJ 633-2012 text: the O3 8-h moving mean is indexed too; above 800 the 1-h index stands.
            o3_8h = (
                pl.when(c["o3_8h"] > hj633.O3_8H_THRESHOLD)
                .then(none)
                .otherwise(iaqi_expr(c["o3_8h"], bp["O3_8h"]))
            )
            indices["o3_8h"] = rows.pick(none, o3_8h)
            required_2012 = [*required, c["o3_8h"]]
        else:
            indices["o3_8h"] = none
            required_2012 = required
    else:
        indices["so2"] = iaqi_expr(c["so2"], bp["SO2_24h"])
        indices["no2"] = iaqi_expr(c["no2"], bp["NO2_24h"])
        indices["co"] = iaqi_expr(c["co"], bp["CO_24h"])
        # HJ 633-2012 §5.1: the daily report also indexes the O3 daily max 1-h; HJ 633-2026 §5.1 does not.
        indices["o3_1h"] = rows.pick(none, iaqi_expr(c["o3_1h"], bp["O3_1h"]))
        o3_8h_index = iaqi_expr(c["o3_8h"], bp["O3_8h"])
        # O3 8-h above 800: 2026 counts 300; 2012 leaves it to the 1-h index.
        above8 = rows.pick(pl.lit(hj633.O3_8H_ABOVE_TABLE_IAQI_2026, dtype=pl.Int64), none)
        indices["o3_8h"] = pl.when(c["o3_8h"] > hj633.O3_8H_THRESHOLD).then(above8).otherwise(o3_8h_index)
        required = [c["pm25"], c["pm10"], c["so2"], c["no2"], c["co"], c["o3_8h"]]
        required_2012 = [*required, c["o3_1h"]]
    missing_2026 = pl.any_horizontal([r.is_null() for r in required])
    missing_2012 = pl.any_horizontal([r.is_null() for r in required_2012])
    lazy = lazy.with_columns(
        *[expr.alias(f"iaqi_{name}") for name, expr in indices.items()],
        rows.pick(missing_2026, missing_2012).alias("_missing"),
    )

    # Stage 3: AQI and publication.
    iaqi_names = ["iaqi_pm25", "iaqi_pm10", "iaqi_so2", "iaqi_no2", "iaqi_co", "iaqi_o3_1h", "iaqi_o3_8h"]
    lazy = lazy.with_columns(
        pl.max_horizontal("iaqi_o3_1h", "iaqi_o3_8h").alias("iaqi_o3"),
        pl.max_horizontal(iaqi_names).alias("_raw_aqi"),
    )
    missing_any = pl.col("_missing") | pl.col("iaqi_so2").is_null()
    # HJ 633-2026 §5.3.1: with a pollutant missing, the AQI is published only when it exceeds 100.
    publish_2026 = ~missing_any | (pl.col("_raw_aqi") > hj633.PUBLISH_WITH_MISSING_ABOVE_2026)
    publish_2012 = ~missing_any if missing == "blank" else pl.lit(True)
    lazy = lazy.with_columns(
        pl.when(rows.pick(publish_2026, publish_2012)).then(pl.col("_raw_aqi")).otherwise(none).alias("aqi")
    )

    # Stage 4: labels.
    iaqi = {code: pl.col(f"iaqi_{code}") for code in hj633.POLLUTANTS}
    lazy = lazy.with_columns(
        category_expr(pl.col("aqi")).alias("category"),
        primary_expr(pl.col("aqi"), iaqi).alias("primary"),
    )
    # The published pollutants in the standard's order, then the two O3 indices the O3 one is the larger of.
    order = [f"iaqi_{code}" for code in hj633.POLLUTANTS] + ["iaqi_o3_1h", "iaqi_o3_8h"]
    temporary = [f"_c_{name}" for name in inputs] + ["_missing", "_raw_aqi"]
    kept = [name for name in lazy.collect_schema().names() if name not in temporary and name not in order]
    head = [name for name in kept if name not in ("aqi", "category", "primary")]
    return lazy.select(*head, *order, "aqi", "category", "primary")
