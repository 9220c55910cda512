"""Writes to the plan: every function here runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError

from envplan.core import clock
from envplan.core.services import Actor, person, record_audit, snapshot
from envplan.plans.content import CONTENT_LANGUAGES, TRANSLATABLE
from envplan.plans.diff import (
    REMOVED,
    PlanDiff,
    PlanShape,
    TargetChange,
    TargetShape,
    TaskShape,
    diff_plans,
    match_by_keys,
    normalize_text,
    shape_of_data,
)
from envplan.plans.models import (
    UNIT_NAME_FIELDS,
    Assignment,
    Chapter,
    Plan,
    PlanRevision,
    Role,
    Section,
    Target,
    Task,
    Unit,
    UnitAlias,
    language_key,
    normalize_unit_name,
)
from envplan.plans.queries import latest_revision_number, plan_shape

UNIT_FIELDS = ("code", "name", "name_fr", "name_zh", "is_group")


class PlanDataError(ValueError):
    """The plan data is inconsistent (unknown unit, bad role...); nothing was stored."""


class PlanHasHistory(Exception):
    """The plan cannot be deleted: reports or values hang on it. `held` counts them by kind."""

    def __init__(self, plan: Plan, held: dict[str, int]) -> None:
        self.plan = plan
        self.held = held
        listed = ", ".join(f"{count} {name}" for name, count in sorted(held.items()))
        super().__init__(f"plan {plan.pk} ({plan.title}) has history and cannot be deleted: {listed}")


def content_hash_of(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def find_existing_plan(*, issuer: str, doc_number: str, content_hash: str) -> Plan | None:
    if doc_number:
        found = Plan.objects.filter(issuer=issuer, doc_number=doc_number).first()
        if found is not None:
            return found
    return Plan.objects.filter(content_hash=content_hash).first()


@transaction.atomic
def ensure_unit(
    *,
    code: str,
    name: str,
    by: Actor,
    name_fr: str = "",
    name_zh: str = "",
    is_group: bool = False,
    aliases: list[str] | tuple[str, ...] = (),
    confirmed: bool = True,
) -> Unit:
    """Create the unit if its code is new, then add the aliases it does not have yet.

    Side effects: audit entries `unit.created` and `unit.alias_added`. An alias already held by another
    unit raises PlanDataError: a spelling names one unit.
    """
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit.objects.create(code=code, name=name, name_fr=name_fr, name_zh=name_zh, is_group=is_group)
        record_audit(unit, action="unit.created", actor=by, after=snapshot(unit, UNIT_FIELDS))
    for text in {name, name_fr, name_zh, *aliases}:
        add_alias(unit, text=text, by=by, confirmed=confirmed)
    return unit


def add_alias(unit: Unit, *, text: str, by: Actor, confirmed: bool) -> UnitAlias | None:
    normalized = normalize_unit_name(text)
    if not normalized:
        return None
    existing = UnitAlias.objects.filter(normalized=normalized).select_related("unit").first()
    if existing is not None:
        if existing.unit_id != unit.pk:
            raise PlanDataError(f"the name {text!r} already belongs to unit {existing.unit.code!r}")
        return existing
    with transaction.atomic():
        alias = UnitAlias.objects.create(unit=unit, text=text, normalized=normalized, confirmed=confirmed)
        record_audit(unit, action="unit.alias_added", actor=by, after={"alias": text, "confirmed": confirmed})
    return alias


def parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def save_plan(
    data: dict[str, Any], *, by: Actor, content_hash: str | None = None, source_name: str = ""
) -> tuple[Plan, bool]:
    """Store a plan from its structured form (the schema of envplan/plans/demo/plan.json).

    The plan is identified by issuer and document number, else by content hash. Saving the same content
    again changes nothing and returns (plan, False). New content for a stored plan is its next revision:
    the tasks and targets it keeps are updated in place (so their reports, evidence and values stay
    attached), the ones it drops are archived, never deleted (see `envplan.plans.diff` for the matching).
    Returns (plan, changed). Side effects: a PlanRevision, a `plan.created` or `plan.revised` audit entry
    with the counts of changes, and the entries of `ensure_unit`. Raises PlanDataError, leaving the
    database as it was, on inconsistent data.
    """
    meta = data["plan"]
    digest = content_hash or content_hash_of(data)
    issuer = meta.get("issuer") or ""
    doc_number = meta.get("doc_number") or ""
    plan = find_existing_plan(issuer=issuer, doc_number=doc_number, content_hash=digest)
    if plan is not None and plan.content_hash == digest:
        return plan, False

    units = {}
    for unit_data in data["units"]:
        units[unit_data["code"]] = ensure_unit(
            code=unit_data["code"],
            name=unit_data["name"],
            name_fr=unit_data.get("name_fr", ""),
            name_zh=unit_data.get("name_zh", ""),
            is_group=unit_data.get("is_group", False),
            aliases=unit_data.get("aliases", []),
            by=by,
        )
    for unit_data in data["units"]:
        members = [units_lookup(units, code) for code in unit_data.get("members", [])]
        if members:
            units[unit_data["code"]].members.add(*members)

    fields = {
        "title": meta["title"],
        "issuer": issuer,
        "doc_number": doc_number,
        "date": parse_date(meta.get("date")),
        "year": int(meta["year"]),
        "language": meta.get("language", "en"),
        "summary": meta.get("summary", ""),
        "content_hash": digest,
    }
    if "translations" in meta:
        fields["translations"] = incoming_translations(meta)
    incoming = shape_of_data(data)
    if plan is None:
        plan = Plan.objects.create(**fields)
        stored, before, action = PlanShape(), None, "plan.created"
    else:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        stored, before, action = plan_shape(plan), plan_counts(plan), "plan.revised"
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
    changes = diff_plans(stored, incoming)
    revision = PlanRevision.objects.create(
        plan=plan,
        number=latest_revision_number(plan) + 1,
        content_hash=digest,
        source_name=source_name[:255],
        accepted_at=clock.now(),
        accepted_by=person(by),
        summary=changes.summary(),
    )
    apply_changes(plan, data, changes, revision=revision, units=units)
    record_audit(
        plan,
        action=action,
        actor=by,
        before=before,
        after={**plan_counts(plan), "revision": revision.number, "changes": changes.counts()},
        plan_id=plan.pk,
    )
    return plan, True


# Positions are unique among a plan's current rows, and a revision reorders them: the rows it keeps are
# first moved out of the way (by this much, beyond any real position) and then given their new places.
PARKED = 10_000


def apply_changes(
    plan: Plan, data: dict[str, Any], changes: PlanDiff, *, revision: PlanRevision, units: dict[str, Unit]
) -> None:
    """Make the plan's current structure that of `data`, following `changes` (computed against it).

    Kept tasks and targets keep their rows; removed ones, and chapters and sections the document no longer
    has, are archived in `revision`. Runs inside save_plan's transaction."""
    removed_tasks = [task.old.id for task in changes.removed if task.old and task.old.id is not None]
    Task.objects.filter(plan=plan, pk__in=removed_tasks).update(archived_in=revision)
    removed_targets = [
        target.old.id
        for target in [*changes.goals, *(t for task in changes.tasks for t in task.targets)]
        if target.kind == REMOVED and target.old is not None and target.old.id is not None
    ]
    Target.objects.filter(plan=plan, pk__in=removed_targets).update(archived_in=revision)
    for model, scope in ((Chapter, "plan"), (Section, "chapter__plan"), (Task, "plan"), (Target, "plan")):
        model.objects.filter(**{scope: plan}).update(position=F("position") + PARKED)

    sections = place_chapters_and_sections(plan, data, revision=revision)
    kept = {task.pk: task for task in plan.tasks.all()}
    kept_targets = {target.pk: target for target in plan.targets.all()}
    target_position = 0

    def place_targets(
        target_changes: tuple[TargetChange, ...], items: list[dict[str, Any]], task: Task | None
    ) -> None:
        nonlocal target_position
        for change, item in zip(target_changes[: len(items)], items, strict=True):
            target_position += 1
            assert change.new is not None
            values = target_values(change.new)
            translations = incoming_translations(item)
            if change.old is None:
                Target.objects.create(
                    plan=plan, task=task, position=target_position, translations=translations, **values
                )
                continue
            target = kept_targets[stored_id(change.old)]
            keep_translations(target, values, translations)
            for name, value in {**values, "position": target_position, "task": task}.items():
                setattr(target, name, value)
            target.save()

    place_targets(changes.goals, data.get("goals", []), None)
    Assignment.objects.filter(task__in=list(kept)).delete()
    assignments = []
    placed = enumerate(iter_task_data(data, sections), start=1)
    for (task_position, (section, task_data)), change in zip(placed, changes.tasks, strict=False):
        task_fields = {
            "section": section,
            "position": task_position,
            "number": int(task_data["number"]),
            "title": task_data["title"],
            "summary": task_data.get("summary", ""),
        }
        translations = incoming_translations(task_data)
        if change.old is None:
            task = Task.objects.create(plan=plan, translations=translations, **task_fields)
        else:
            task = kept[stored_id(change.old)]
            keep_translations(task, task_fields, translations)
            for name, value in task_fields.items():
                setattr(task, name, value)
            task.save()
        for mention in task_data.get("units", []):
            if mention["role"] not in Role.values:
                raise PlanDataError(f"task {task.number}: unknown role {mention['role']!r}")
            assignments.append(
                Assignment(
                    task=task,
                    unit=units_lookup(units, mention["unit"]),
                    role=mention["role"],
                    as_written=mention.get("as_written", ""),
                )
            )
        place_targets(change.targets, task_data.get("targets", []), task)
    Assignment.objects.bulk_create(assignments, ignore_conflicts=True)


