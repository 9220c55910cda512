"""Writes to the plan: every function here runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from envplan.core.services import record_audit, snapshot
from envplan.plans.models import (
    Assignment,
    Chapter,
    Plan,
    Role,
    Section,
    Target,
    Task,
    Unit,
    UnitAlias,
    normalize_unit_name,
)

Actor = AbstractBaseUser | AnonymousUser | None
UNIT_FIELDS = ("code", "name", "name_fr", "name_zh", "is_group")


class PlanDataError(ValueError):
    """The plan data is inconsistent (unknown unit, bad role...); nothing was stored."""


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
def save_plan(data: dict[str, Any], *, by: Actor, content_hash: str | None = None) -> tuple[Plan, bool]:
    """Store a plan from its structured form (the schema of envplan/plans/demo/plan.json).

    The plan is identified by issuer and document number, else by content hash. Saving the same content
    again changes nothing and returns (plan, False); new content for an existing plan replaces its
    structure. Returns (plan, changed). Side effects: `plan.created` or `plan.replaced` audit entries and
    those of `ensure_unit`. Raises PlanDataError, leaving the database as it was, on inconsistent data.
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
    if plan is None:
        plan = Plan.objects.create(**fields)
        action, before = "plan.created", None
    else:
        before = plan_counts(plan)
        plan.chapters.all().delete()
        plan.targets.all().delete()
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
        action = "plan.replaced"

    target_position = 0
    for goal in data.get("goals", []):
        target_position += 1
        Target.objects.create(plan=plan, task=None, position=target_position, **target_fields(goal))
    task_position = 0
    for chapter_position, chapter_data in enumerate(data["chapters"], start=1):
        chapter = Chapter.objects.create(
            plan=plan, position=chapter_position, number=chapter_data["number"], title=chapter_data["title"]
        )
        for section_position, section_data in enumerate(chapter_data.get("sections", []), start=1):
            section = Section.objects.create(
                chapter=chapter,
                position=section_position,
                number=section_data["number"],
                title=section_data["title"],
            )
            for task_data in section_data.get("tasks", []):
                task_position += 1
                task = Task.objects.create(
                    plan=plan,
                    section=section,
                    position=task_position,
                    number=int(task_data["number"]),
                    title=task_data["title"],
                    summary=task_data.get("summary", ""),
                )
                assignments = []
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
                Assignment.objects.bulk_create(assignments, ignore_conflicts=True)
                for target_data in task_data.get("targets", []):
                    target_position += 1
                    Target.objects.create(
                        plan=plan, task=task, position=target_position, **target_fields(target_data)
                    )
    record_audit(plan, action=action, actor=by, before=before, after=plan_counts(plan), plan_id=plan.pk)
    return plan, True


def units_lookup(units: dict[str, Unit], code: str) -> Unit:
    if code in units:
        return units[code]
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise PlanDataError(f"unknown unit {code!r}")
    units[code] = found
    return found


def target_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "indicator": data["indicator"],
        "comparator": data["comparator"],
        "value": Decimal(str(data["value"])),
        "unit_of_measure": data.get("unit_of_measure", ""),
        "deadline": parse_date(data.get("deadline")),
        "as_written": data.get("as_written", ""),
    }


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "chapters": plan.chapters.count(),
        "sections": Section.objects.filter(chapter__plan=plan).count(),
        "tasks": plan.tasks.count(),
        "targets": plan.targets.count(),
    }
