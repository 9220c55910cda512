"""The verifiable draw in the app: plan, commit, draw, reveal, publish; each step audited.

The draw itself is `envplan.draw` (method `envplan-draw-1`, docs/draw-method.md): this module only
freezes its inputs, keeps its output, and makes sure that what is stored is exactly what the pure
`envplan inspections verify` reproduces from the exported pool, roster and published JSON.

A task's pool is the year's supervision objects, each in the stratum its category and the frequency
factors give it (envplan.inspections.frequency). One draw is made per stratum, because each stratum has
its own ratio (ratios.py) while the method takes either a proportional total or the same count from
every stratum. Every draw of a task is committed, made and published on its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan import draw as pure
from envplan.core.services import Actor, record_audit
from envplan.inspections import frequency
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import (
    Draw,
    DrawnTarget,
    DrawState,
    Finding,
    InspectionRecord,
    InspectionTask,
    Inspector,
    RatioRule,
    RecordState,
    Recusal,
    SupervisionObject,
)
from envplan.inspections.ratios import base_share, quota
from envplan.inspections.services.common import local_day, moment, require_office
from envplan.sources.models import Enterprise

SEED_BYTES = 32
NOT_OFFICE_DRAW = gettext_lazy("Draws are made by the district office and the bureau.")


def pool_id(enterprise_id: int) -> str:
    """An enterprise's id in a pool: stable, and never holding what the method forbids (tab, line break)."""
    return f"E{enterprise_id}"


@dataclass(frozen=True)
class PoolEntry:
    id: str
    enterprise: Enterprise
    effective: frequency.Effective


def pool_entries(year: int, *, on: dt.date | None = None) -> list[PoolEntry]:
    """The year's supervision objects with the stratum the frequency factors give each on day `on` (today
    by default), in id order."""
    objects = list(SupervisionObject.objects.filter(year=year).select_related("enterprise"))
    raises = frequency.raises_for([o.enterprise_id for o in objects], year, on or local_day(moment(None)))
    entries = [
        PoolEntry(
            pool_id(o.enterprise_id),
            o.enterprise,
            frequency.effective(o.category, raises.get(o.enterprise_id, [])),
        )
        for o in objects
    ]
    return sorted(entries, key=lambda entry: entry.id)


def qualified_inspectors(task: InspectionTask) -> list[Inspector]:
    needed = set(task.required_qualifications)
    return [
        i for i in Inspector.objects.filter(active=True).order_by("code") if needed <= set(i.qualifications)
    ]


@dataclass(frozen=True)
class StratumPlan:
    stratum: str
    category: str
    multiplier: Decimal
    entries: list[PoolEntry]
    count: int
    basis: str


def _number(value: Decimal | Fraction) -> str:
    return format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)


def plan_strata(task: InspectionTask, *, on: dt.date | None = None) -> list[StratumPlan]:
    """How many targets each stratum of the task's year gives on day `on` (today by default), from the
    year's ratio rules."""
    entries = pool_entries(task.year, on=on)
    by_stratum: dict[str, list[PoolEntry]] = defaultdict(list)
    category_size: dict[str, int] = defaultdict(int)
    for entry in entries:
        by_stratum[entry.effective.stratum].append(entry)
        category_size[entry.effective.category] += 1
    rules = {rule.category: rule for rule in RatioRule.objects.filter(year=task.year)}
    inspectors = len(qualified_inspectors(task))
    plans = []
    for stratum, members in sorted(by_stratum.items()):
        category = members[0].effective.category
        multiplier = members[0].effective.multiplier
        rule = rules.get(category)
        if rule is None:
            raise InspectionError(
                _("No ratio rule for %(category)s objects in %(year)d: set one first.")
                % {"category": category, "year": task.year},
                field="ratio",
            )
        share = base_share(
            per=rule.per,
            task_per=task.frequency,
            category_size=category_size[category],
            percent=rule.percent,
            objects_per_inspector=rule.objects_per_inspector,
            inspectors=inspectors,
        )
        result = quota(size=len(members), share=share, multiplier=multiplier)
        if rule.percent is not None:
            basis = f"{_number(rule.percent)} % / {rule.per}"
        else:
            assert rule.objects_per_inspector is not None
            ratio = _number(rule.objects_per_inspector)
            basis = f"1:{ratio} / {rule.per} × {inspectors} ÷ {category_size[category]}"
        if rule.per != task.frequency:
            basis += f" → / {task.frequency}"
        if multiplier != 1:
            basis += f" × {_number(multiplier)}"
        basis += f" of {len(members)} → {result.count}"
        plans.append(StratumPlan(stratum, category, multiplier, members, result.count, basis[:300]))
    return plans


