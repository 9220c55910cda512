"""Reads for the import pages: the draft shaped for review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from envplan.imports.models import PlanImport
from envplan.imports.services import draft_counts, iter_tasks, plan_year
from envplan.plans.models import Role, Unit, UnitAlias, normalize_unit_name
from envplan.problems import ProblemList


@dataclass
class Mention:
    task: int
    role: str
    role_label: str
    as_written: str


@dataclass
class ReviewUnit:
    id: str
    name: str
    aliases: list[str]
    group: bool
    link: Unit | None
    match: Unit | None  # the registry unit accept would link to by spelling, when not linked by hand
    doubts: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def spellings(self) -> list[str]:
        seen: dict[str, str] = {}
        for mention in self.mentions:
            seen.setdefault(normalize_unit_name(mention.as_written), mention.as_written)
        return list(seen.values())

    @property
    def uncertain(self) -> bool:
        return bool(self.doubts)


@dataclass
class SectionRow:
    number: str
    title: str
    tasks: int
    targets: int


@dataclass
class ChapterRow:
    number: str
    title: str
    sections: list[SectionRow]

    @property
    def tasks(self) -> int:
        return sum(section.tasks for section in self.sections)


def recent_imports() -> QuerySet[PlanImport]:
    return PlanImport.objects.select_related("created_by", "plan").order_by("-created_at", "-id")[:50]


def registry_units() -> QuerySet[Unit]:
    return Unit.objects.order_by("name")


def review_units(imp: PlanImport) -> list[ReviewUnit]:
    draft = imp.draft
    registry = {unit.code: unit for unit in Unit.objects.all()}
    owner_of = dict(UnitAlias.objects.values_list("normalized", "unit__code"))
    names = {unit["id"]: unit["name"] for unit in draft["units"]}
    rows: dict[str, ReviewUnit] = {}
    for unit in draft["units"]:
        match = None
        if not unit.get("link"):
            for spelling in [unit["name"], *unit.get("aliases", [])]:
                code = owner_of.get(normalize_unit_name(spelling))
                if code:
                    match = registry.get(code)
                    break
        rows[unit["id"]] = ReviewUnit(
            id=unit["id"],
            name=unit["name"],
            aliases=list(unit.get("aliases", [])),
            group=bool(unit.get("group")),
            link=registry.get(unit.get("link") or ""),
            match=match,
        )
    for doubt in draft.get("uncertain", []):
        if doubt["unit"] in rows:
            candidates = [names.get(code) or code for code in doubt.get("candidates", [])]
            rows[doubt["unit"]].doubts.append({**doubt, "candidate_names": candidates})
    labels = {role.value: str(role.label) for role in Role}
    for task in iter_tasks(draft):
        for mention in task.get("units", []):
            row = rows.get(mention["unit"])
            if row is not None:
                row.mentions.append(
                    Mention(
                        task["number"],
                        mention["role"],
                        labels.get(mention["role"], mention["role"]),
                        mention["as_written"],
                    )
                )
    return list(rows.values())


def structure(imp: PlanImport) -> list[ChapterRow]:
    return [
        ChapterRow(
            number=chapter["number"],
            title=chapter["title"],
            sections=[
                SectionRow(
                    number=section["number"],
                    title=section["title"],
                    tasks=len(section.get("tasks", [])),
                    targets=sum(len(task.get("targets", [])) for task in section.get("tasks", [])),
                )
                for section in chapter.get("sections", [])
            ],
        )
        for chapter in imp.draft.get("chapters", [])
    ]


def review_context(imp: PlanImport) -> dict[str, Any]:
    meta = imp.draft.get("meta", {})
    try:
        year: int | None = plan_year(meta)
    except ValueError:
        year = None
    return {
        "imp": imp,
        "meta": meta,
        "year": year,
        "warnings": ProblemList.restore(imp.draft.get("warnings", []), imp.draft.get("warnings_total")),
        "goals": imp.draft.get("goals", []),
        "units": review_units(imp),
        "chapters": structure(imp),
        "counts": draft_counts(imp.draft),
        "registry": registry_units(),
    }
