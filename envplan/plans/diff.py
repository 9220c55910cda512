"""What a new version of a plan document changes in the stored plan: tasks added, changed or removed, the
units and targets of each task, and the plan's main goals.

A pure rule (no Django, no database): the import review page shows its result before anything is stored,
and `envplan.plans.services.save_plan` applies the same result, so what the reviewer saw is what happens.

Tasks are matched one to one, in this order:
1. the same text (compared after folding case, width, spaces and punctuation) is the same task whatever its
   number: a renumbered task keeps its reports;
2. the remaining pairs are scored by the overlap of their character trigrams (Jaccard index): a pair with
   the same number counts from SAME_NUMBER_SIMILARITY (an edited task), a pair with different numbers from
   MOVED_SIMILARITY (a task both edited and renumbered); the best-scoring pairs are taken first;
3. a stored task left over is removed (the plan archives it with its history); a new one is added.
So the same number with a wholly different text is one task removed and another added.

The thresholds were set on the reference plan (47 tasks in French, 230 to 1,400 characters): unrelated
tasks score at most 0.38, a task with half its text rewritten about 0.6, a task with a sentence appended
about 0.9. Character trigrams need no word segmentation, so Chinese text is scored the same way.

Targets are matched within a matched task (and the goals among the goals): identical targets first, then
the same indicator wording (a changed value, comparator, unit or deadline), then similar wording.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ADDED = "added"
CHANGED = "changed"
REMOVED = "removed"
UNCHANGED = "unchanged"

SAME_NUMBER_SIMILARITY = 0.5
MOVED_SIMILARITY = 0.7
TARGET_SIMILARITY = 0.5

UnitRole = tuple[str, str]  # (unit code, role)


def normalize_text(text: str) -> str:
    """Text as compared: compatibility forms folded, case folded, punctuation and runs of space as one."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def trigrams(text: str) -> frozenset[str]:
    normalized = normalize_text(text)
    if len(normalized) < 3:
        return frozenset([normalized]) if normalized else frozenset()
    return frozenset(normalized[i : i + 3] for i in range(len(normalized) - 2))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two trigram sets: 1.0 for the same text, near 0 for unrelated ones."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class TargetShape:
    indicator: str
    comparator: str
    value: Decimal
    unit_of_measure: str = ""
    deadline: str | None = None  # ISO date
    as_written: str = ""
    id: int | None = None  # the stored target's primary key; None for one from a document

    def same_as(self, other: TargetShape) -> bool:
        return not self.changed_fields(other)

    def changed_fields(self, other: TargetShape) -> tuple[str, ...]:
        pairs = {
            "indicator": (normalize_text(self.indicator), normalize_text(other.indicator)),
            "comparator": (self.comparator, other.comparator),
            "value": (self.value, other.value),
            "unit_of_measure": (self.unit_of_measure, other.unit_of_measure),
            "deadline": (self.deadline or None, other.deadline or None),
            "as_written": (" ".join(self.as_written.split()), " ".join(other.as_written.split())),
        }
        return tuple(name for name, (mine, theirs) in pairs.items() if mine != theirs)


@dataclass(frozen=True)
class TaskShape:
    number: int
    title: str
    summary: str
    section: str = ""  # the section's title
    units: frozenset[UnitRole] = frozenset()
    targets: tuple[TargetShape, ...] = ()
    id: int | None = None

    @property
    def text(self) -> str:
        return self.summary or self.title


@dataclass(frozen=True)
class PlanShape:
    goals: tuple[TargetShape, ...] = ()
    tasks: tuple[TaskShape, ...] = ()


@dataclass(frozen=True)
class TargetChange:
    kind: str
    old: TargetShape | None
    new: TargetShape | None
    fields: tuple[str, ...] = ()

    @property
    def current(self) -> TargetShape:
        shape = self.new or self.old
        assert shape is not None
        return shape