@transaction.atomic
def plan_draws(task: InspectionTask, *, by: Actor, now: dt.datetime | None = None) -> list[Draw]:
    """One planned draw per stratum that gives at least one target, as the register stands at `now`.
    Planning again replaces the planned draws (never a committed one). Side effect: audit
    `inspections.draws_planned`."""
    require_office(by, str(NOT_OFFICE_DRAW))
    task = InspectionTask.objects.select_for_update().get(pk=task.pk)
    if task.draws.exclude(state=DrawState.PLANNED).exists():
        raise InspectionError(
            _("A draw of this task is already committed: its plan can no longer change."),
            kind=ErrorKind.WRONG_STATE,
        )
    plans = [p for p in plan_strata(task, on=local_day(moment(now))) if p.count > 0]
    if not plans:
        raise InspectionError(_("The year's register gives nothing to draw for this task."), field="pool")
    task.draws.all().delete()
    draws = [
        Draw.objects.create(
            task=task,
            stratum=p.stratum,
            category=p.category,
            multiplier=p.multiplier,
            count=p.count,
            quota_basis=p.basis,
        )
        for p in plans
    ]
    record_audit(
        task,
        action="inspections.draws_planned",
        actor=by,
        after={"draws": {d.stratum: d.count for d in draws}},
    )
    return draws


# --- the roster ----------------------------------------------------------------------------------------


def previous_task(task: InspectionTask) -> InspectionTask | None:
    """The latest earlier task with a made draw: its teams are the 'previous round' of rotation."""
    return (
        InspectionTask.objects.filter(
            period_start__lt=task.period_start,
            draws__state__in=[DrawState.DRAWN, DrawState.REVEALED, DrawState.PUBLISHED],
        )
        .order_by("-period_start", "-pk")
        .first()
    )


def roster_snapshot(task: InspectionTask, *, today: dt.date) -> list[dict[str, Any]]:
    """Every active inspector with their qualifications, recusals in force and the targets they inspected
    in the previous round, as the method's roster lists them (docs/draw-method.md)."""
    recused: dict[int, set[str]] = defaultdict(set)
    for inspector_id, enterprise_id, ended in Recusal.objects.values_list(
        "inspector_id", "enterprise_id", "ended_on"
    ):
        if ended is None or ended > today:
            recused[inspector_id].add(pool_id(enterprise_id))
    recent: dict[int, set[str]] = defaultdict(set)
    previous = previous_task(task)
    if previous is not None:
        through = DrawnTarget.inspectors.through
        for inspector_id, target_pool_id in through.objects.filter(
            drawntarget__draw__task=previous
        ).values_list("inspector_id", "drawntarget__pool_id"):
            recent[inspector_id].add(target_pool_id)
    return [
        {
            "id": inspector.code,
            "inspector": inspector.pk,
            "name": inspector.name,
            "qualifications": sorted(inspector.qualifications),
            "recused_from": sorted(recused[inspector.pk]),
            "recently_inspected": sorted(recent[inspector.pk]),
        }
        for inspector in Inspector.objects.filter(active=True).order_by("code")
    ]


def pure_pool(draw: Draw) -> pure.Pool:
    return pure.Pool.of([(entry["id"], "") for entry in draw.pool])


def pure_roster(draw: Draw) -> tuple[pure.Inspector, ...]:
    return pure.inspector_roster(
        pure.Inspector(
            entry["id"],
            frozenset(entry["qualifications"]),
            frozenset(entry["recused_from"]),
            frozenset(entry["recently_inspected"]),
        )
        for entry in draw.roster
    )


