"""IAQI and AQI (HJ 633-2012 and HJ 633-2026), real-time (hourly) and daily reports: the AQI engine.

`with_aqi` is envplan's one AQI engine: `envplan air aqi|daily|annual`, the daily evaluation of imported
hours and the station pages all call it, and it runs the compiled kernel of `kernel` (exact integer
arithmetic, one pass over the rows on all the CPUs the process may use).

Input frames (documented schema; missing = null, and NaN counts as missing too):
* real-time: `time` (Datetime, end of the hour, China Standard Time), 1-hour means `pm25 pm10 so2 no2 co o3`;
  optional `so2_24h` (for the 2012 SO2 > 800 rule), `pm25_24h pm10_24h o3_8h` (moving means, 2012 text rule).
* daily: `time` (Date), 24-hour means `pm25 pm10 so2 no2 co`, `o3_8h` (daily max 8-h), `o3_1h` (daily max 1-h,
  2012 only).
CO in mg/m³, the others in µg/m³.

Output columns added: `edition`, `iaqi_pm25 … iaqi_o3` (O3 = the larger of `iaqi_o3_1h`, `iaqi_o3_8h`),
`aqi`, `category` (1-6), `primary` (codes `pm25;pm10;so2;no2;co;o3`, null when AQI <= 50 or not published).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

import numpy as np
import polars as pl

from envplan.standards.air import kernel
from envplan.standards.versions import AIR_2026_EFFECTIVE, AqiEdition

Kind = Literal["realtime", "daily"]


class RealtimeRule(StrEnum):
    """HJ 633-2012 real-time rule: what CNEMC published (`practice`) or the text of the standard (`text`)."""

    PRACTICE = "practice"  # PM 1-h against the 24-h columns, no O3 8-h (= HJ 633-2026 §4.2.4)
    TEXT = "text"  # PM 24-h moving means, plus the O3 8-h moving mean (HJ 633-2012 §5.2, Table 4)


class MissingPolicy(StrEnum):
    """HJ 633-2012 is silent on missing pollutants; CNEMC practice changed between 2018 and 2022."""

    AVAILABLE = "available"  # AQI from the pollutants present (2017-2018 releases)
    BLANK = "blank"  # no AQI when an indicator is missing (2022 release)


# Output columns in their order (the kernel computes `iaqi_o3` last).
IAQI_COLUMNS: tuple[str, ...] = (
    "iaqi_pm25",
    "iaqi_pm10",
    "iaqi_so2",
    "iaqi_no2",
    "iaqi_co",
    "iaqi_o3",
    "iaqi_o3_1h",
    "iaqi_o3_8h",
)
_EDITIONS = pl.Series("edition", [str(AqiEdition.HJ633_2012), str(AqiEdition.HJ633_2026)], dtype=pl.String)
_PRIMARY = pl.Series("primary", kernel.primary_texts(), dtype=pl.String)


def _editions(
    frame: pl.DataFrame, kind: Kind, time_column: str, edition: AqiEdition | str
) -> tuple[kernel.EditionArray, AqiEdition | None]:
    """The edition of each row (0 = 2012, 1 = 2026) and the edition of all rows when they share one.

    A daily row follows its date, an hourly row the day of the hour it ends (2026-03-01 00:00 still
    belongs to 28 February, under HJ 633-2012); a row without a time counts as HJ 633-2012."""
    rows = frame.height
    if str(edition) != "auto":
        fixed = AqiEdition(str(edition))
        return np.full(rows, fixed is AqiEdition.HJ633_2026, dtype=np.uint8), fixed
    times = frame.get_column(time_column)
    first: date | datetime
    if kind == "daily":
        times = times.cast(pl.Date)
        first = AIR_2026_EFFECTIVE
    else:
        if isinstance(times.dtype, pl.Datetime) and times.dtype.time_zone is not None:
            times = times.dt.replace_time_zone(None)  # the wall-clock time of the label
        times = times.cast(pl.Datetime("us"))
        first = datetime(AIR_2026_EFFECTIVE.year, AIR_2026_EFFECTIVE.month, AIR_2026_EFFECTIVE.day, 1)
    if rows and times.null_count() == 0:
        # Decided from the first and last rows where they can be: most frames lie on one side.
        if times.min() >= first:  # type: ignore[operator]  # a date or naive datetime (cast above)
            return np.ones(rows, dtype=np.uint8), AqiEdition.HJ633_2026
        if times.max() < first:  # type: ignore[operator]  # a date or naive datetime (cast above)
            return np.zeros(rows, dtype=np.uint8), AqiEdition.HJ633_2012
    flags = (times >= first).fill_null(False).cast(pl.UInt8).to_numpy()
    if rows and (flags == flags[0]).all():
        return flags, list(AqiEdition)[int(flags[0])]
    return flags, None if rows else AqiEdition.HJ633_2012


def _floats(frame: pl.DataFrame, name: str | None) -> kernel.FloatArray | None:
    """A column as float64 with NaN for nulls (None when the frame has no such column)."""
    if name is None or name not in frame.columns:
        return None
    series = frame.get_column(name)
    if series.dtype != pl.Float64:
        series = series.cast(pl.Float64)
    if series.null_count():
        series = series.fill_null(float("nan"))
    values: kernel.FloatArray = series.to_numpy()
    return values


def _inputs(
    frame: pl.DataFrame, rules: kernel.Rules, editions: kernel.EditionArray, single: AqiEdition | None
) -> list[kernel.FloatArray | None]:
    """One float64 array per kernel slot, from the column each edition takes (the HJ 633-2012 text rule
    takes the PM 24-h means where HJ 633-2026 takes the 1-h values)."""
    inputs: list[kernel.FloatArray | None] = []
    for old, new in rules.sources:
        if single is not None:
            inputs.append(_floats(frame, new if single is AqiEdition.HJ633_2026 else old))
        elif old is None or new is None or old == new:
            inputs.append(_floats(frame, old or new))
        else:
            old_values, new_values = _floats(frame, old), _floats(frame, new)
            nothing = np.full(frame.height, np.nan)
            chosen = np.where(
                editions.astype(np.bool_),
                nothing if new_values is None else new_values,
                nothing if old_values is None else old_values,
            )
            inputs.append(chosen)
    return inputs


def with_aqi(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    kind: Kind,
    edition: AqiEdition | str = "auto",
    realtime_rule: RealtimeRule | str = RealtimeRule.PRACTICE,
    missing: MissingPolicy | str = MissingPolicy.AVAILABLE,
    time_column: str = "time",
) -> pl.DataFrame:
    """The frame with `edition`, `iaqi_*`, `aqi`, `category`, `primary` (replacing columns of those names).

    With `edition="auto"` each row follows the date it belongs to: a daily row its date, an hourly row the
    day of the hour it ends (so 2026-03-01 00:00 is still evaluated with HJ 633-2012).
    `realtime_rule` and `missing` only affect HJ 633-2012 rows.
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    text_rule = RealtimeRule(str(realtime_rule)) is RealtimeRule.TEXT
    policy = MissingPolicy(str(missing))
    editions, single = _editions(data, kind, time_column, edition)
    rules = kernel.rules_for(kind, text_rule)
    result = kernel.compute(
        _inputs(data, rules, editions, single),
        editions=editions,
        rules=rules,
        blank=policy is MissingPolicy.BLANK,
        aux=_floats(data, "so2_24h") if kind == "realtime" else None,
    )
    computed = pl.DataFrame(
        {name: result.iaqi[k] for k, name in enumerate(kernel.OUTPUTS)}
        | {"aqi": result.aqi, "category": result.category, "primary": result.primary}
    )
    nullable = [*IAQI_COLUMNS, "aqi"]
    computed = computed.select(
        *[pl.when(pl.col(name) >= 0).then(pl.col(name).cast(pl.Int64)).alias(name) for name in nullable],
        pl.when(pl.col("category") > 0).then(pl.col("category")).alias("category"),
        pl.lit(_PRIMARY).gather(pl.col("primary").cast(pl.UInt32)).alias("primary"),
    )
    if single is not None:
        edition_column = pl.lit(str(single), dtype=pl.String)
    else:
        edition_column = pl.lit(_EDITIONS.gather(pl.Series(editions, dtype=pl.UInt32)))
    replaced = [name for name in (*IAQI_COLUMNS, "aqi", "category", "primary") if name in data.columns]
    head = data.drop(replaced).with_columns(edition_column.alias("edition"))
    return pl.concat([head, computed], how="horizontal")
