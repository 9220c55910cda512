"""Regional rule files: stricter local triggers added to a national edition.

A region may only be stricter than the national guidance (环办大气函〔2018〕875号 and 环大气〔2024〕6号
both allow stricter local triggers), so a file's rules are *added* to the edition in force: the highest
level met wins, and added rules can only raise it. The format (TOML or JSON, same keys) is ``FORMAT``
below, which ``envplan emergency assess --help`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from envplan.standards.emergency.rules import (
    NATIONAL_EDITIONS,
    WARNING_LEVELS,
    Clause,
    Comparison,
    Condition,
    Level,
    Rule,
    RuleSet,
    edition_for,
)
from envplan.standards.textfiles import checked_table, only_keys, read_document

FORMAT = """\
A regional rules file (TOML, or JSON with the same keys):

    name = "Kundulun 2025"            # required; the output's "rules" becomes "2024+Kundulun 2025"
    source = "district plan §4.2"     # optional, where the triggers come from
    lift_after_days = 3               # optional; never fewer than the national edition's 2

    [[rules]]                         # one table per rule, added to the national edition's rules
    level = "yellow"                  # yellow | orange | red
    above = 150                       # the daily condition: above = T (AQI > T) or at_least = T (AQI >= T)
    days = 2                          # consecutive days the condition must last (default 1)
    with = [{ days = 1, above = 200 }]    # optional clauses within those days; add
                                          # consecutive = true for k consecutive days
"""


class RuleFileError(ValueError):
    """A regional rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RegionalRules:
    name: str
    source: str
    rules: tuple[Rule, ...]
    lift_after_days: int | None = None


def load_rules_file(path: str | Path) -> RegionalRules:
    """Read a regional rules file (``.toml`` or ``.json``)."""
    document = read_document(path, kind="rules file", error=RuleFileError)
    return parse_rules(document, label=str(path))


def parse_rules(document: Any, *, label: str = "rules file") -> RegionalRules:
    """Check and convert an already decoded rules document."""
    table = _table(document, label)
    _only_keys(table, {"name", "source", "lift_after_days", "rules"}, label)
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleFileError(f"{label}: name: a non-empty text is required")
    source = table.get("source", "")
    if not isinstance(source, str):
        raise RuleFileError(f"{label}: source: expected text")
    lift = table.get("lift_after_days")
    if lift is not None:
        lift = _count(lift, f"{label}: lift_after_days")
    rules = table.get("rules")
    if not isinstance(rules, list) or not rules:
        raise RuleFileError(f"{label}: rules: at least one [[rules]] table is required")
    parsed = tuple(_rule(item, f"{label}: rules[{index}]") for index, item in enumerate(rules, start=1))
    return RegionalRules(name.strip(), source, parsed, lift)


def with_regional(edition: RuleSet, regional: RegionalRules) -> RuleSet:
    """The national edition with the region's triggers added."""
    lift = edition.lift_after_days
    if regional.lift_after_days is not None:
        if regional.lift_after_days < lift:
            raise RuleFileError(
                f"{regional.name}: lift_after_days {regional.lift_after_days} is fewer than the "
                f"{edition.name} edition's {lift}: a region may only be stricter"
            )
        lift = regional.lift_after_days
    return RuleSet(
        name=f"{edition.name}+{regional.name}",
        title=f"{edition.title}, with the triggers of {regional.name}",
        source=f"{edition.source}; {regional.source or regional.name}",
        rules=edition.rules + regional.rules,
        lift_after_days=lift,
    )


def rules_for(start: date, edition: str = "auto", regional: RegionalRules | None = None) -> RuleSet:
    """The rules for a forecast starting on ``start``: the edition named (``auto``: the one in force on
    that day), with the region's triggers added when given."""
    if edition != "auto" and edition not in NATIONAL_EDITIONS:
        raise RuleFileError(f"no national edition {edition!r}; known: {', '.join(NATIONAL_EDITIONS)}")
    national = edition_for(start) if edition == "auto" else NATIONAL_EDITIONS[edition]
    return with_regional(national, regional) if regional else national


def _table(value: object, where: str) -> dict[str, Any]:
    return checked_table(value, where, error=RuleFileError)


def _only_keys(found: dict[str, Any], allowed: set[str], where: str) -> None:
    only_keys(found, allowed, where, error=RuleFileError)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleFileError(f"{where}: expected a whole number of days, 1 or more")
    return value


def _condition(table: dict[str, Any], where: str) -> Condition:
    given = [key for key in ("above", "at_least") if key in table]
    if len(given) != 1:
        raise RuleFileError(f"{where}: give exactly one of above = T or at_least = T")
    key = given[0]
    threshold = table[key]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1000:
        raise RuleFileError(f"{where}: {key}: expected an AQI between 0 and 1000")
    comparison = Comparison.ABOVE if key == "above" else Comparison.AT_LEAST
    return Condition(float(threshold), comparison)


def _rule(item: Any, where: str) -> Rule:
    table = _table(item, where)
    _only_keys(table, {"level", "above", "at_least", "days", "with"}, where)
    level_text = table.get("level")
    levels = [str(level) for level in WARNING_LEVELS]
    if level_text not in levels:
        raise RuleFileError(f"{where}: level: {level_text!r} is not one of {', '.join(levels)}")
    clauses = table.get("with", [])
    if not isinstance(clauses, list):
        raise RuleFileError(f"{where}: with: expected a list of clauses")
    return Rule(
        level=Level(level_text),
        condition=_condition(table, where),
        days=_count(table.get("days", 1), f"{where}: days"),
        clauses=tuple(_clause(clause, f"{where}: with[{n}]") for n, clause in enumerate(clauses, start=1)),
    )


def _clause(item: Any, where: str) -> Clause:
    table = _table(item, where)
    _only_keys(table, {"days", "above", "at_least", "consecutive"}, where)
    consecutive = table.get("consecutive", False)
    if not isinstance(consecutive, bool):
        raise RuleFileError(f"{where}: consecutive: expected true or false")
    return Clause(_count(table.get("days", 1), f"{where}: days"), _condition(table, where), consecutive)