def team_settings(task: InspectionTask) -> pure.TeamSettings:
    return {
        "team_size": task.team_size,
        "required": sorted(task.required_qualifications),
        "max_targets": task.max_targets,
    }


# --- the four steps ------------------------------------------------------------------------------------


def _locked(draw: Draw, state: str, message: str) -> Draw:
    draw = Draw.objects.select_for_update().select_related("task").get(pk=draw.pk)
    if draw.state != state:
        raise InspectionError(message, kind=ErrorKind.WRONG_STATE, field="state")
    return draw


def _seed_hash(text: str) -> str:
    digits = text.strip().lower()
    if len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
        raise InspectionError(_("A SHA-256 hash is 64 hexadecimal digits."), field="seed_sha256")
    return digits


@transaction.atomic
def commit_draw(draw: Draw, *, by: Actor, seed_sha256: str = "", now: dt.datetime | None = None) -> Draw:
    """Freeze the stratum's pool and the inspector roster, and commit to a seed: their hashes become public.

    Without `seed_sha256`, envplan makes a 32-byte seed and keeps it secret until it is revealed; with it,
    the office keeps the seed and gives it at the draw. Side effect: audit `inspections.draw_committed`.
    """
    require_office(by, str(NOT_OFFICE_DRAW))
    draw = _locked(draw, DrawState.PLANNED, _("Only a planned draw can be committed."))
    now = moment(now)
    plans = {p.stratum: p for p in plan_strata(draw.task, on=local_day(now))}
    plan = plans.get(draw.stratum)
    if plan is None or plan.count == 0:
        raise InspectionError(
            _("The register no longer gives anything to draw in stratum %(stratum)s: plan the draws again.")
            % {"stratum": draw.stratum},
            field="pool",
        )
    draw.count, draw.quota_basis = plan.count, plan.basis
    draw.pool = [
        {
            "id": entry.id,
            "enterprise": entry.enterprise.pk,
            "name": entry.enterprise.name,
            "name_zh": entry.enterprise.name_zh,
            "credit_code": entry.enterprise.credit_code,
            "reasons": list(entry.effective.reasons),
        }
        for entry in plan.entries
    ]
    draw.roster = roster_snapshot(draw.task, today=local_day(now))
    if not draw.roster:
        raise InspectionError(_("The inspector register is empty."), field="roster")
    _check_staffing(draw)
    draw.pool_sha256 = pure_pool(draw).sha256()
    draw.roster_sha256 = pure.roster_sha256(pure_roster(draw))
    if seed_sha256.strip():
        draw.seed_sha256, draw.seed_hex, draw.seed_from_office = _seed_hash(seed_sha256), "", True
    else:
        seed = secrets.token_bytes(SEED_BYTES)
        draw.seed_sha256, draw.seed_hex, draw.seed_from_office = pure.seed_sha256(seed), seed.hex(), False
    draw.state, draw.committed_at = DrawState.COMMITTED, now
    draw.save()
    record_audit(
        draw,
        action="inspections.draw_committed",
        actor=by,
        after={
            "pool_sha256": draw.pool_sha256,
            "roster_sha256": draw.roster_sha256,
            "seed_sha256": draw.seed_sha256,
            "pool_size": len(draw.pool),
            "roster_size": len(draw.roster),
            "count": draw.count,
            "seed_from_office": draw.seed_from_office,
        },
    )
    return draw


def _check_staffing(draw: Draw) -> None:
    """Before committing: every enterprise of the pool must have a full team of eligible inspectors,
    whatever the seed draws (the method refuses a short team, and a committed draw cannot be redone)."""
    settings = team_settings(draw.task)
    needed = set(settings["required"])
    for entry in draw.pool:
        eligible = sum(
            1
            for inspector in draw.roster
            if needed <= set(inspector["qualifications"])
            and entry["id"] not in inspector["recused_from"]
            and entry["id"] not in inspector["recently_inspected"]
        )
        if eligible < settings["team_size"]:
            raise InspectionError(
                _("%(name)s has %(eligible)d eligible inspectors; a team needs %(needed)d. Add inspectors or "
                  "lower the team size first.")
                % {"name": entry["name"], "eligible": eligible, "needed": settings["team_size"]},
                kind=ErrorKind.NOT_ENOUGH_INSPECTORS,
                field="roster",
            )  # fmt: skip


