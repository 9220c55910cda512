"""Compare a draft with a hand-read gold file: what a careful reader extracts, and what the parser found.

Gold files (``*.gold.json``, the format of ``../shared/reference/data/plans-zh``)::

    {"meta": {"title", "doc_number", "date", "issuer"},
     "goals": [{"text", "value" (number, "III类" or null), "unit_of_measure", ["comparator"], ["deadline"]}],
     "tasks": [{"number", "units": [{"name", "role"}], "targets": [{"value", "unit_of_measure",
                "deadline", ["comparator"]}]}]}

Categories: ``meta`` (each non-null field), ``goals``, ``targets`` (of tasks) and ``units`` (a unit with its
role in a task). A gold goal or target is found when a draft target has the same value and unit of
measure, and the same comparator and deadline where the gold gives them; a non-numeric one (value null)
is found by a milestone (with the same deadline where given). A gold unit is found when the task names it
(as written, compared after width and script normalisation) with the same role; the gold files'
``cooperating`` (配合) is the draft's ``implementing``. Recall = found / expected; precision = draft
items matching a gold item / draft items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .lang import normalise
from .model import Draft, Target
from .script import to_simplified
from .targets import _ROMAN_CLASS

CATEGORIES = ("meta", "goals", "targets", "units")
_ROLES = {"cooperating": "implementing"}
_MEASURES = {
    "微克/立方米": "µg/m³",
    "μg/m3": "µg/m³",
    "µg/m3": "µg/m³",
    "毫克/立方米": "mg/m³",
    "吨": "t",
    "噸": "t",
    "天": "days",
    "水质类别": "water class",
    "公里": "km",
    "千米": "km",
    "公顷": "ha",
    "万吨": "10^4 t",
}
# Classifiers (个, 台, 座…) all count things; the gold writes the thing in brackets: "个(小流域)".
_COUNTERS = re.compile(r"^(?:个|项|座|家|处|条|批|所|台|辆|套|户|村|片|口|根|次|場|场|個)")


@dataclass
class Tally:
    expected: int = 0
    found: int = 0
    proposed: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0


@dataclass
class Score:
    tallies: dict[str, Tally]

    def recall(self, categories: tuple[str, ...] = ("meta", "goals", "units")) -> float:
        """Recall over the named categories together (the issue's measure: meta, goals, units)."""
        expected = sum(self.tallies[c].expected for c in categories)
        found = sum(self.tallies[c].found for c in categories)
        return found / expected if expected else 1.0

    def table(self) -> str:
        rows = [f"{'category':<9} {'found':>11} {'recall':>7} {'precision':>10}"]
        for name in CATEGORIES:
            t = self.tallies[name]
            rows.append(
                f"{name:<9} {t.found:>5}/{t.expected:<5} {t.recall:>7.0%} {t.correct:>4}/{t.proposed:<4}"
                f" {t.precision:>4.0%}"
            )
        return "\n".join(rows)


def plain(text: str) -> str:
    """Comparable form: half-width, simplified, no spaces."""
    return re.sub(r"\s+", "", to_simplified(normalise(text)))


def _measure(text: str | None) -> str | None:
    if text is None:
        return None
    written = text.strip()
    if written in _MEASURES:
        return _MEASURES[written]
    if _COUNTERS.match(written):
        return "count"
    return written


def _gold_value(value: Any) -> tuple[float | None, str | None]:
    """(number, unit override): "III类" is water class 3."""
    if value is None:
        return None, "milestone"
    if isinstance(value, int | float):
        return float(value), None
    match = re.match(r"^\s*(III|II|IV|V|I|Ⅲ|Ⅱ|Ⅳ|Ⅴ|Ⅰ)\s*类", str(value))
    if match:
        return float(_ROMAN_CLASS[match.group(1)]), "water class"
    return None, None


def _matches(gold: dict[str, Any], target: Target) -> bool:
    value, measure = _gold_value(gold.get("value"))
    if measure == "milestone":
        if target.target_kind != "milestone":
            return False
    else:
        wanted = measure or _measure(gold.get("unit_of_measure"))
        if value is None or abs(target.value - value) > 1e-9 or target.unit_of_measure != wanted:
            return False
        if "comparator" in gold and gold["comparator"] != target.comparator:
            return False
    return "deadline" not in gold or gold["deadline"] == target.deadline


def _score_targets(tally: Tally, gold: list[dict[str, Any]], found: list[Target], where: str) -> None:
    tally.expected += len(gold)
    tally.proposed += len(found)
    free = list(found)
    for item in gold:
        match = next((t for t in free if _matches(item, t)), None)
        if match is None:
            tally.missed.append(f"{where}: {item.get('text') or item.get('as_written')}")
            continue
        free.remove(match)
        tally.found += 1
        tally.correct += 1
    tally.extra.extend(f"{where}: {t.as_written}" for t in free)


def score(draft: Draft, gold: dict[str, Any]) -> Score:
    """Tallies of ``draft`` against ``gold`` by category."""
    tallies = {name: Tally() for name in CATEGORIES}
    meta = tallies["meta"]
    found_meta = draft.meta.to_dict()
    for key in ("title", "doc_number", "date", "issuer"):
        expected, got = gold["meta"].get(key), found_meta.get(key)
        if expected:
            meta.expected += 1
        if got:
            meta.proposed += 1
        if expected and got and plain(str(expected)) == plain(str(got)):
            meta.found += 1
            meta.correct += 1
        elif expected:
            meta.missed.append(f"meta {key}: {expected} (found {got})")
        elif got:
            meta.extra.append(f"meta {key}: {got}")

    _score_targets(tallies["goals"], gold.get("goals", []), draft.goals, "goals")
    tasks = {task.number: task for task in draft.tasks()}
    units = tallies["units"]
    for gold_task in gold.get("tasks", []):
        task = tasks.get(gold_task["number"])
        where = f"task {gold_task['number']}"
        _score_targets(tallies["targets"], gold_task.get("targets", []), task.targets if task else [], where)
        refs = {(plain(r.as_written), r.role) for r in task.units} if task else set()
        wanted = {(plain(u["name"]), _ROLES.get(u["role"], u["role"])) for u in gold_task.get("units", [])}
        units.expected += len(wanted)
        units.proposed += len(refs)
        units.found += len(wanted & refs)
        units.correct += len(wanted & refs)
        units.missed.extend(f"{where}: {name} ({role})" for name, role in sorted(wanted - refs))
        units.extra.extend(f"{where}: {name} ({role})" for name, role in sorted(refs - wanted))
    return Score(tallies)