def iter_task_data(
    data: dict[str, Any], sections: list[list[Section]]
) -> Iterator[tuple[Section, dict[str, Any]]]:
    for chapter_data, chapter_sections in zip(data["chapters"], sections, strict=True):
        for section_data, section in zip(chapter_data.get("sections", []), chapter_sections, strict=True):
            for task_data in section_data.get("tasks", []):
                yield section, task_data


def title_key(item: Chapter | Section | dict[str, Any]) -> str:
    return normalize_text(item["title"] if isinstance(item, dict) else item.title)


def number_key(item: Chapter | Section | dict[str, Any]) -> str:
    return normalize_text(item["number"] if isinstance(item, dict) else item.number)


PartT = TypeVar("PartT", Chapter, Section)


def place_parts(
    model: type[PartT],
    parent: dict[str, Any],
    old: list[PartT],
    items: list[dict[str, Any]],
    *,
    revision: PlanRevision,
) -> list[PartT]:
    """The document's chapters (or one chapter's sections) in its order, each the stored one with the same
    title (else number) updated in place, else a new one under `parent`. Stored ones left over are
    archived in `revision`."""
    match = match_by_keys(old, items, title_key, number_key)
    placed = []
    for position, item in enumerate(items, start=1):
        values = {"position": position, "number": item["number"], "title": item["title"]}
        if position - 1 in match:
            part = old[match[position - 1]]
            keep_translations(part, values, incoming_translations(item))
            for name, value in values.items():
                setattr(part, name, value)
            part.save()
        else:
            part = model.objects.create(**parent, translations=incoming_translations(item), **values)
        placed.append(part)
    kept = {part.pk for part in placed}
    model.objects.filter(pk__in=[part.pk for part in old if part.pk not in kept]).update(archived_in=revision)
    return placed