def _seed_of(draw: Draw, given: str) -> bytes:
    if not given.strip():
        if not draw.seed_hex:
            raise InspectionError(_("The office keeps this draw's seed: give it to draw."), field="seed")
        return bytes.fromhex(draw.seed_hex)
    try:
        seed = pure.parse_seed(given)
    except pure.DrawError as error:
        raise InspectionError(str(error), field="seed") from None
    if pure.seed_sha256(seed) != draw.seed_sha256:
        raise InspectionError(_("This is not the committed seed: its hash differs."), field="seed")
    return seed


def published_document(draw: Draw, seed: bytes) -> dict[str, Any]:
    """The draw as `envplan inspections draw --inspectors` prints it, from the frozen pool and roster."""
    result = pure.draw(pure_pool(draw), seed, pure.DrawMethod(count=draw.count))
    document = result.as_json()
    document["teams"] = pure.teams_document(
        result.selected, pure_roster(draw), seed=seed, settings=team_settings(draw.task)
    )
    return document


@transaction.atomic
def make_draw(draw: Draw, *, by: Actor, seed: str = "", now: dt.datetime | None = None) -> Draw:
    """Draw the targets and their teams from the frozen pool and roster. The list stays confidential; each
    target gets a draft inspection record for its team. Side effect: audit `inspections.draw_made`."""
    require_office(by, str(NOT_OFFICE_DRAW))
    draw = _locked(draw, DrawState.COMMITTED, _("Only a committed draw can be made."))
    now = moment(now)
    secret = _seed_of(draw, seed)
    try:
        document = published_document(draw, secret)
    except pure.NotEnoughInspectors as error:
        raise InspectionError(
            _("Target %(target)s has %(eligible)d eligible inspectors; a team needs %(needed)d.")
            % {"target": error.target, "eligible": error.eligible, "needed": error.needed},
            kind=ErrorKind.NOT_ENOUGH_INSPECTORS,
            field="roster",
        ) from None  # fmt: skip
    except pure.DrawError as error:
        raise InspectionError(str(error), field="pool") from None
    draw.seed_hex, draw.result, draw.state, draw.drawn_at = secret.hex(), document, DrawState.DRAWN, now
    draw.save()
    enterprises = {entry["id"]: entry["enterprise"] for entry in draw.pool}
    inspectors = {entry["id"]: entry["inspector"] for entry in draw.roster}
    items = list(draw.task.items.all())
    for position, target in enumerate(document["selected"], start=1):
        drawn = DrawnTarget.objects.create(
            draw=draw, position=position, pool_id=target, enterprise_id=enterprises[target]
        )
        team = [inspectors[code] for code in document["teams"]["assigned"][target]]
        drawn.inspectors.set(team)
        record = InspectionRecord.objects.create(
            task=draw.task, drawn_target=drawn, enterprise_id=enterprises[target]
        )
        record.inspectors.set(team)
        Finding.objects.bulk_create([Finding(record=record, item=item) for item in items])
    record_audit(draw, action="inspections.draw_made", actor=by, after={"targets": len(document["selected"])})
    return draw


def confidential_until_done(draw: Draw, today: dt.date) -> bool:
    """The list stays confidential until the inspections: every record completed, or the period over."""
    if today > draw.task.period_end:
        return False
    return InspectionRecord.objects.filter(drawn_target__draw=draw, state=RecordState.DRAFT).exists()