@dataclass(frozen=True)
class TaskChange:
    kind: str
    old: TaskShape | None
    new: TaskShape | None
    fields: tuple[str, ...] = ()
    units_added: tuple[UnitRole, ...] = ()
    units_removed: tuple[UnitRole, ...] = ()
    targets: tuple[TargetChange, ...] = ()
    similarity: float = 1.0

    @property
    def current(self) -> TaskShape:
        shape = self.new or self.old
        assert shape is not None
        return shape

    @property
    def number(self) -> int:
        return self.current.number

    @property
    def renumbered(self) -> bool:
        return "number" in self.fields

    def targets_of_kind(self, kind: str) -> list[TargetChange]:
        return [change for change in self.targets if change.kind == kind]

    @property
    def targets_added(self) -> list[TargetChange]:
        return self.targets_of_kind(ADDED)

    @property
    def targets_changed(self) -> list[TargetChange]:
        return self.targets_of_kind(CHANGED)

    @property
    def targets_removed(self) -> list[TargetChange]:
        return self.targets_of_kind(REMOVED)


@dataclass(frozen=True)
class PlanDiff:
    tasks: tuple[TaskChange, ...] = ()
    goals: tuple[TargetChange, ...] = ()

    def of_kind(self, kind: str) -> list[TaskChange]:
        return [change for change in self.tasks if change.kind == kind]

    @property
    def added(self) -> list[TaskChange]:
        return self.of_kind(ADDED)

    @property
    def changed(self) -> list[TaskChange]:
        return self.of_kind(CHANGED)

    @property
    def removed(self) -> list[TaskChange]:
        return self.of_kind(REMOVED)

    @property
    def unchanged(self) -> list[TaskChange]:
        return self.of_kind(UNCHANGED)

    def goals_of_kind(self, kind: str) -> list[TargetChange]:
        return [change for change in self.goals if change.kind == kind]

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.changed and not self.removed and not self.goal_changes

    @property
    def goal_changes(self) -> list[TargetChange]:
        return [change for change in self.goals if change.kind != UNCHANGED]

    def counts(self) -> dict[str, int]:
        """How many tasks, targets (goals included) and task units were added, changed or removed."""
        targets = [target for task in self.tasks for target in task.targets] + list(self.goals)
        return {
            "tasks_added": len(self.added),
            "tasks_changed": len(self.changed),
            "tasks_removed": len(self.removed),
            "tasks_unchanged": len(self.unchanged),
            "targets_added": sum(1 for target in targets if target.kind == ADDED),
            "targets_changed": sum(1 for target in targets if target.kind == CHANGED),
            "targets_removed": sum(1 for target in targets if target.kind == REMOVED),
            "units_added": sum(len(task.units_added) for task in self.tasks if task.kind == CHANGED),
            "units_removed": sum(len(task.units_removed) for task in self.tasks if task.kind == CHANGED),
        }

    def summary(self) -> dict[str, Any]:
        """A JSON-ready account of the changes, kept with the plan revision that applied them."""
        tasks: list[dict[str, Any]] = []
        for change in self.tasks:
            if change.kind == UNCHANGED:
                continue
            entry: dict[str, Any] = {
                "kind": change.kind,
                "number": change.number,
                "title": change.current.title,
            }
            if change.old is not None and change.old.id is not None:
                entry["id"] = change.old.id
            if change.kind == CHANGED:
                assert change.old is not None
                entry["was"] = change.old.number
                entry["fields"] = list(change.fields)
                entry["units_added"] = [list(pair) for pair in change.units_added]
                entry["units_removed"] = [list(pair) for pair in change.units_removed]
                entry["targets"] = {
                    ADDED: len(change.targets_added),
                    CHANGED: len(change.targets_changed),
                    REMOVED: len(change.targets_removed),
                }
            tasks.append(entry)
        return {
            "counts": self.counts(),
            "tasks": tasks,
            "goals": {kind: len(self.goals_of_kind(kind)) for kind in (ADDED, CHANGED, REMOVED)},
        }


# --- matching ----------------------------------------------------------------------------------------


