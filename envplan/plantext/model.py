"""Data classes of a parsed plan draft and the error raised for unusable input.

A draft is what the parser proposes; a person reviews it before it becomes a plan in the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Comparator = Literal[">=", ">", "=", "<=", "<"]
Role = Literal["lead", "responsible", "implementing"]
Language = Literal["fr", "zh", "en"]
# A target's kind: a number to reach, a milestone (done or not by a date), a rank in a ranking.
TargetKind = Literal["value", "milestone", "ranking"]


class PlanTextError(ValueError):
    """The input cannot be read as a plan (empty, binary, no numbered tasks...)."""


@dataclass(frozen=True)
class KnownUnit:
    """A canonical unit already confirmed by a person, with the spellings seen in earlier imports."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    group: bool = False


@dataclass(frozen=True)
class Target:
    indicator: str
    comparator: Comparator
    value: float
    unit_of_measure: str
    deadline: str | None
    as_written: str
    kind: TargetKind | None = None

    @property
    def target_kind(self) -> TargetKind:
        """The kind as given, else read from the unit of measure (milestones are 1 "milestone")."""
        if self.kind is not None:
            return self.kind
        return "milestone" if self.unit_of_measure == "milestone" else "value"

    def to_dict(self) -> dict[str, Any]:
        value: float | int = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "indicator": self.indicator,
            "comparator": self.comparator,
            "value": value,
            "unit_of_measure": self.unit_of_measure,
            "deadline": self.deadline,
            "as_written": self.as_written,
            "kind": self.target_kind,
        }


@dataclass(frozen=True)
class UnitRef:
    unit: str
    role: Role
    as_written: str

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "role": self.role, "as_written": self.as_written}


@dataclass
class Task:
    number: int
    text: str
    targets: list[Target] = field(default_factory=list)
    units: list[UnitRef] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "targets": [t.to_dict() for t in self.targets],
            "units": [u.to_dict() for u in self.units],
        }


@dataclass
class Section:
    number: str
    title: str
    tasks: list[Task] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "tasks": [t.to_dict() for t in self.tasks]}


@dataclass
class Chapter:
    number: str
    title: str
    sections: list[Section] = field(default_factory=list)
    body: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "sections": [s.to_dict() for s in self.sections],
        }


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    group: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases), "group": self.group}


@dataclass(frozen=True)
class Uncertain:
    """A unit the resolver could not place with confidence; a person decides on the review page."""

    unit: str
    as_written: str
    candidates: tuple[str, ...]
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "as_written": self.as_written,
            "candidates": list(self.candidates),
            "score": round(self.score, 3),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Meta:
    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    language: Language

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "date": self.date,
            "language": self.language,
        }


@dataclass
class Draft:
    meta: Meta
    units: list[Unit]
    goals: list[Target]
    chapters: list[Chapter]
    warnings: list[str]
    uncertain: list[Uncertain] = field(default_factory=list)

    def tasks(self) -> list[Task]:
        """All tasks in document order."""
        return [task for chapter in self.chapters for section in chapter.sections for task in section.tasks]

    def unit_by_id(self, unit_id: str) -> Unit:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta.to_dict(),
            "units": [u.to_dict() for u in self.units],
            "goals": [g.to_dict() for g in self.goals],
            "chapters": [c.to_dict() for c in self.chapters],
            "warnings": list(self.warnings),
            "uncertain": [u.to_dict() for u in self.uncertain],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
