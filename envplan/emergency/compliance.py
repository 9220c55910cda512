"""Did the listed enterprises cut during an alert? Vectorised with Polars over HJ 212 hourly data.

Emissions. For each logger hour (HJ 212 CN 2061) and pollutant, the mass emitted is the hour's ``Cou``
(kg) where the logger sent it; otherwise the mean concentration (``Avg``, mg/m³) times the flue-gas volume
of the hour: the ``Cou`` of a00000 (m³), or its ``Avg`` (m³/s) × 3600 (HJ 212-2017 Table B.2 units).
Only hours flagged N or T (or sent without a flag) are measurements; an hour flagged F (stopped) is an
hour without emissions; other flags (maintenance, calibration, fault...) are not data (HJ 212-2017
Table 8). Two loggers on one outlet are not added: the larger value of the hour is kept.

An enterprise hour counts for a pollutant when every outlet of the enterprise that reported the pollutant
during the alert has the hour: an hour seen on one stack of two would look like a cut.

Compliance. Each hour takes the level in force (the alert's notices, in order). The baseline rate is the
listed annual emission over the enterprise's operating hours; the allowed mass is the baseline rate less
the cut the enterprise owes at the hour's level, summed over the counted hours. An enterprise complies
for a pollutant when it emitted no more than it was allowed. Lines stopped from a level must not emit:
an outlet all of whose lines are stopped at the hour's level and that shows emissions is a finding.
Enterprises that owe a cut or a stop but have no counted hour are listed as without data.

Frames in and out (time columns are Datetime("ms", "Asia/Shanghai") as in the lake):

* hourly: the lake's hourly rows (mn, time, code2017, field, value, flag[, generated]);
* devices: mn, outlet_id, enterprise_id;
* periods: start, end, level (yellow|orange|red), ordered, not overlapping;
* baselines: enterprise_id, pollutant, rate (kg/h);
* cuts: enterprise_id, level, cut (% of baseline owed at the level);
* stops: enterprise_id, outlet_id, stop_rank (1 yellow, 2 orange, 3 red: stopped from that level up).
"""

from __future__ import annotations

import polars as pl

POLLUTANTS: dict[str, str] = {  # HJ 212-2017 Table B.2 code -> pollutant
    "a21026": "so2",
    "a21002": "nox",
    "a34013": "pm",
    "a24088": "vocs",  # non-methane hydrocarbons, the VOCs measured online
}
FLOW = "a00000"
MEASURED = ("N", "T")
STOPPED = "F"
LEVEL_RANKS = {"yellow": 1, "orange": 2, "red": 3}
TIME = pl.Datetime("ms", "Asia/Shanghai")

EMISSIONS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "enterprise_id": pl.Int64,
    "outlet_id": pl.Int64,
    "time": TIME,
    "pollutant": pl.Utf8,
    "kg": pl.Float64,
    "stopped": pl.Boolean,
    "generated": pl.Boolean,
}


