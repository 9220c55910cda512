"""GB 3838-2002 Table 1 limits and the vocabulary of the 2011 evaluation method.

Figures are carried over from GB 3838-2002 Table 1 (地表水环境质量标准基本项目标准限值); which items are
routine and which are reference items comes from the 2011 method (地表水环境质量评价办法（试行）,
环办〔2011〕22号). Item codes are the column names of the water CSV format (see ``envplan.standards.water``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

Direction = Literal["range", "min", "max"]
Waterbody = Literal["river", "lake"]

#: Class labels, best to worst. ASCII Roman numerals; "劣V" = worse than class V (GB 3838-2002 §4).
CLASS_LABELS: Final[tuple[str, ...]] = ("I", "II", "III", "IV", "V", "劣V")
#: Polars dtype of every ``class`` column; the physical order is the quality order, so ``max`` = worst.
WATER_CLASS: Final = pl.Enum(list(CLASS_LABELS))
#: Rank of a class label: I = 1 … V = 5, 劣V = 6.
CLASS_RANK: Final[dict[str, int]] = {label: rank for rank, label in enumerate(CLASS_LABELS, start=1)}
WORSE_THAN_V: Final = 6
CLASS_III: Final = 3

WATERBODY: Final = pl.Enum(["river", "lake"])


@dataclass(frozen=True, slots=True)
class Item:
    """One GB 3838-2002 Table 1 basic item.

    ``limits`` are the class I…V limits; for ``max`` items a value belongs to the best class whose limit it
    does not exceed, for ``min`` (DO) to the best class whose limit it reaches. ``lake_limits`` replaces
    ``limits`` for lakes and reservoirs (TP only). ``waterbodies`` lists where the item has a limit at all.
    """

    code: str
    table_number: int
    name_cn: str
    name_en: str
    unit: str
    direction: Direction
    limits: tuple[float, float, float, float, float] | None
    routine: bool
    lake_limits: tuple[float, float, float, float, float] | None = None
    waterbodies: tuple[Waterbody, ...] = ("river", "lake")

    def limits_for(self, waterbody: Waterbody) -> tuple[float, float, float, float, float] | None:
        if waterbody == "lake" and self.lake_limits is not None:
            return self.lake_limits
        return self.limits


#: GB 3838-2002 Table 1, pH range "6~9" for every class.
PH_RANGE: Final = (6.0, 9.0)
#: Physically possible pH; a value outside is an input error, not a water class.
PH_VALID_RANGE: Final = (0.0, 14.0)

# GB 3838-2002 Table 1 (items 2-24; item 1, water temperature, has no class limits and is not evaluated).
# "routine" per 环办〔2011〕22号: all basic items except water temperature, TN and fecal coliforms.
ITEMS: Final[tuple[Item, ...]] = (
    Item("ph", 2, "pH值", "pH", "dimensionless", "range", None, routine=True),
    # DO is a lower bound; class I also accepts 90 % saturation, which needs temperature (not handled).
    Item("do", 3, "溶解氧", "dissolved oxygen", "mg/L", "min", (7.5, 6, 5, 3, 2), routine=True),
    Item("codmn", 4, "高锰酸盐指数", "permanganate index", "mg/L", "max", (2, 4, 6, 10, 15), routine=True),
    Item("cod", 5, "化学需氧量", "chemical oxygen demand", "mg/L", "max", (15, 15, 20, 30, 40), routine=True),
    Item("bod5", 6, "五日生化需氧量", "BOD5", "mg/L", "max", (3, 3, 4, 6, 10), routine=True),
    Item("nh3n", 7, "氨氮", "ammonia nitrogen", "mg/L", "max", (0.15, 0.5, 1.0, 1.5, 2.0), routine=True),
    # Table 1 item 8: rivers 0.02…0.4, lakes and reservoirs 0.01…0.2.
    Item(
        "tp",
        8,
        "总磷",
        "total phosphorus",
        "mg/L",
        "max",
        (0.02, 0.1, 0.2, 0.3, 0.4),
        routine=True,
        lake_limits=(0.01, 0.025, 0.05, 0.1, 0.2),
    ),
    # Table 1 item 9 is defined for lakes and reservoirs only; a reference item in the 2011 method.
    Item(
        "tn",
        9,
        "总氮",
        "total nitrogen",
        "mg/L",
        "max",
        (0.2, 0.5, 1.0, 1.5, 2.0),
        routine=False,
        waterbodies=("lake",),
    ),
    Item("cu", 10, "铜", "copper", "mg/L", "max", (0.01, 1.0, 1.0, 1.0, 1.0), routine=True),
    Item("zn", 11, "锌", "zinc", "mg/L", "max", (0.05, 1.0, 1.0, 2.0, 2.0), routine=True),
    Item("f", 12, "氟化物", "fluoride", "mg/L", "max", (1.0, 1.0, 1.0, 1.5, 1.5), routine=True),
    Item("se", 13, "硒", "selenium", "mg/L", "max", (0.01, 0.01, 0.01, 0.02, 0.02), routine=True),
    Item("as", 14, "砷", "arsenic", "mg/L", "max", (0.05, 0.05, 0.05, 0.1, 0.1), routine=True),
    Item("hg", 15, "汞", "mercury", "mg/L", "max", (0.00005, 0.00005, 0.0001, 0.001, 0.001), routine=True),
    Item("cd", 16, "镉", "cadmium", "mg/L", "max", (0.001, 0.005, 0.005, 0.005, 0.01), routine=True),
    Item("cr6", 17, "铬(六价)", "chromium (VI)", "mg/L", "max", (0.01, 0.05, 0.05, 0.05, 0.1), routine=True),
    Item("pb", 18, "铅", "lead", "mg/L", "max", (0.01, 0.01, 0.05, 0.05, 0.1), routine=True),
    Item("cn", 19, "氰化物", "cyanide", "mg/L", "max", (0.005, 0.05, 0.2, 0.2, 0.2), routine=True),
    Item(
        "phenol",
        20,
        "挥发酚",
        "volatile phenol",
        "mg/L",
        "max",
        (0.002, 0.002, 0.005, 0.01, 0.1),
        routine=True,
    ),
    Item("petroleum", 21, "石油类", "petroleum", "mg/L", "max", (0.05, 0.05, 0.05, 0.5, 1.0), routine=True),
    Item(
        "las",
        22,
        "阴离子表面活性剂",
        "anionic surfactant",
        "mg/L",
        "max",
        (0.2, 0.2, 0.2, 0.3, 0.3),
        routine=True,
    ),
    Item("sulfide", 23, "硫化物", "sulfide", "mg/L", "max", (0.05, 0.1, 0.2, 0.5, 1.0), routine=True),
    Item(
        "fecal_coliform",
        24,
        "粪大肠菌群",
        "fecal coliforms",
        "count/L",
        "max",
        (200, 2000, 10000, 20000, 40000),
        routine=False,
    ),
)

ITEM_BY_CODE: Final[dict[str, Item]] = {item.code: item for item in ITEMS}
ITEM_CODES: Final[tuple[str, ...]] = tuple(item.code for item in ITEMS)
ROUTINE_CODES: Final[tuple[str, ...]] = tuple(item.code for item in ITEMS if item.routine)
REFERENCE_CODES: Final[tuple[str, ...]] = tuple(item.code for item in ITEMS if not item.routine)

# 2011 method, qualitative status of a class (I-II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染).
STATUS_EXCELLENT: Final = "优"
STATUS_GOOD: Final = "良好"
STATUS_LIGHT: Final = "轻度污染"
STATUS_MODERATE: Final = "中度污染"
STATUS_HEAVY: Final = "重度污染"
STATUS_BY_CLASS: Final[dict[str, str]] = {
    "I": STATUS_EXCELLENT,
    "II": STATUS_EXCELLENT,
    "III": STATUS_GOOD,
    "IV": STATUS_LIGHT,
    "V": STATUS_MODERATE,
    "劣V": STATUS_HEAVY,
}
#: Conventional English labels (not part of the standard).
STATUS_EN: Final[dict[str, str]] = {
    STATUS_EXCELLENT: "excellent",
    STATUS_GOOD: "good",
    STATUS_LIGHT: "lightly polluted",
    STATUS_MODERATE: "moderately polluted",
    STATUS_HEAVY: "heavily polluted",
}
