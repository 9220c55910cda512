"""Screening of the stored hourly values, vectorised with Polars (no loops over values).

Exceedances
-----------
An hour exceeds when its hourly value is above the outlet's limit for the factor (limits are "not higher
than" values). Which value is compared is the limit's `field`:

* ``ZsAvg``: the concentration converted (折算) to the standard's reference O2. GB 13223-2011 (thermal power
  plants) §5.2 and Table 3 set the limits at 6 % O2 for coal-fired boilers, 3 % for oil- and gas-fired
  boilers and 15 % for gas turbines; the ultra-low emission targets (环发〔2015〕164号: particulate 10,
  SO2 35, NOx 50 mg/m³) are also at 6 % O2. The ZsAvg the logger sent is used; when it sent none, it is
  computed from Avg and the measured O2 (a19001 Avg) of the same hour with HJ 212-2017 Annex D's formula
  C_zs = C × (21 − O2_ref) / (21 − O2_meas) (see ../shared/reference/hj212-and-processes.md, A.13), when the
  limit carries its reference O2.
* any other field (``Avg`` for waste water, GB 8978-1996 and discharge permits): the value as sent.

Only hours flagged N (normal) or T (above the measuring range) count, or hours without a flag: hours
flagged M, C, D, F, S or B (maintenance, calibration, fault, stopped, set by hand, communication) are not
valid monitoring data (HJ 212-2017 Table 8). Consecutive exceeding hours of one outlet and factor form one
event (start = first hour's DataTime, end = last hour's DataTime + 1 h).

Transmission-validity rate
--------------------------
Per enterprise and month: valid hourly values / expected hourly values, in %. Expected: one hourly value
(2061, DataTime = the hour's start, HJ 212-2017 Tables C.16–C.18) per hour of the period for every
(device, factor) pair where the device's outlet has a limit for the factor. Valid: an hourly ``Avg`` of such
a pair received with flag N — for flue gas an hour is N only when ≥ 75 % of its minute values are normal and
needs ≥ 45 minute means (HJ 212-2017 notes to Tables C.16–C.18 and Annex D, digest A.11 and A.13). This is
the usual "传输有效率" = transmission rate × validity rate = (received / expected) × (valid / received).

Flag accounting
---------------
Per enterprise and month: the share of hourly ``Avg`` values per data flag N/F/M/S/D/C/T/B (HJ 212-2017
Table 8); values sent without a flag are counted under "none".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import polars as pl

FLAGS = ("N", "F", "M", "S", "D", "C", "T", "B")
VALID_FOR_SCREENING = ("N", "T")
O2_FACTOR = "a19001"  # HJ 212-2017 Table B.2 / HJ 524-2009: oxygen content
TZ = "Asia/Shanghai"
HOUR = dt.timedelta(hours=1)

LIMITS_SCHEMA = {
    "outlet_id": pl.Int64,
    "factor": pl.Utf8,
    "field": pl.Utf8,
    "limit": pl.Float64,
    "reference_o2": pl.Float64,
}
DEVICES_SCHEMA = {"mn": pl.Utf8, "outlet_id": pl.Int64, "enterprise_id": pl.Int64}


def limits_frame(outlets: Iterable[int] | None = None) -> pl.DataFrame:
    from envplan.sources.models import FactorLimit

    query = FactorLimit.objects.all()
    if outlets is not None:
        query = query.filter(outlet_id__in=list(outlets))
    rows = list(query.values_list("outlet_id", "factor", "field", "limit", "reference_o2"))
    return pl.DataFrame(
        [(o, f, fi, float(li), None if r is None else float(r)) for o, f, fi, li, r in rows],
        schema=LIMITS_SCHEMA,
        orient="row",
    )


def devices_frame(
    outlets: Iterable[int] | None = None, enterprises: Iterable[int] | None = None
) -> pl.DataFrame:
    from envplan.sources.models import Device

    query = Device.objects.all()
    if outlets is not None:
        query = query.filter(outlet_id__in=list(outlets))
    if enterprises is not None:
        query = query.filter(outlet__enterprise_id__in=list(enterprises))
    rows = list(query.values_list("mn", "outlet_id", "outlet__enterprise_id"))
    return pl.DataFrame(rows, schema=DEVICES_SCHEMA, orient="row")


def _generated(frame: pl.DataFrame) -> pl.Expr:
    return pl.col("generated").fill_null(False) if "generated" in frame.columns else pl.lit(False)


def screened_values(hourly: pl.DataFrame, *, devices: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    """One row per (outlet, factor, field, hour) that has a limit: the value compared and the limit."""
    base = hourly.join(devices.select("mn", "outlet_id"), on="mn", how="inner").select(
        "outlet_id",
        "mn",
        "time",
        pl.col("code2017").alias("factor"),
        "field",
        "value",
        "flag",
        _generated(hourly).alias("generated"),
    )
    sent = base.join(limits, on=["outlet_id", "factor", "field"], how="inner").with_columns(
        pl.lit(0).alias("priority")
    )
    # ZsAvg not sent: convert Avg at the measured O2 of the same device and hour (Annex D).
    o2 = base.filter((pl.col("factor") == O2_FACTOR) & (pl.col("field") == "Avg")).select(
        "mn", "time", pl.col("value").alias("o2")
    )
    converted = (
        base.filter(pl.col("field") == "Avg")
        .drop("field")
        .join(
            limits.filter((pl.col("field") == "ZsAvg") & pl.col("reference_o2").is_not_null()),
            on=["outlet_id", "factor"],
            how="inner",
        )
        .join(o2, on=["mn", "time"], how="inner")
        .filter(pl.col("o2") < 21)
        .with_columns(
            (pl.col("value") * (21 - pl.col("reference_o2")) / (21 - pl.col("o2"))).alias("value"),
            pl.lit(1).alias("priority"),
        )
        .drop("o2")
        .select(sent.columns)
    )
    return (
        pl.concat([sent, converted])
        .sort("priority")
        .unique(["mn", "time", "factor", "field"], keep="first", maintain_order=True)
        .filter(pl.col("flag").is_null() | pl.col("flag").is_in(VALID_FOR_SCREENING))
        .group_by("outlet_id", "factor", "field", "time")
        .agg(pl.col("value").max(), pl.col("limit").first(), pl.col("generated").any())
        .sort("outlet_id", "factor", "field", "time")
    )


def exceedance_events(hourly: pl.DataFrame, *, devices: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    """Events of consecutive exceeding hours: outlet_id, factor, field, start, end, max_value, limit, hours,
    generated (any hour made up by the demo)."""
    group = ["outlet_id", "factor", "field"]
    over = (
        screened_values(hourly, devices=devices, limits=limits)
        .filter(pl.col("value") > pl.col("limit"))
        .sort(*group, "time")
    )
    return (
        over.with_columns(
            (pl.col("time").diff().over(group) != pl.duration(hours=1)).fill_null(True).alias("new")
        )
        .with_columns(pl.col("new").cast(pl.Int64).cum_sum().over(group).alias("event"))
        .group_by(*group, "event")
        .agg(
            pl.col("time").min().alias("start"),
            (pl.col("time").max() + pl.duration(hours=1)).alias("end"),
            pl.col("value").max().alias("max_value"),
            pl.col("limit").first(),
            pl.len().cast(pl.Int64).alias("hours"),
            pl.col("generated").any(),
        )
        .drop("event")
        .sort(*group, "start")
    )


def _month(column: str = "time") -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(TZ).dt.truncate("1mo").dt.date().alias("month")


def flag_shares(hourly: pl.DataFrame, *, devices: pl.DataFrame) -> pl.DataFrame:
    """enterprise_id, month, values, and one share column (0-1) per flag of FLAGS plus "none"."""
    avg = hourly.filter(pl.col("field") == "Avg").join(devices.select("mn", "enterprise_id"), on="mn")
    counted = (
        avg.with_columns(_month(), pl.col("flag").fill_null("none"))
        .group_by("enterprise_id", "month", "flag")
        .agg(pl.len().alias("n"))
        .with_columns(pl.col("n").sum().over("enterprise_id", "month").alias("values"))
        .with_columns((pl.col("n") / pl.col("values")).alias("share"))
    )
    columns = [*FLAGS, "none"]
    if counted.height == 0:
        return pl.DataFrame(
            schema={"enterprise_id": pl.Int64, "month": pl.Date, "values": pl.UInt32}
            | {c: pl.Float64 for c in columns}
        )
    wide = counted.pivot("flag", index=["enterprise_id", "month", "values"], values="share")
    return (
        wide.with_columns(
            [pl.col(c).fill_null(0.0) if c in wide.columns else pl.lit(0.0).alias(c) for c in columns]
        )
        .select("enterprise_id", "month", "values", *columns)
        .sort("enterprise_id", "month")
    )


def _utc(moment: dt.datetime) -> pl.Expr:
    return pl.lit(moment.astimezone(dt.UTC)).cast(pl.Datetime("ms", "UTC"))


def month_windows(start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """month (first day), hours of [start, end) falling in it; start and end are aware datetimes."""
    zone = ZoneInfo(TZ)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    months, hours = [], []
    cursor = local_start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while cursor < local_end:
        following = (cursor + dt.timedelta(days=32)).replace(day=1)
        span = min(following, local_end) - max(cursor, local_start)
        months.append(cursor.date())
        hours.append(max(0, int(span.total_seconds() // 3600)))
        cursor = following
    return pl.DataFrame({"month": months, "hours": hours}, schema={"month": pl.Date, "hours": pl.Int64})


def validity_rates(
    hourly: pl.DataFrame,
    *,
    devices: pl.DataFrame,
    limits: pl.DataFrame,
    start: dt.datetime,
    end: dt.datetime,
) -> pl.DataFrame:
    """enterprise_id, month, expected, valid, rate (%, None when nothing was expected); see the module
    docstring for the definition. `hourly` must already be de-duplicated (lake scans are)."""
    pairs = devices.join(limits.select("outlet_id", "factor").unique(), on="outlet_id", how="inner").select(
        "enterprise_id", "mn", "factor"
    )
    windows = month_windows(start, end)
    expected = (
        pairs.group_by("enterprise_id")
        .agg(pl.len().alias("pairs"))
        .join(windows, how="cross")
        .with_columns((pl.col("pairs") * pl.col("hours")).alias("expected"))
        .select("enterprise_id", "month", "expected")
    )
    valid = (
        hourly.filter(
            (pl.col("field") == "Avg")
            & (pl.col("flag") == "N")
            & (pl.col("time").dt.convert_time_zone("UTC") >= _utc(start))
            & (pl.col("time").dt.convert_time_zone("UTC") < _utc(end))
        )
        .join(pairs, left_on=["mn", "code2017"], right_on=["mn", "factor"], how="inner")
        .unique(["mn", "code2017", "time"])
        .with_columns(_month())
        .group_by("enterprise_id", "month")
        .agg(pl.len().cast(pl.Int64).alias("valid"))
    )
    return (
        expected.join(valid, on=["enterprise_id", "month"], how="left")
        .with_columns(pl.col("valid").fill_null(0))
        .with_columns(
            pl.when(pl.col("expected") > 0)
            .then(pl.col("valid") / pl.col("expected") * 100)
            .otherwise(None)
            .alias("rate")
        )
        .sort("enterprise_id", "month")
    )