def place_chapters_and_sections(
    plan: Plan, data: dict[str, Any], *, revision: PlanRevision
) -> list[list[Section]]:
    """The document's chapters and sections, reusing the stored ones with the same title (else number).

    Returns the sections of each chapter in the document's order. Stored chapters and sections left over
    are archived: archived tasks still point to them."""
    old_chapters = list(plan.chapters.prefetch_related("sections").order_by("position"))
    chapters = place_parts(Chapter, {"plan": plan}, old_chapters, data["chapters"], revision=revision)
    result = []
    for chapter, chapter_item in zip(chapters, data["chapters"], strict=True):
        old_sections = sorted(chapter.sections.all(), key=lambda section: section.position)
        sections = place_parts(
            Section, {"chapter": chapter}, old_sections, chapter_item.get("sections", []), revision=revision
        )
        result.append(sections)
    kept_chapters = {chapter.pk for chapter in chapters}
    left_over = [chapter.pk for chapter in old_chapters if chapter.pk not in kept_chapters]
    Section.objects.filter(chapter__in=left_over).update(archived_in=revision)
    return result


def units_lookup(units: dict[str, Unit], code: str) -> Unit:
    if code in units:
        return units[code]
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise PlanDataError(f"unknown unit {code!r}")
    units[code] = found
    return found