def differences(draw: Draw) -> list[str]:
    """What the pure method, run again on the stored inputs and seed, does not reproduce (empty: all)."""
    if draw.result is None or not draw.seed_hex:
        return ["no draw stored"]
    seed = bytes.fromhex(draw.seed_hex)
    remade = pure.draw(pure_pool(draw), seed, pure.DrawMethod(count=draw.count))
    found = pure.differences(draw.result, remade)
    if not found and draw.result.get("teams") != published_document(draw, seed)["teams"]:
        found.append("teams: the teams are not the ones the method gives")
    return found


@transaction.atomic
def reveal_seed(draw: Draw, *, by: Actor, now: dt.datetime | None = None) -> Draw:
    """Disclose the seed once the inspections are done, after checking that the stored draw is exactly what
    the method gives. Side effect: audit `inspections.seed_revealed` (with the seed)."""
    require_office(by, str(NOT_OFFICE_DRAW))
    draw = _locked(draw, DrawState.DRAWN, _("Only a made draw can have its seed revealed."))
    now = moment(now)
    if confidential_until_done(draw, local_day(now)):
        raise InspectionError(
            _("The list stays confidential until the inspections are done: complete every record first, or "
              "wait until the task's period is over."),
            kind=ErrorKind.WRONG_STATE,
            field="state",
        )  # fmt: skip
    found = differences(draw)
    if found:
        raise InspectionError("; ".join(found), kind=ErrorKind.WRONG_STATE, field="result")
    draw.state, draw.revealed_at = DrawState.REVEALED, now
    draw.save(update_fields=["state", "revealed_at", "updated_at"])
    record_audit(draw, action="inspections.seed_revealed", actor=by, after={"seed": draw.seed_hex})
    return draw


@transaction.atomic
def publish_draw(draw: Draw, *, by: Actor, now: dt.datetime | None = None) -> Draw:
    """Make the whole draw public: the pool, the roster, the seed and the draw, on its public page.
    Side effect: audit `inspections.draw_published`."""
    require_office(by, str(NOT_OFFICE_DRAW))
    draw = _locked(draw, DrawState.REVEALED, _("Reveal the seed before publishing the draw."))
    draw.state, draw.published_at = DrawState.PUBLISHED, moment(now)
    draw.save(update_fields=["state", "published_at", "updated_at"])
    record_audit(
        draw, action="inspections.draw_published", actor=by, after={"published_at": str(draw.published_at)}
    )
    return draw


# --- the files anyone can check with `envplan inspections verify` ------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is shown with a leading quote (only in descriptive columns:
    the ids are ours and never start so)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def pool_csv(draw: Draw) -> bytes:
    """The frozen pool as a CSV that `envplan inspections verify` reads (`id`; the other columns describe)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "name_zh", "credit_code", "stratum"])
    for entry in draw.pool:
        writer.writerow(
            [
                entry["id"],
                _cell(entry["name"]),
                _cell(entry.get("name_zh", "")),
                _cell(entry["credit_code"]),
                draw.stratum,
            ]
        )
    return out.getvalue().encode("utf-8")


def registry_pool_csv(year: int) -> bytes:
    """The year's whole register as a pool, with each object's stratum: `envplan inspections draw
    --strata stratum` reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "stratum", "category", "name", "name_zh", "credit_code", "reasons"])
    for entry in pool_entries(year):
        writer.writerow(
            [
                entry.id,
                entry.effective.stratum,
                entry.effective.registered,
                _cell(entry.enterprise.name),
                _cell(entry.enterprise.name_zh),
                _cell(entry.enterprise.credit_code),
                _cell("; ".join(entry.effective.reasons)),
            ]
        )
    return out.getvalue().encode("utf-8")


def roster_csv(draw: Draw) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "qualifications", "recused_from", "recently_inspected"])
    for entry in draw.roster:
        writer.writerow(
            [
                entry["id"],
                ";".join(entry["qualifications"]),
                ";".join(entry["recused_from"]),
                ";".join(entry["recently_inspected"]),
            ]
        )
    return out.getvalue().encode("utf-8")


def draw_json(draw: Draw) -> bytes:
    if draw.result is None:
        raise InspectionError(_("The draw is not made yet."), kind=ErrorKind.WRONG_STATE)
    return (json.dumps(draw.result, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
