"""Heavy-pollution weather warnings (重污染天气预警): levels from a forecast of daily AQI, and lifting.

Pure: no Django, no clock. Rules are data (``rules``), the national editions of 2018 and 2024 are in
code with their documents, and regional files add stricter local triggers (``regional``).
"""

from envplan.standards.emergency.assess import Assessment, Run, assess, earliest_lift, is_clean, may_lift
from envplan.standards.emergency.forecast import Forecast, ForecastError, read_forecast_csv
from envplan.standards.emergency.regional import (
    RegionalRules,
    RuleFileError,
    load_rules_file,
    parse_rules,
    rules_for,
    with_regional,
)
from envplan.standards.emergency.rules import (
    GUIDANCE_2018,
    GUIDANCE_2024,
    GUIDANCE_2024_EFFECTIVE,
    NATIONAL_EDITIONS,
    Clause,
    Comparison,
    Condition,
    Level,
    Rule,
    RuleSet,
    edition_for,
)

__all__ = [
    "GUIDANCE_2018",
    "GUIDANCE_2024",
    "GUIDANCE_2024_EFFECTIVE",
    "NATIONAL_EDITIONS",
    "Assessment",
    "Clause",
    "Comparison",
    "Condition",
    "Forecast",
    "ForecastError",
    "Level",
    "RegionalRules",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "Run",
    "assess",
    "earliest_lift",
    "edition_for",
    "is_clean",
    "load_rules_file",
    "may_lift",
    "parse_rules",
    "read_forecast_csv",
    "rules_for",
    "with_regional",
]