def target_values(shape: TargetShape) -> dict[str, Any]:
    return {
        "indicator": shape.indicator,
        "comparator": shape.comparator,
        "value": shape.value,
        "unit_of_measure": shape.unit_of_measure,
        "deadline": parse_date(shape.deadline),
        "as_written": shape.as_written,
    }


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "chapters": plan.chapters.count(),
        "sections": Section.objects.filter(chapter__plan=plan).count(),
        "tasks": plan.tasks.count(),
        "targets": plan.targets.count(),
    }


def stored_id(shape: TaskShape | TargetShape) -> int:
    """The database id of a stored task or target's shape (shapes read from the database always have one)."""
    if shape.id is None:
        raise PlanDataError("a stored task or target lost its id while the plan was compared")
    return shape.id


@transaction.atomic
def delete_plan(plan: Plan, *, by: Actor) -> None:
    """Delete a plan that has no history: no progress report, reported value or indicator value.

    A plan with history is refused with PlanHasHistory and nothing is deleted (the foreign keys of reports
    and values PROTECT the plan's structure, so the database refuses too). Side effect: audit entry
    `plan.deleted` with the plan's counts."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    record_audit(
        plan,
        action="plan.deleted",
        actor=by,
        before={**snapshot(plan, ("title", "issuer", "doc_number", "year")), **plan_counts(plan)},
        plan_id=plan.pk,
    )
    try:
        plan.delete()
    except ProtectedError as error:
        raise PlanHasHistory(plan, held_by(error.protected_objects)) from error
    except RestrictedError as error:
        raise PlanHasHistory(plan, held_by(error.restricted_objects)) from error


def held_by(objects: Iterable[models.Model]) -> dict[str, int]:
    return dict(Counter(str(obj._meta.verbose_name_plural) for obj in objects))


class TranslationError(ValueError):
    """A translation was refused (unknown language or field, text too long); nothing was stored."""


@transaction.atomic
def set_translations(
    obj: Plan | Chapter | Section | Task | Target | Unit,
    texts: dict[str, dict[str, str]],
    *,
    by: Actor,
) -> bool:
    """Set translations of an object's plan content: `texts` is {language: {field: text}}; an empty text
    removes that translation. The original is never changed. A unit's name goes to `name_zh`/`name_fr`.

    Returns whether anything changed. Side effect: one `plan.translated` audit entry with the before and
    after of the changed translations. Raises TranslationError on an unknown language or field, or a text
    longer than the field allows; nothing is stored then."""
    fields = TRANSLATABLE[type(obj)]
    before: dict[str, dict[str, str]] = {}
    after: dict[str, dict[str, str]] = {}
    stored = {lang: dict(values) for lang, values in (getattr(obj, "translations", None) or {}).items()}
    unit_changes: dict[str, str] = {}
    for raw_language, values in texts.items():
        language = language_key(raw_language)
        if language not in CONTENT_LANGUAGES:
            raise TranslationError(f"unknown language {raw_language!r}")
        for field, raw_text in values.items():
            if field not in fields:
                raise TranslationError(f"{type(obj).__name__.lower()} has no translatable field {field!r}")
            text = (
                " ".join(str(raw_text or "").split()) if field != "summary" else str(raw_text or "").strip()
            )
            limit = getattr(obj._meta.get_field(field), "max_length", None)
            if limit and len(text) > limit:
                raise TranslationError(f"{field} ({language}): {len(text)} characters, at most {limit}")
            if isinstance(obj, Unit):
                name_field = UNIT_NAME_FIELDS.get(language)
                if name_field is None and not text:
                    continue
                if name_field is None:
                    raise TranslationError(f"a unit's name has no translation into {language!r}")
                old = str(getattr(obj, name_field))
                if old != text:
                    unit_changes[name_field] = text
                    before.setdefault(language, {})[field] = old
                    after.setdefault(language, {})[field] = text
                continue
            old = stored.get(language, {}).get(field, "")
            if old == text:
                continue
            before.setdefault(language, {})[field] = old
            after.setdefault(language, {})[field] = text
            if text:
                stored.setdefault(language, {})[field] = text
            else:
                stored.get(language, {}).pop(field, None)
    if not after:
        return False
    if isinstance(obj, Unit):
        for name_field, text in unit_changes.items():
            setattr(obj, name_field, text)
        obj.save(update_fields=list(unit_changes))
        for text in unit_changes.values():
            if text:
                add_alias(obj, text=text, by=by, confirmed=True)
        plan_id = None
    else:
        obj.translations = {lang: values for lang, values in stored.items() if values}
        obj.save(update_fields=["translations"])
        plan_id = (
            obj.pk
            if isinstance(obj, Plan)
            else obj.chapter.plan_id
            if isinstance(obj, Section)
            else obj.plan_id
        )
    record_audit(obj, action="plan.translated", actor=by, before=before, after=after, plan_id=plan_id)
    return True


def incoming_translations(item: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The `translations` an item of plan data carries (the demo's plan does), else none."""
    value = item.get("translations") or {}
    return {str(lang): {str(k): str(v) for k, v in fields.items()} for lang, fields in value.items()}


