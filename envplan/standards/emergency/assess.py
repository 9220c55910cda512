"""The warning level a forecast calls for, and when an alert in force may be lifted.

A run is a maximal stretch of consecutive days meeting a rule's daily condition: one day that does not
meet it ends the run. A rule is met by a run at least ``days`` long in which every clause holds; the
alert covers that whole run. Of all the rules met, the highest level wins; among its runs, the earliest
(then the longest) is reported, so that the notice names the first episode to respond to.

Two unbroken runs separated by one clean day are assessed separately: this is where the 2017 plan's
"back-to-back episodes count as one" is met, by lifting rather than by assessment. An alert in force is
lifted only after ``lift_after_days`` clean days, so a single clean day keeps it in force, and the next
run can raise its level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from envplan.standards.emergency.forecast import Forecast
from envplan.standards.emergency.rules import Level, Rule, RuleSet, format_aqi


@dataclass(frozen=True)
class Run:
    """Days ``first``..``last`` (indexes into the forecast) meeting one rule."""

    rule: Rule
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Assessment:
    rules: str
    level: Level
    start: date | None
    end: date | None
    reason: str
    rule: Rule | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "rules": self.rules,
            "level": str(self.level),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "reason": self.reason,
        }


def runs_meeting(forecast: Forecast, rule: Rule) -> list[Run]:
    """Every maximal run of the forecast that meets ``rule``, in date order."""
    found: list[Run] = []
    first: int | None = None
    for index, aqi in enumerate((*forecast.aqi, None)):
        if aqi is not None and rule.condition.holds(aqi):
            first = index if first is None else first
            continue
        if first is not None:
            run = Run(rule, first, index - 1)
            values = list(forecast.aqi[run.first : run.last + 1])
            if run.length >= rule.days and all(clause.holds(values) for clause in rule.clauses):
                found.append(run)
            first = None
    return found


def assess(forecast: Forecast, rules: RuleSet) -> Assessment:
    """The warning level ``forecast`` calls for under ``rules``, and the run of days it covers."""
    runs = [run for rule in rules.rules for run in runs_meeting(forecast, rule)]
    if not runs:
        peak = max(range(len(forecast.aqi)), key=lambda index: forecast.aqi[index])
        reason = (
            f"no warning under {rules.name}: no rule is met "
            f"(highest AQI {format_aqi(forecast.aqi[peak])} on {forecast.day(peak)})"
        )
        return Assessment(rules.name, Level.NONE, None, None, reason)
    top = max(run.rule.level.rank for run in runs)
    # Stable sort: for runs with the same days, the rule listed first in the edition names the reason.
    best = sorted(
        (run for run in runs if run.rule.level.rank == top), key=lambda run: (run.first, -run.length)
    )[0]
    start, end = forecast.day(best.first), forecast.day(best.last)
    values = ", ".join(format_aqi(aqi) for aqi in forecast.aqi[best.first : best.last + 1])
    reason = f"{best.rule.level} under {rules.name}: {best.rule.describe()} ({start} to {end}: AQI {values})"
    return Assessment(rules.name, best.rule.level, start, end, reason, best.rule)


def is_clean(aqi: float, rules: RuleSet) -> bool:
    """Below every rule's daily condition: the day cannot count towards any warning."""
    return not any(condition.holds(aqi) for condition in rules.daily_conditions())


def earliest_lift(forecast: Forecast, rules: RuleSet, *, not_before: date | None = None) -> date | None:
    """The first day from which an alert in force may be lifted, or None if the forecast shows none.

    An alert may be lifted on day D when D and the following days, ``rules.lift_after_days`` in all
    (36 h, counted as 2 days, in the 2024 guidance), are all forecast clean. Days the forecast does not
    cover are unknown, so they never count as clean.
    """
    need = rules.lift_after_days
    clean_streak = 0
    for index, aqi in enumerate(forecast.aqi):
        if not_before is not None and forecast.day(index) < not_before:
            continue
        clean_streak = clean_streak + 1 if is_clean(aqi, rules) else 0
        if clean_streak == need:
            return forecast.day(index - need + 1)
    return None


def may_lift(forecast: Forecast, rules: RuleSet, *, on: date) -> bool:
    """Whether an alert in force may be lifted on ``on`` given the forecast from that day."""
    return earliest_lift(forecast, rules, not_before=on) == on