def _pair_greedily(
    candidates: Iterable[tuple[float, int, int]], old_free: set[int], new_free: set[int]
) -> list[tuple[int, int, float]]:
    """Take (score, old index, new index) candidates best first; each index is used once. Ties go to the
    earlier new item, then the earlier old one, so the result does not depend on the input's order."""
    pairs = []
    for score, old_index, new_index in sorted(candidates, key=lambda c: (-c[0], c[2], c[1])):
        if old_index in old_free and new_index in new_free:
            old_free.discard(old_index)
            new_free.discard(new_index)
            pairs.append((old_index, new_index, score))
    return pairs


def _pair_by_key(
    old: Sequence[Any],
    new: Sequence[Any],
    key: Callable[[Any], object],
    old_free: set[int],
    new_free: set[int],
    bonus: Callable[[Any, Any], float] = lambda a, b: 0.0,
) -> list[tuple[int, int, float]]:
    """Pair items whose keys are equal; among several with the same key, those with a bonus first."""
    by_key: dict[object, list[int]] = {}
    for index in sorted(old_free):
        by_key.setdefault(key(old[index]), []).append(index)
    candidates = [
        (1.0 + bonus(old[old_index], new[new_index]), old_index, new_index)
        for new_index in sorted(new_free)
        for old_index in by_key.get(key(new[new_index]), [])
    ]
    return _pair_greedily(candidates, old_free, new_free)


def match_by_keys(old: Sequence[Any], new: Sequence[Any], *keys: Callable[[Any], object]) -> dict[int, int]:
    """Pair items by the first key, then those left over by the next key, and so on; equal keys pair in
    order. Returns new index -> old index. (Chapters and sections are matched this way.)"""
    old_free, new_free = set(range(len(old))), set(range(len(new)))
    pairs = []
    for key in keys:
        pairs += _pair_by_key(old, new, key, old_free, new_free)
    return {new_index: old_index for old_index, new_index, _ in pairs}


def diff_targets(old: Sequence[TargetShape], new: Sequence[TargetShape]) -> tuple[TargetChange, ...]:
    """Match the targets of one task (or the goals): identical, then same indicator, then similar wording.

    The result follows the new order, then the removed targets in their old order."""
    old_free, new_free = set(range(len(old))), set(range(len(new)))
    pairs = _pair_by_key(
        old,
        new,
        lambda t: (
            normalize_text(t.indicator),
            t.comparator,
            t.value,
            t.unit_of_measure,
            t.deadline or None,
            " ".join(t.as_written.split()),
        ),
        old_free,
        new_free,
    )
    pairs += _pair_by_key(old, new, lambda t: normalize_text(t.indicator), old_free, new_free)
    old_grams = {i: trigrams(f"{old[i].indicator} {old[i].as_written}") for i in old_free}
    new_grams = {j: trigrams(f"{new[j].indicator} {new[j].as_written}") for j in new_free}
    scored = [(similarity(old_grams[i], new_grams[j]), i, j) for i in old_free for j in new_free]
    pairs += _pair_greedily([c for c in scored if c[0] >= TARGET_SIMILARITY], old_free, new_free)

    matched = {new_index: old_index for old_index, new_index, _ in pairs}
    changes: list[TargetChange] = []
    for index, target in enumerate(new):
        if index not in matched:
            changes.append(TargetChange(ADDED, None, target))
            continue
        before = old[matched[index]]
        fields = before.changed_fields(target)
        changes.append(TargetChange(CHANGED if fields else UNCHANGED, before, target, fields))
    changes += [TargetChange(REMOVED, old[index], None) for index in sorted(old_free)]
    return tuple(changes)


def _task_change(old: TaskShape, new: TaskShape, score: float) -> TaskChange:
    fields = []
    if old.number != new.number:
        fields.append("number")
    if " ".join(old.title.split()) != " ".join(new.title.split()):
        fields.append("title")
    if " ".join(old.summary.split()) != " ".join(new.summary.split()):
        fields.append("summary")
    if normalize_text(old.section) != normalize_text(new.section):
        fields.append("section")
    units_added = tuple(sorted(new.units - old.units))
    units_removed = tuple(sorted(old.units - new.units))
    targets = diff_targets(old.targets, new.targets)
    kind = (
        CHANGED
        if fields or units_added or units_removed or any(t.kind != UNCHANGED for t in targets)
        else UNCHANGED
    )
    return TaskChange(kind, old, new, tuple(fields), units_added, units_removed, targets, score)