def keep_translations(
    obj: Chapter | Section | Task | Target, values: dict[str, Any], incoming: dict[str, dict[str, str]]
) -> None:
    """Before a revision writes `values` to a kept row: translations of a field whose original changed are
    dropped (they translated the old text); translations the data brings replace the stored ones."""
    changed = {name for name, value in values.items() if getattr(obj, name, None) != value}
    stored = {
        lang: {field: text for field, text in fields.items() if field not in changed}
        for lang, fields in (obj.translations or {}).items()
    }
    for lang, fields in incoming.items():
        stored.setdefault(language_key(lang), {}).update(fields)
    obj.translations = {lang: fields for lang, fields in stored.items() if fields}


@transaction.atomic
def import_translations(plan: Plan, content: bytes, *, name: str, by: Actor) -> dict[str, int]:
    """Store the translations of a filled translation sheet (`envplan.plans.translation_sheet`).

    All or nothing: a sheet with any problem raises TranslationSheetError (every problem with its row and
    column) or TranslationError, and nothing is stored. An empty cell removes that translation. Returns
    {"objects": texts read, "changed": objects changed}. Side effects: the `plan.translated` entries of
    `set_translations`, and one `plan.translations_imported` entry with the counts."""
    from envplan.plans.translation_sheet import object_for, read_sheet

    found = read_sheet(plan, content, name=name)
    changed = 0
    for object_key, texts in found.items():
        obj = object_for(plan, object_key)
        try:
            if set_translations(obj, texts, by=by):  # type: ignore[arg-type]  # object_for gives a plan model
                changed += 1
        except TranslationError as error:
            raise TranslationError(f"{name}: {object_key}: {error}") from None
    counts = {"objects": len(found), "changed": changed}
    record_audit(
        plan, action="plan.translations_imported", actor=by, after={**counts, "file": name}, plan_id=plan.pk
    )
    return counts
