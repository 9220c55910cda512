"""Figures from the air standards, each with its source.

Breakpoints: HJ 633-2012 Table 1 and HJ 633-2026 Table 3 (identical except the IAQI-100 row of PM10 and
PM2.5). Categories and colours: HJ 633-2012 Table 2 / Annex A, HJ 633-2026 Table 1 / Annex A. Limits:
GB 3095-2012 Table 1 and GB 3095-2026 Table 1 (transitional and final columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from envplan.standards.versions import AqiEdition, LimitSet

# HJ 633-2012 Table 1 / HJ 633-2026 Table 3: the IAQI value of each breakpoint row.
IAQI_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2026 §4.1.1: the AQI range ends at 500; above the top row both editions are silent, we cap at 500.
IAQI_CAP = 500

Breakpoints = tuple[float | None, ...]

# HJ 633-2012 Table 1. Units: µg/m³, CO mg/m³. None = row not defined for that column.
_BP_2012: dict[str, Breakpoints] = {
    "SO2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1h": (0, 150, 500, 650, 800, None, None, None),  # > 800: see SO2_1H_ABOVE_TABLE
    "NO2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8h": (0, 100, 160, 215, 265, 800, None, None),  # > 800: see O3_8H_ABOVE_TABLE
    "PM25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}
# HJ 633-2026 Table 3: only PM10 (150 -> 120) and PM2.5 (75 -> 60) at IAQI 100 differ from 2012.
_BP_2026: dict[str, Breakpoints] = {
    **_BP_2012,
    "PM10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
    "PM25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
}
BREAKPOINTS: dict[AqiEdition, dict[str, Breakpoints]] = {
    AqiEdition.HJ633_2012: _BP_2012,
    AqiEdition.HJ633_2026: _BP_2026,
}

# Table 1 note of each edition: SO2 1-h above 800 µg/m³ and O3 8-h above 800 µg/m³.
SO2_1H_THRESHOLD = 800
O3_8H_THRESHOLD = 800
# HJ 633-2026 Table 3 notes: SO2 1-h > 800 counts as IAQI 200; O3 8-h > 800 counts as IAQI 300.
# (HJ 633-2012: use the SO2 24-h IAQI, respectively the O3 1-h IAQI, instead.)
SO2_1H_ABOVE_TABLE_IAQI_2026 = 200
O3_8H_ABOVE_TABLE_IAQI_2026 = 300

# HJ 633-2026 §5.3.1: with a pollutant missing, the AQI is published only when it exceeds 100.
PUBLISH_WITH_MISSING_ABOVE_2026 = 100

# HJ 633 §4 (both editions): a primary pollutant exists only when AQI > 50.
PRIMARY_ABOVE = 50

# Pollutant codes in output order (the order of `primary`).
POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")


@dataclass(frozen=True, slots=True)
class Category:
    level: int
    aqi_min: int
    aqi_max: int | None
    name_zh: str
    name_en: str
    name_fr: str
    colour_zh: str
    colour_en: str
    rgb: tuple[int, int, int]


# HJ 633-2012 Table 2 + Annex A = HJ 633-2026 Table 1 + Annex A (2026 starts the first band at 1).
# English and French names are conventional translations, not part of the standard.
CATEGORIES: tuple[Category, ...] = (
    Category(1, 0, 50, "优", "Excellent", "Excellent", "绿色", "green", (0, 228, 0)),
    Category(2, 51, 100, "良", "Good", "Bon", "黄色", "yellow", (255, 255, 0)),
    Category(
        3, 101, 150, "轻度污染", "Lightly polluted", "Légèrement pollué", "橙色", "orange", (255, 126, 0)
    ),
    Category(4, 151, 200, "中度污染", "Moderately polluted", "Modérément pollué", "红色", "red", (255, 0, 0)),
    Category(5, 201, 300, "重度污染", "Heavily polluted", "Fortement pollué", "紫色", "purple", (153, 0, 76)),
    Category(
        6, 301, None, "严重污染", "Severely polluted", "Gravement pollué", "褐红色", "maroon", (126, 0, 35)
    ),
)


def category_of(aqi: int) -> Category:
    """The category of one AQI value (for labels; frames use `category_expr`)."""
    for category in CATEGORIES:
        if category.aqi_max is None or aqi <= category.aqi_max:
            return category
    raise AssertionError("unreachable: the last category is open-ended")


# GB 3095 Table 1 limits, grade II unless `grade=1`. Keys: (pollutant code, averaging).
# Averaging: "annual", "24h", "1h", "8h" (daily max 8-h). Units: µg/m³, CO mg/m³.
_LIMITS_2012: dict[tuple[str, str], tuple[float, float]] = {  # GB 3095-2012 Table 1 (grade I, grade II)
    ("so2", "annual"): (20, 60),
    ("so2", "24h"): (50, 150),
    ("so2", "1h"): (150, 500),
    ("no2", "annual"): (40, 40),
    ("no2", "24h"): (80, 80),
    ("no2", "1h"): (200, 200),
    ("co", "24h"): (4, 4),
    ("co", "1h"): (10, 10),
    ("o3", "8h"): (100, 160),
    ("o3", "1h"): (160, 200),
    ("pm10", "annual"): (40, 70),
    ("pm10", "24h"): (50, 150),
    ("pm25", "annual"): (15, 35),
    ("pm25", "24h"): (35, 75),
}
_LIMITS_2026_TRANSITIONAL: dict[
    tuple[str, str], tuple[float, float]
] = {  # GB 3095-2026 Table 1, transitional
    **_LIMITS_2012,
    ("pm10", "annual"): (40, 60),
    ("pm10", "24h"): (50, 120),
    ("pm25", "annual"): (15, 30),
    ("pm25", "24h"): (35, 60),
}
_LIMITS_2026_FINAL: dict[tuple[str, str], tuple[float, float]] = {  # GB 3095-2026 Table 1, from 2031-01-01
    **_LIMITS_2012,
    ("so2", "annual"): (20, 20),
    ("so2", "24h"): (50, 50),
    ("so2", "1h"): (150, 150),
    ("no2", "annual"): (30, 30),
    ("no2", "24h"): (50, 50),
    ("pm10", "annual"): (20, 50),
    ("pm10", "24h"): (50, 100),
    ("pm25", "annual"): (10, 25),
    ("pm25", "24h"): (25, 50),
}
LIMITS: dict[LimitSet, dict[tuple[str, str], tuple[float, float]]] = {
    LimitSet.GB3095_2012: _LIMITS_2012,
    LimitSet.GB3095_2026_TRANSITIONAL: _LIMITS_2026_TRANSITIONAL,
    LimitSet.GB3095_2026: _LIMITS_2026_FINAL,
}


def limit(limit_set: LimitSet, pollutant: str, averaging: str, *, grade: int = 2) -> float:
    """One concentration limit of GB 3095 (grade 1 or 2)."""
    grade1, grade2 = LIMITS[limit_set][(pollutant, averaging)]
    return grade1 if grade == 1 else grade2


# GB 3095-2012/2026 Table 4: data-validity minimums.
MIN_HOURS_PER_DAY = 20  # 24-h / daily mean: at least 20 hourly means
MIN_HOURS_PER_8H = 6  # 8-h moving mean: at least 6 hourly means in the 8 h
MIN_DAYS_PER_YEAR = 324  # annual mean: at least 324 daily means per year ...
MIN_DAYS_PER_MONTH = 27  # ... and at least 27 per month ...
MIN_DAYS_IN_FEBRUARY = 25  # ... (February: 25)
# HJ 663 §6.1.2: the daily max 8-h needs 14 valid 8-h means among those ending 08:00-24:00 of the day,
# unless it exceeds the limit.
MIN_VALID_8H_WINDOWS = 14
