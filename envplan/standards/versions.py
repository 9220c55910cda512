"""Which edition of a standard applies on a date.

Air: HJ 633-2026 / GB 3095-2026 / HJ 663-2026 replaced the 2012/2013 editions on 2026-03-01; GB 3095-2026
keeps transitional limits until 2030-12-31 (GB 3095-2026 §4.4). Water and HJ 212 may add their own here.
A date is the date a value *belongs to* (an hourly value labelled 00:00 belongs to the previous day).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import polars as pl

# HJ 633-2026 / GB 3095-2026 / HJ 663-2026: in force from 2026-03-01 (each standard's cover page).
AIR_2026_EFFECTIVE = date(2026, 3, 1)
# GB 3095-2026 §4.4: transitional limits apply until 2030-12-31, final limits from 2031-01-01.
GB3095_2026_TRANSITION_END = date(2030, 12, 31)


class AqiEdition(StrEnum):
    HJ633_2012 = "HJ633-2012"
    HJ633_2026 = "HJ633-2026"


class LimitSet(StrEnum):
    GB3095_2012 = "GB3095-2012"
    GB3095_2026_TRANSITIONAL = "GB3095-2026-transitional"
    GB3095_2026 = "GB3095-2026"


def aqi_edition(on: date, override: AqiEdition | str | None = None) -> AqiEdition:
    """The HJ 633 edition for a value belonging to `on` (or `override` when given)."""
    if override is not None and str(override) != "auto":
        return AqiEdition(str(override))
    return AqiEdition.HJ633_2026 if on >= AIR_2026_EFFECTIVE else AqiEdition.HJ633_2012


def aqi_edition_expr(on: pl.Expr, override: AqiEdition | str | None = None) -> pl.Expr:
    """Vectorised `aqi_edition` over a Date expression; returns a String expression."""
    if override is not None and str(override) != "auto":
        return pl.lit(str(AqiEdition(str(override))), dtype=pl.String)
    return (
        pl.when(on >= pl.lit(AIR_2026_EFFECTIVE))
        .then(pl.lit(str(AqiEdition.HJ633_2026)))
        .otherwise(pl.lit(str(AqiEdition.HJ633_2012)))
    )


def gb3095_limit_set(on: date, override: LimitSet | str | None = None) -> LimitSet:
    """The GB 3095 limit set in force on `on` (or `override`)."""
    if override is not None and str(override) != "auto":
        return LimitSet(str(override))
    if on < AIR_2026_EFFECTIVE:
        return LimitSet.GB3095_2012
    if on <= GB3095_2026_TRANSITION_END:
        return LimitSet.GB3095_2026_TRANSITIONAL
    return LimitSet.GB3095_2026