def _same_number_first(old: TaskShape, new: TaskShape) -> float:
    """A small edge (0.1) for a pair that keeps its number over an otherwise as similar pair."""
    return 0.1 if old.number == new.number else 0.0


def diff_plans(stored: PlanShape, incoming: PlanShape) -> PlanDiff:
    """The changes that turn `stored` into `incoming` (see the module's docstring for the matching)."""
    old, new = stored.tasks, incoming.tasks
    old_free, new_free = set(range(len(old))), set(range(len(new)))
    pairs = _pair_by_key(old, new, lambda t: normalize_text(t.text), old_free, new_free, _same_number_first)
    matched = {new_index: (old_index, 1.0) for old_index, new_index, _ in pairs}
    # Only the tasks left over are scored against each other, so a plan revised in a few places costs a
    # few comparisons, not tasks squared.
    old_grams = {i: trigrams(old[i].text) for i in old_free}
    new_grams = {j: trigrams(new[j].text) for j in new_free}
    scores = {}
    for i in old_free:
        for j in new_free:
            score = similarity(old_grams[i], new_grams[j])
            threshold = SAME_NUMBER_SIMILARITY if old[i].number == new[j].number else MOVED_SIMILARITY
            if score >= threshold:
                scores[i, j] = score
    candidates = [(score + _same_number_first(old[i], new[j]), i, j) for (i, j), score in scores.items()]
    for old_index, new_index, _ in _pair_greedily(candidates, old_free, new_free):
        matched[new_index] = (old_index, scores[old_index, new_index])

    changes: list[TaskChange] = []
    for index, task in enumerate(new):
        if index in matched:
            old_index, score = matched[index]
            changes.append(_task_change(old[old_index], task, score))
        else:
            changes.append(
                TaskChange(
                    ADDED,
                    None,
                    task,
                    targets=tuple(TargetChange(ADDED, None, target) for target in task.targets),
                    similarity=0.0,
                )
            )
    for index in sorted(old_free):
        task = old[index]
        removed_targets = tuple(TargetChange(REMOVED, target, None) for target in task.targets)
        changes.append(TaskChange(REMOVED, task, None, targets=removed_targets, similarity=0.0))
    return PlanDiff(tasks=tuple(changes), goals=diff_targets(stored.goals, incoming.goals))


# --- shapes from the plan's structured form ----------------------------------------------------------


def target_shape(data: Mapping[str, Any]) -> TargetShape:
    return TargetShape(
        indicator=str(data.get("indicator") or ""),
        comparator=str(data.get("comparator") or ""),
        value=Decimal(str(data.get("value"))),
        unit_of_measure=str(data.get("unit_of_measure") or ""),
        deadline=data.get("deadline") or None,
        as_written=str(data.get("as_written") or ""),
    )


def shape_of_data(data: Mapping[str, Any]) -> PlanShape:
    """The shape of a plan in the structured form `save_plan` takes (envplan/plans/demo/plan.json)."""
    tasks = []
    for chapter in data.get("chapters", []):
        for section in chapter.get("sections", []):
            for task in section.get("tasks", []):
                tasks.append(
                    TaskShape(
                        number=int(task["number"]),
                        title=str(task.get("title") or ""),
                        summary=str(task.get("summary") or ""),
                        section=str(section.get("title") or ""),
                        units=frozenset((str(m["unit"]), str(m["role"])) for m in task.get("units", [])),
                        targets=tuple(target_shape(target) for target in task.get("targets", [])),
                    )
                )
    return PlanShape(
        goals=tuple(target_shape(goal) for goal in data.get("goals", [])),
        tasks=tuple(tasks),
    )