def hourly_emissions(hourly: pl.DataFrame, *, devices: pl.DataFrame) -> pl.DataFrame:
    """enterprise_id, outlet_id, time, pollutant, kg, stopped (hour flagged F), generated."""
    if hourly.height == 0 or devices.height == 0:
        return pl.DataFrame(schema=EMISSIONS_SCHEMA)
    generated = pl.col("generated").fill_null(False) if "generated" in hourly.columns else pl.lit(False)
    rows = hourly.select(
        "mn", "time", "code2017", "field", "value", "flag", generated.alias("generated")
    ).join(devices.select("mn", "outlet_id", "enterprise_id"), on="mn", how="inner")
    usable = pl.col("flag").is_null() | pl.col("flag").is_in([*MEASURED, STOPPED])
    flow = (
        rows.filter((pl.col("code2017") == FLOW) & usable & pl.col("field").is_in(["Cou", "Avg"]))
        .with_columns(
            pl.when(pl.col("field") == "Cou")
            .then(pl.col("value"))
            .otherwise(pl.col("value") * 3600)
            .alias("m3"),
            (pl.col("field") == "Cou").alias("is_cou"),
        )
        .sort("is_cou", descending=True)
        .unique(["mn", "time"], keep="first")
        .select("mn", "time", "m3")
    )
    pollutant = rows.filter(pl.col("code2017").is_in(list(POLLUTANTS)) & usable).with_columns(
        pl.col("code2017").replace_strict(POLLUTANTS, return_dtype=pl.Utf8).alias("pollutant")
    )
    cou = pollutant.filter(pl.col("field") == "Cou").select(
        "mn", "time", "pollutant", pl.col("value").alias("cou"), pl.col("flag").alias("cou_flag")
    )
    avg = pollutant.filter(pl.col("field") == "Avg").select(
        "mn", "outlet_id", "enterprise_id", "time", "pollutant", "value", "flag", "generated"
    )
    keys = pollutant.select("mn", "outlet_id", "enterprise_id", "time", "pollutant", "generated").unique(
        ["mn", "time", "pollutant"], keep="first"
    )
    joined = (
        keys.join(cou, on=["mn", "time", "pollutant"], how="left")
        .join(
            avg.select("mn", "time", "pollutant", "value", "flag"), on=["mn", "time", "pollutant"], how="left"
        )
        .join(flow, on=["mn", "time"], how="left")
        .with_columns(pl.coalesce("cou_flag", "flag").alias("flag"))
        .with_columns(
            (pl.col("flag") == STOPPED).fill_null(False).alias("stopped"),
            pl.coalesce(pl.col("cou"), pl.col("value") * pl.col("m3") / 1e6).alias("kg"),
        )
        .with_columns(pl.when(pl.col("stopped")).then(0.0).otherwise(pl.col("kg")).alias("kg"))
        .filter(pl.col("kg").is_not_null())
    )
    return (
        joined.group_by("enterprise_id", "outlet_id", "time", "pollutant")
        .agg(pl.col("kg").max(), pl.col("stopped").all(), pl.col("generated").any())
        .select(list(EMISSIONS_SCHEMA))
        .cast(EMISSIONS_SCHEMA)  # type: ignore[arg-type]  # polars accepts a schema mapping here
        .sort("enterprise_id", "pollutant", "time", "outlet_id")
    )


