"""Reads for the import pages: the draft shaped for review, and what accepting it would change."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from envplan.imports.models import PlanImport
from envplan.imports.services import (
    PlanImportError,
    draft_counts,
    iter_tasks,
    plan_data_from_draft,
    plan_year,
)
from envplan.plans.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    PlanDiff,
    TargetChange,
    TargetShape,
    TaskChange,
    diff_plans,
    shape_of_data,
)
from envplan.plans.models import Comparator, Plan, Role, Task, Unit, UnitAlias, normalize_unit_name
from envplan.plans.queries import latest_revision_number, plan_shape
from envplan.plans.services import find_existing_plan
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

    @property
    def suggested_merge(self) -> str:
        """The draft unit the parser suggests merging this one into (its first candidate), else ""."""
        for doubt in self.doubts:
            for candidate in doubt.get("candidates", []):
                if candidate != self.id:
                    return str(candidate)
        return ""

    @property
    def task_count(self) -> int:
        return len({mention.task for mention in self.mentions})

    @property
    def state(self) -> str:
        """One word a filter goes by: uncertain, linked (by hand), known (by spelling) or new."""
        if self.uncertain:
            return "uncertain"
        if self.link is not None:
            return "linked"
        return "known" if self.match is not None else "new"

    def matches(self, query: str) -> bool:
        """Whether the search words are all in the unit's name, spellings or mentions (case, accents and
        punctuation aside), or name a task it is mentioned in."""
        words = normalize_unit_name(query).split()
        if not words:
            return True
        haystack = " ".join(
            normalize_unit_name(text)
            for text in [self.name, *self.aliases, *(mention.as_written for mention in self.mentions)]
        )
        tasks = {str(mention.task) for mention in self.mentions}
        return all(word in haystack or word in tasks for word in words)


# The review page's unit filters: what `?show=` accepts, in the order the page offers them.
UNIT_FILTERS = ("all", "uncertain", "suggested", "new", "known", "linked")


@dataclass
class ReviewSummary:
    units: int
    uncertain: int
    suggested: int
    new: int
    known: int
    linked: int
    mentions: int
    warnings: int


def review_summary(units: list[ReviewUnit], warnings: ProblemList[Any]) -> ReviewSummary:
    states = [unit.state for unit in units]
    return ReviewSummary(
        units=len(units),
        uncertain=states.count("uncertain"),
        suggested=sum(1 for unit in units if unit.suggested_merge),
        new=states.count("new"),
        known=states.count("known"),
        linked=states.count("linked"),
        mentions=sum(len(unit.mentions) for unit in units),
        warnings=warnings.total,
    )


def filter_units(units: list[ReviewUnit], *, query: str, show: str) -> list[ReviewUnit]:
    def shown(unit: ReviewUnit) -> bool:
        if show == "suggested":
            return bool(unit.suggested_merge)
        return show in ("", "all") or unit.state == show

    return [unit for unit in units if shown(unit) and unit.matches(query)]


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


# --- what accepting would change ----------------------------------------------------------------------


@dataclass
class UnitRoleRow:
    name: str
    role: str
    role_label: str


@dataclass
class TargetRow:
    kind: str
    before: str  # the target as stored, in words ("" for an added one)
    after: str  # the target in the document ("" for a removed one)
    fields: list[str]


@dataclass
class TaskRow:
    change: TaskChange
    fields: list[str]  # labels of the changed fields
    units_added: list[UnitRoleRow]
    units_removed: list[UnitRoleRow]
    targets: list[TargetRow]  # the ones that are not unchanged
    reports: int  # reports on the stored task; a changed task keeps them, a removed one keeps them archived

    @property
    def text_changed(self) -> bool:
        return "summary" in self.change.fields or "title" in self.change.fields

    @property
    def text_segments(self) -> list[tuple[str, str]]:
        """The stored text against the new one, word by word: ("same" | "removed" | "added", words)."""
        if self.change.old is None or self.change.new is None:
            return []
        return word_diff(self.change.old.text, self.change.new.text)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    old_words, new_words = before.split(), after.split()
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(("same", " ".join(old_words[old_start:old_end])))
            continue
        if old_end > old_start:
            segments.append(("removed", " ".join(old_words[old_start:old_end])))
        if new_end > new_start:
            segments.append(("added", " ".join(new_words[new_start:new_end])))
    return segments


@dataclass
class RevisionPreview:
    """What accepting a pending import does to the stored plans: a new plan, or the next revision of one."""

    plan: Plan | None  # the stored plan this document is a version of; None when it is a new plan
    revision: int  # that plan's latest revision (0 for a new plan); the accept form carries it
    diff: PlanDiff | None = None
    same_document: bool = False
    added: list[TaskRow] = field(default_factory=list)
    changed: list[TaskRow] = field(default_factory=list)
    removed: list[TaskRow] = field(default_factory=list)
    goals: list[TargetRow] = field(default_factory=list)
    error: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return self.diff.counts() if self.diff is not None else {}


def field_labels(names: tuple[str, ...]) -> list[str]:
    labels = {
        "number": _("number"),
        "title": _("title"),
        "summary": _("text"),
        "section": _("section"),
        "indicator": _("indicator"),
        "comparator": _("comparator"),
        "value": _("value"),
        "unit_of_measure": _("unit of measure"),
        "deadline": _("deadline"),
        "as_written": _("as written"),
    }
    return [labels.get(name, name) for name in names]


def describe_target(target: TargetShape | None) -> str:
    if target is None:
        return ""
    comparators = dict(Comparator.choices)
    value = format(target.value.normalize(), "f")
    words = [target.indicator, str(comparators.get(target.comparator, target.comparator)), value]
    if target.unit_of_measure:
        words.append(target.unit_of_measure)
    if target.deadline:
        words.append(_("by %(date)s") % {"date": target.deadline})
    return " ".join(words)


def target_rows(changes: tuple[TargetChange, ...] | list[TargetChange]) -> list[TargetRow]:
    return [
        TargetRow(
            change.kind,
            describe_target(change.old),
            describe_target(change.new),
            field_labels(change.fields),
        )
        for change in changes
        if change.kind in (ADDED, CHANGED, REMOVED)
    ]


def revision_preview(imp: PlanImport) -> RevisionPreview | None:
    """For a pending import: the plan it would create or revise and, for a revision, the difference
    (tasks added, changed and removed, with their units and targets; the main goals). The same rule
    (`envplan.plans.diff`) decides what accepting does, so this is what will happen if the stored plan
    does not change meanwhile (the accept form carries the revision number to make sure)."""
    if not imp.is_pending:
        return None
    try:
        data = plan_data_from_draft(imp.draft)
        incoming = shape_of_data(data)
    except (PlanImportError, KeyError, ValueError, ArithmeticError) as error:
        return RevisionPreview(plan=None, revision=0, error=str(error))
    meta = data["plan"]
    plan = find_existing_plan(
        issuer=meta["issuer"], doc_number=meta["doc_number"], content_hash=imp.source_sha256
    )
    if plan is None:
        return RevisionPreview(plan=None, revision=0)
    preview = RevisionPreview(plan=plan, revision=latest_revision_number(plan))
    if plan.content_hash == imp.source_sha256:
        preview.same_document = True
        return preview
    diff = diff_plans(plan_shape(plan), incoming)
    preview.diff = diff
    names = {unit["code"]: unit["name"] for unit in data["units"]}
    codes = {code for task in diff.tasks for code, _role in (*task.units_added, *task.units_removed)}
    for unit in Unit.objects.filter(code__in=codes - set(names)):
        names[unit.code] = unit.display_name
    for unit in Unit.objects.filter(code__in=codes & set(names)):
        names[unit.code] = unit.display_name  # a registry unit by the name people know it by
    roles = {role.value: str(role.label) for role in Role}
    stored_ids = [task.old.id for task in diff.tasks if task.old is not None and task.old.id is not None]
    reports = dict(
        Task.with_archived.filter(pk__in=stored_ids)
        .annotate(report_count=Count("reports"))
        .values_list("pk", "report_count")
    )

    def unit_rows(pairs: tuple[tuple[str, str], ...]) -> list[UnitRoleRow]:
        return [UnitRoleRow(names.get(code, code), role, roles.get(role, role)) for code, role in pairs]

    rows = {ADDED: preview.added, CHANGED: preview.changed, REMOVED: preview.removed}
    for change in diff.tasks:
        if change.kind not in rows:
            continue
        rows[change.kind].append(
            TaskRow(
                change=change,
                fields=field_labels(change.fields),
                units_added=unit_rows(
                    tuple(sorted(change.new.units))
                    if change.kind == ADDED and change.new
                    else change.units_added
                ),
                units_removed=unit_rows(change.units_removed),
                targets=target_rows(change.targets),
                reports=reports.get(change.old.id, 0) if change.old is not None and change.old.id else 0,
            )
        )
    preview.goals = target_rows(diff.goals)
    return preview


def review_context(imp: PlanImport, *, query: str = "", show: str = "all") -> dict[str, Any]:
    """The review page: a summary of the draft's units, then the units `query` and `show` keep (uncertain
    ones first), with the draft's warnings and structure."""
    meta = imp.draft.get("meta", {})
    try:
        year: int | None = plan_year(meta)
    except ValueError:
        year = None
    show = show if show in UNIT_FILTERS else "all"
    warnings: ProblemList[Any] = ProblemList.restore(
        imp.draft.get("warnings", []), imp.draft.get("warnings_total")
    )
    every_unit = review_units(imp)
    shown = filter_units(every_unit, query=query, show=show)
    shown.sort(key=lambda unit: not unit.uncertain)  # stable: the document's order otherwise
    return {
        "imp": imp,
        "meta": meta,
        "year": year,
        "warnings": warnings,
        "goals": imp.draft.get("goals", []),
        "summary": review_summary(every_unit, warnings),
        "units": shown,
        "all_units": every_unit,
        "query": query,
        "show": show,
        "filters": UNIT_FILTERS,
        "chapters": structure(imp),
        "counts": draft_counts(imp.draft),
        "registry": registry_units(),
        "preview": revision_preview(imp),
    }
