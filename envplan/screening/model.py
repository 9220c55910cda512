"""Schemas, factor roles and data flags shared by the screening detectors.

Readings come in the layout of `envplan readings export` (one value per row):

======  ==============================  ==================================================================
column  type                            meaning
======  ==============================  ==================================================================
mn      String                          data-logger id (one outlet)
kind    String                          realtime / minute / hourly / daily (or rtd / minute / hour / day)
time    Datetime (any zone)             HJ 212 DataTime: the start of the period
factor  String                          factor code as sent (a21002 NOx, a19001 O2, a00000 flow, ...)
field   String                          Avg, ZsAvg, Cou, Rtd, ...; RS for a facility state (SBxxx-RS)
value   Float64                         the number
flag    String (nullable)               HJ 212-2017 Table 8 data flag; empty means normal (N)
======  ==============================  ==================================================================

Findings (:data:`FINDINGS_SCHEMA`) carry the channel (mn, kind, factor, field), the span (`start` and
`end` are the DataTimes of the first and last samples concerned, both included), the detector, a score in
[0, 1], a one-sentence English explanation with the numbers that triggered it, and the same numbers as
JSON (`evidence`) so that an application can write the sentence in another language.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

ZONE: Final = "Asia/Shanghai"  # HJ 212 DataTime is the logger's local time in China
TIME: Final = pl.Datetime("ms", ZONE)

READINGS_SCHEMA: Final = pl.Schema(
    {
        "mn": pl.String(),
        "kind": pl.String(),
        "time": TIME,
        "factor": pl.String(),
        "field": pl.String(),
        "value": pl.Float64(),
        "flag": pl.String(),
    }
)

FINDINGS_SCHEMA: Final = pl.Schema(
    {
        "mn": pl.String(),
        "kind": pl.String(),
        "factor": pl.String(),
        "field": pl.String(),
        "start": TIME,
        "end": TIME,
        "detector": pl.String(),
        "score": pl.Float64(),
        "explanation": pl.String(),
        "points": pl.Int64(),
        "evidence": pl.String(),
    }
)

# Limits: the value of (mn, factor, field) must stay at or below `limit`; `reference_o2` (percent) is the
# reference oxygen of a converted (Zs) concentration, used to recompute the conversion.
LIMITS_SCHEMA: Final = pl.Schema(
    {
        "mn": pl.String(),
        "factor": pl.String(),
        "field": pl.String(),
        "limit": pl.Float64(),
        "reference_o2": pl.Float64(),
    }
)

# Maintenance records kept by the operator (or the inspector's register): a factor of null covers every
# factor of the outlet. `start` and `end` are both included.
MAINTENANCE_SCHEMA: Final = pl.Schema({"mn": pl.String(), "factor": pl.String(), "start": TIME, "end": TIME})

# Outlets and their industry, for the comparison with peers.
OUTLETS_SCHEMA: Final = pl.Schema({"mn": pl.String(), "industry": pl.String()})

# Data flags, HJ 212-2017 Table 8 (P: power failure, HJ/T 212-2005). 0 = no row at that time.
ABSENT: Final = 0
FLAG_CODES: Final[dict[str, int]] = {"N": 1, "F": 2, "M": 3, "S": 4, "D": 5, "C": 6, "T": 7, "B": 8, "P": 9}
OTHER_FLAG: Final = 10
FLAG_NAMES: Final[dict[int, str]] = {code: name for name, code in FLAG_CODES.items()} | {OTHER_FLAG: "?"}
NORMAL: Final = FLAG_CODES["N"]
STOPPED: Final = FLAG_CODES["F"]
MAINTENANCE: Final = FLAG_CODES["M"]
CALIBRATION: Final = FLAG_CODES["C"]
# Marks that take an hour out of compliance use (the flag-misuse detectors count these).
INVALIDATING: Final = frozenset(FLAG_CODES[name] for name in ("F", "M", "S", "D", "C", "T", "B", "P"))
_MARKS: Final = np.zeros(256, dtype=np.bool_)
_MARKS[sorted(INVALIDATING)] = True


def invalidating(flag: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Per slot: does its flag code (:data:`FLAG_CODES`, uint8) carry an invalidating mark? A table
    lookup, several times cheaper than ``np.isin`` over millions of slots."""
    return np.asarray(_MARKS[flag], dtype=np.bool_)