def with_levels(emissions: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """The emissions of hours inside the alert, each with the level in force (level, rank)."""
    if emissions.height == 0 or periods.height == 0:
        return emissions.with_columns(
            pl.lit(None, pl.Utf8).alias("level"), pl.lit(None, pl.Int64).alias("rank")
        ).head(0)
    spans = (
        periods.select(pl.col("start").cast(TIME), pl.col("end").cast(TIME), "level")
        .with_columns(pl.col("level").replace_strict(LEVEL_RANKS, return_dtype=pl.Int64).alias("rank"))
        .sort("start")
    )
    return (
        emissions.sort("time")
        .join_asof(spans, left_on="time", right_on="start", strategy="backward")
        .filter(pl.col("start").is_not_null() & (pl.col("time") < pl.col("end")))
        .drop("start", "end")
    )


def counted_hours(leveled: pl.DataFrame) -> pl.DataFrame:
    """Enterprise hours per pollutant where every reporting outlet of the enterprise has the hour, with
    the enterprise's mass of the hour: enterprise_id, pollutant, time, level, rank, kg."""
    outlets = leveled.group_by("enterprise_id", "pollutant").agg(
        pl.col("outlet_id").n_unique().alias("outlets")
    )
    return (
        leveled.group_by("enterprise_id", "pollutant", "time", "level", "rank")
        .agg(pl.col("kg").sum(), pl.col("outlet_id").n_unique().alias("reporting"))
        .join(outlets, on=["enterprise_id", "pollutant"])
        .filter(pl.col("reporting") == pl.col("outlets"))
        .drop("reporting", "outlets")
    )


RESULT_SCHEMA = {
    "enterprise_id": pl.Int64,
    "pollutant": pl.Utf8,
    "hours": pl.Int64,
    "emitted_kg": pl.Float64,
    "baseline_kg": pl.Float64,
    "allowed_kg": pl.Float64,
    "cut_required": pl.Float64,
    "cut_achieved": pl.Float64,
    "compliant": pl.Boolean,
}


def pollutant_results(leveled: pl.DataFrame, *, baselines: pl.DataFrame, cuts: pl.DataFrame) -> pl.DataFrame:
    """Per enterprise and pollutant with a baseline: counted hours, emitted, baseline and allowed mass (kg),
    the cut owed and the cut reached (% of baseline over those hours), and whether it complied."""
    hours = counted_hours(leveled)
    if hours.height == 0 or baselines.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    owed = cuts.select("enterprise_id", "level", pl.col("cut").cast(pl.Float64))
    return (
        hours.join(baselines.select("enterprise_id", "pollutant", "rate"), on=["enterprise_id", "pollutant"])
        .join(owed, on=["enterprise_id", "level"], how="left")
        .with_columns(pl.col("cut").fill_null(0.0))
        .group_by("enterprise_id", "pollutant")
        .agg(
            pl.len().cast(pl.Int64).alias("hours"),
            pl.col("kg").sum().alias("emitted_kg"),
            pl.col("rate").sum().alias("baseline_kg"),
            (pl.col("rate") * (1 - pl.col("cut") / 100)).sum().alias("allowed_kg"),
        )
        .with_columns(
            pl.when(pl.col("baseline_kg") > 0)
            .then((1 - pl.col("allowed_kg") / pl.col("baseline_kg")) * 100)
            .otherwise(0.0)
            .alias("cut_required"),
            pl.when(pl.col("baseline_kg") > 0)
            .then((1 - pl.col("emitted_kg") / pl.col("baseline_kg")) * 100)
            .otherwise(None)
            .alias("cut_achieved"),
            (pl.col("emitted_kg") <= pl.col("allowed_kg") + 1e-9).alias("compliant"),
        )
        .select(list(RESULT_SCHEMA))
        .sort("enterprise_id", "pollutant")
    )


def stopped_outlets_emitting(leveled: pl.DataFrame, *, stops: pl.DataFrame) -> pl.DataFrame:
    """enterprise_id, outlet_id, hours, kg: outlets whose lines were all stopped at the hour's level but
    that emitted in those hours."""
    if leveled.height == 0 or stops.height == 0:
        return pl.DataFrame(
            schema={"enterprise_id": pl.Int64, "outlet_id": pl.Int64, "hours": pl.Int64, "kg": pl.Float64}
        )
    return (
        leveled.join(stops.select("outlet_id", "stop_rank"), on="outlet_id")
        .filter((pl.col("rank") >= pl.col("stop_rank")) & ~pl.col("stopped") & (pl.col("kg") > 0))
        .group_by("enterprise_id", "outlet_id")
        .agg(pl.col("time").n_unique().cast(pl.Int64).alias("hours"), pl.col("kg").sum())
        .sort("enterprise_id", "outlet_id")
    )


def totals(results: pl.DataFrame) -> pl.DataFrame:
    """Per pollutant over the enterprises with data: baseline, allowed and emitted mass, cuts in %."""
    return (
        results.group_by("pollutant")
        .agg(
            pl.col("enterprise_id").n_unique().cast(pl.Int64).alias("enterprises"),
            pl.col("baseline_kg").sum(),
            pl.col("allowed_kg").sum(),
            pl.col("emitted_kg").sum(),
        )
        .with_columns(
            ((1 - pl.col("allowed_kg") / pl.col("baseline_kg")) * 100).alias("cut_required"),
            ((1 - pl.col("emitted_kg") / pl.col("baseline_kg")) * 100).alias("cut_achieved"),
        )
        .sort(
            pl.col("pollutant").replace_strict({p: i for i, p in enumerate(POLLUTANTS.values())}, default=99)
        )
    )
