"""Heavy-pollution warning rules as data, and the two national editions.

A rule says: the level is met when the predicted daily AQI satisfies a condition (``> 200``, ``>= 500``)
on at least ``days`` consecutive days, and, within that unbroken run, every clause holds ("at least k of
those days > T", optionally k consecutive days). A rule set is an edition: its rules, where they come
from, and how many clean days allow lifting an alert. The highest level whose rule is met wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Level(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        return _LEVEL_ORDER.index(self)


_LEVEL_ORDER = (Level.NONE, Level.YELLOW, Level.ORANGE, Level.RED)
WARNING_LEVELS = _LEVEL_ORDER[1:]


class Comparison(StrEnum):
    ABOVE = ">"
    AT_LEAST = ">="


@dataclass(frozen=True)
class Condition:
    """A test on one day's AQI: strictly above the threshold, or at least the threshold."""

    threshold: float
    comparison: Comparison = Comparison.ABOVE

    def holds(self, aqi: float) -> bool:
        if self.comparison is Comparison.ABOVE:
            return aqi > self.threshold
        return aqi >= self.threshold

    def __str__(self) -> str:
        return f"AQI {self.comparison} {format_aqi(self.threshold)}"


@dataclass(frozen=True)
class Clause:
    """Within the rule's run: at least ``days`` days meet ``condition`` (consecutive ones if asked)."""

    days: int
    condition: Condition
    consecutive: bool = False

    def holds(self, values: list[float]) -> bool:
        if self.consecutive:
            return longest_streak(values, self.condition) >= self.days
        return sum(1 for aqi in values if self.condition.holds(aqi)) >= self.days

    def __str__(self) -> str:
        days = f"{self.days} consecutive days" if self.consecutive and self.days > 1 else _days(self.days)
        return f"at least {days} {self.condition.comparison} {format_aqi(self.condition.threshold)}"


@dataclass(frozen=True)
class Rule:
    level: Level
    condition: Condition
    days: int = 1
    clauses: tuple[Clause, ...] = ()

    def __post_init__(self) -> None:
        if self.level is Level.NONE:
            raise ValueError("a rule's level is yellow, orange or red")
        if self.days < 1 or any(clause.days < 1 for clause in self.clauses):
            raise ValueError("a rule counts at least one day")

    def describe(self) -> str:
        """E.g. ``AQI > 200 for 3 consecutive days or more, with at least 1 day > 300``."""
        if self.days == 1:
            text = f"{self.condition} on any day"
        else:
            text = f"{self.condition} for {self.days} consecutive days or more"
        return "".join([text, *(f", with {clause}" for clause in self.clauses)])


@dataclass(frozen=True)
class RuleSet:
    """One edition of the warning rules (national or national plus regional triggers)."""

    name: str
    title: str
    source: str
    rules: tuple[Rule, ...]
    lift_after_days: int = 2

    def daily_conditions(self) -> tuple[Condition, ...]:
        return tuple(rule.condition for rule in self.rules)


def longest_streak(values: list[float], condition: Condition) -> int:
    best = current = 0
    for aqi in values:
        current = current + 1 if condition.holds(aqi) else 0
        best = max(best, current)
    return best


def format_aqi(value: float) -> str:
    """An AQI as written: ``200`` rather than ``200.0``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _above(threshold: float) -> Condition:
    return Condition(threshold, Comparison.ABOVE)


# 环办大气函〔2018〕875号《关于推进重污染天气应急预案修订工作的指导意见》: the thresholds of the 2017
# national revision plan (环大气〔2017〕86号) without blue. "Lasting 48 h" is read as 2 consecutive days,
# "AQI predicted to reach 500" as a day at 500 or more.
GUIDANCE_2018 = RuleSet(
    name="2018",
    title="环办大气函〔2018〕875号 (2018 guidance on revising heavy-pollution emergency plans)",
    source="hj212-and-processes.md B.1; MEE slides of 2017-09-20 on the warning thresholds",
    rules=(
        Rule(Level.YELLOW, _above(200), days=2),
        Rule(Level.ORANGE, _above(200), days=3, clauses=(Clause(1, _above(300)),)),
        Rule(Level.RED, _above(200), days=4, clauses=(Clause(2, _above(300), consecutive=True),)),
        Rule(Level.RED, Condition(500, Comparison.AT_LEAST), days=1),
    ),
)

# 环大气〔2024〕6号《关于进一步优化重污染天气应对机制的指导意见》: AQI is the single indicator; lifting
# when the forecast stays below the yellow condition for at least 36 h, counted as 2 whole days.
GUIDANCE_2024 = RuleSet(
    name="2024",
    title="环大气〔2024〕6号 (2024 guidance on optimising the heavy-pollution response)",
    source="hj212-and-processes.md B.1",
    rules=(
        Rule(Level.YELLOW, _above(200), days=1),
        Rule(Level.YELLOW, _above(150), days=2),
        Rule(Level.ORANGE, _above(200), days=2),
        Rule(Level.ORANGE, _above(150), days=3),
        Rule(Level.RED, _above(200), days=3, clauses=(Clause(1, _above(300)),)),
    ),
)

# The reference gives no date of effect for 环大气〔2024〕6号; the earliest date it ties to the document is
# a page of 2024-03-12 citing it. Unverified: callers who know better pass the edition explicitly.
GUIDANCE_2024_EFFECTIVE = date(2024, 3, 12)

NATIONAL_EDITIONS: dict[str, RuleSet] = {"2018": GUIDANCE_2018, "2024": GUIDANCE_2024}


def edition_for(day: date) -> RuleSet:
    """The national edition in force for a forecast starting on ``day``."""
    return GUIDANCE_2024 if day >= GUIDANCE_2024_EFFECTIVE else GUIDANCE_2018
