"""Air quality: HJ 633 AQI (2012 and 2026 editions), GB 3095 validity, HJ 663 annual evaluation.

Pure functions over Polars frames; see each module for the frame schemas. `with_aqi` is the one AQI
engine (a compiled kernel, `kernel`) behind every command and page.
"""

from envplan.standards.air.aqi import MissingPolicy, RealtimeRule, with_aqi
from envplan.standards.air.cnemc import read_cnemc, read_cnemc_text
from envplan.standards.air.rounding import gbt8170_round
from envplan.standards.air.stats import (
    ANNUAL_ITEMS,
    annual_evaluation,
    belongs_to_day,
    city_daily,
    city_hourly,
    daily_aqi,
    daily_statistics,
    percentile_expr,
)
from envplan.standards.air.tables import CATEGORIES, Category, category_of, limit
from envplan.standards.air.validate import Validated, read_air_csv, validate_air_frame

__all__ = [
    "ANNUAL_ITEMS",
    "CATEGORIES",
    "Category",
    "MissingPolicy",
    "RealtimeRule",
    "Validated",
    "annual_evaluation",
    "belongs_to_day",
    "category_of",
    "city_daily",
    "city_hourly",
    "daily_aqi",
    "daily_statistics",
    "gbt8170_round",
    "limit",
    "percentile_expr",
    "read_air_csv",
    "read_cnemc",
    "read_cnemc_text",
    "validate_air_frame",
    "with_aqi",
]
