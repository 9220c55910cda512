"""Configurable choices of the water evaluation where the sources leave room (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BelowDetectionLimit = Literal["half", "limit", "zero"]

#: Factor applied to the detection limit of a value written ``<0.01`` or ``0.01L``.
DETECTION_LIMIT_FACTOR: dict[BelowDetectionLimit, float] = {"half": 0.5, "limit": 1.0, "zero": 0.0}


@dataclass(frozen=True, slots=True)
class WaterRules:
    """Choices that are configuration, not standard.

    ``below_detection_limit``: a value below the detection limit counts as half the limit (default), the limit
    itself, or zero.
    ``min_sections_for_class_share``: a river or basin with at least this many evaluated sections is judged by
    the class-share method, otherwise by the mean method. The 2011 method is recalled as "5个（含5个）以上"
    (default 5); the Shenzhen EEB paraphrase says "大于5个" (use 6).
    ``heavy_share_below``: 重度污染 needs an I-III share below this percentage (recalled wording 60; the
    Shenzhen paraphrase says 75).
    """

    below_detection_limit: BelowDetectionLimit = "half"
    min_sections_for_class_share: int = 5
    heavy_share_below: float = 60.0

    def __post_init__(self) -> None:
        if self.below_detection_limit not in DETECTION_LIMIT_FACTOR:
            raise ValueError(f"below_detection_limit must be one of {sorted(DETECTION_LIMIT_FACTOR)}")
        if self.min_sections_for_class_share < 1:
            raise ValueError("min_sections_for_class_share must be at least 1")


DEFAULT_RULES: WaterRules = WaterRules()