# Facility state SBxxx-RS (HJ 212-2017 Table 4): 0 off, 1 running, 2 calibrating, 3 maintenance, 4 alarm,
# 5 back-flush.
STATE_FIELD: Final = "RS"
STATE_OFF: Final = 0.0

# Roles of factors (HJ 212-2017 Tables B.1/B.2; the letter-prefixed HJ/T 212-2005 codes are unambiguous).
OXYGEN: Final = frozenset({"a19001", "S01"})
FLOW: Final = frozenset({"a00000", "B02", "w00000", "B01", "a01011", "S02"})
TEMPERATURE: Final = frozenset({"a01012", "S03"})
AUXILIARY: Final = frozenset(
    {"a01013", "S08", "a01014", "S05", "a01015", "S06", "a01016", "S07", "a01017", "S04"}
)
WATER_FLOW: Final = frozenset({"w00000", "B01"})

# Fields screened as the measured value of a channel, converted values, and period amounts.
MEASURED_FIELDS: Final = ("Avg", "Rtd")
CONVERTED_FIELDS: Final = ("ZsAvg", "ZsRtd")
AMOUNT_FIELD: Final = "Cou"
KEPT_FIELDS: Final = frozenset({*MEASURED_FIELDS, *CONVERTED_FIELDS, AMOUNT_FIELD, STATE_FIELD})

# Names used in explanations (the code is always given too).
FACTOR_NAMES: Final[dict[str, str]] = {
    "a00000": "flue-gas flow",
    "a01011": "flue-gas velocity",
    "a01012": "flue-gas temperature",
    "a19001": "O2",
    "a21026": "SO2",
    "a21002": "NOx",
    "a21003": "NO",
    "a21004": "NO2",
    "a21005": "CO",
    "a34013": "particulate",
    "a24088": "NMHC",
    "w00000": "water flow",
    "w01001": "pH",
    "w01018": "COD",
    "w21003": "NH3-N",
    "w21011": "total phosphorus",
    "w21001": "total nitrogen",
    "w01012": "SS",
}

# Kind -> sampling step in seconds when the kind says it; other kinds take the commonest gap in the data.
KIND_STEPS: Final[dict[str, int]] = {"hourly": 3600, "daily": 86400}


def role_expression(factor: pl.Expr, field: pl.Expr, load_factors: frozenset[str]) -> pl.Expr:
    """The role of a channel: state, load, oxygen, flow, temperature, auxiliary or pollutant."""
    return (
        pl.when(field == STATE_FIELD)
        .then(pl.lit("state"))
        .when(factor.is_in(sorted(load_factors)))
        .then(pl.lit("load"))
        .when(factor.is_in(sorted(OXYGEN)))
        .then(pl.lit("oxygen"))
        .when(factor.is_in(sorted(FLOW)))
        .then(pl.lit("flow"))
        .when(factor.is_in(sorted(TEMPERATURE)))
        .then(pl.lit("temperature"))
        .when(factor.is_in(sorted(AUXILIARY)))
        .then(pl.lit("auxiliary"))
        .otherwise(pl.lit("pollutant"))
    )


def factor_label(factor: pl.Expr) -> pl.Expr:
    """`NOx (a21002)` for known codes, the code alone otherwise."""
    name = factor.replace_strict(FACTOR_NAMES, default=None, return_dtype=pl.String)
    return pl.when(name.is_null()).then(factor).otherwise(pl.format("{} ({})", name, factor))


def channel_label() -> pl.Expr:
    """`NOx (a21002) Avg`: a channel's factor and field, for explanations."""
    return pl.format("{} {}", factor_label(pl.col("factor")), pl.col("field"))


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)
