"""The random-inspections section of the public portal (envplan.core.publication), registered from
InspectionsConfig.ready(): the "one public" of "double random, one public" (双随机、一公开).

* draws: each draw's commitment (pool and seed hashes) from the moment it is made, and once published the
  revealed seed and the enterprises selected, in draw order: enough to recompute it (docs/draw-method.md);
* results: each published inspection record's result in the official vocabulary, its follow-up and fine;
* rectification closures: each task whose closure notice (销号公示) is published, with its deadline and
  whether it closed a month early.

Inspectors' names, the site notes and the findings' free text stay inside: the draw's own public page
(inspections:public_draw) shows the teams as the office publishes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Max, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from envplan.core.publication import Column, Row, Section, Table, register_section
from envplan.inspections import queries
from envplan.inspections.indicators import one_month_before
from envplan.inspections.models import (
    OFFICIAL_RESULT,
    OFFICIAL_STATUS,
    Draw,
    DrawState,
    FollowUp,
    InspectionRecord,
    RecordState,
    RectificationTask,
)

Published = TypeVar("Published", bound=Model)

SEED_PUBLIC = (DrawState.REVEALED, DrawState.PUBLISHED)


def draw_rows(now: dt.datetime) -> list[Row]:
    rows: list[Row] = []
    for draw in queries.public_draws():
        published = draw.state == DrawState.PUBLISHED and bool(draw.result)
        names = {entry["id"]: entry.get("name", "") for entry in draw.pool}
        selected = list(draw.result["selected"]) if published and draw.result else []
        rows.append(
            {
                "draw": draw.pk,
                "task": draw.task.code,
                "task_name": draw.task.name,
                "year": draw.task.year,
                "stratum": draw.stratum,
                "state": draw.state,
                "targets": draw.count,
                "pool_size": len(draw.pool),
                "pool_sha256": draw.pool_sha256,
                "seed_sha256": draw.seed_sha256,
                "committed": draw.committed_at,
                "seed": draw.seed_hex if draw.state in SEED_PUBLIC else "",
                "selected": " ".join(selected),
                "selected_names": "; ".join(names.get(i, i) for i in selected),
                "published": draw.published_at,
                "record_url": draw.get_public_url(),
            }
        )
    return rows


def result_rows(now: dt.datetime) -> list[Row]:
    records = queries.published_records().filter(published_at__lte=now)
    follow_labels = dict(FollowUp.choices)
    return [
        {
            "record": record.pk,
            "task": record.task.code,
            "year": record.task.year,
            "enterprise": record.enterprise.name,
            "credit_code": record.enterprise.credit_code,
            "inspected_on": record.inspected_on,
            "result": record.result,
            "result_zh": OFFICIAL_RESULT.get(record.result, ""),
            "follow_up": "; ".join(str(follow_labels.get(code, code)) for code in record.follow_ups),
            "fine_yuan": float(record.penalty_amount) if record.penalty_amount is not None else None,
            "penalty_decision": record.penalty_decision,
            "published": record.published_at,
            "generated": record.generated,
        }
        for record in records
    ]


def closure_rows(now: dt.datetime) -> list[Row]:
    rows: list[Row] = []
    for task in queries.public_notices().filter(notice_start__lte=now.date()):
        closed = task.closed_on
        rows.append(
            {
                "task": task.pk,
                "round": task.round,
                "number": task.number,
                "problem": task.problem,
                "carried_out_by": task.subject,
                "accepting_unit": task.accepting_unit.name,
                "deadline": task.deadline,
                "status": OFFICIAL_STATUS.get(task.state, task.state),
                "accepted_on": task.accepted_on,
                "notice_from": task.notice_start,
                "notice_until": task.notice_end,
                "closed_on": closed,
                "closed_a_month_early": closed is not None and closed <= one_month_before(task.deadline),
                "generated": task.generated,
            }
        )
    return rows


def closure_owner(row: Row) -> str | None:
    """A correction about a closure goes to the task's accepting unit."""
    code = RectificationTask.objects.filter(pk=row["task"]).values_list("accepting_unit__code", flat=True)
    return code.first()


def _latest(rows: QuerySet[Published], field: str) -> Callable[[], dt.datetime | None]:
    """When a table last changed: the latest ``field`` of its rows (None without rows)."""

    def updated() -> dt.datetime | None:
        value = rows.aggregate(last=Max(field))["last"]
        return value if isinstance(value, dt.datetime) else None

    return updated


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    draws = draw_rows(now)
    return [
        (str(_("draws published")), str(sum(1 for row in draws if row["state"] == DrawState.PUBLISHED))),
        (str(_("inspection results published")), str(len(result_rows(now)))),
        (str(_("rectification tasks closed")), str(sum(1 for row in closure_rows(now) if row["closed_on"]))),
    ]


def register() -> None:
    generated = Column(
        "generated", _("Generated"), _("true when the record was made up by the demo."), type="boolean"
    )
    published = InspectionRecord.objects.filter(state=RecordState.PUBLISHED)
    task_number = Column("task", _("Task"), _("The inspection task's number."))
    year = Column("year", _("Year"), _("The task's year."), type="integer")
    register_section(
        Section(
            key="inspections",
            title=_("Random inspections"),
            summary=_(
                "Double random, one public: each draw with what is needed to check it, the results of the "
                "inspections, and the closure notices of rectification tasks."
            ),
            order=45,
            watch=("inspections.Draw", "inspections.InspectionRecord", "inspections.RectificationTask"),
            tables=(
                Table(
                    name="inspection-draws",
                    title=_("Random-inspection draws"),
                    description=_(
                        "Each draw: the hashes committed before it, and once published the seed and the "
                        "enterprises selected in draw order. The method is docs/draw-method.md."
                    ),
                    columns=(
                        Column("draw", _("Draw"), _("envplan's number of the draw."), type="integer"),
                        task_number,
                        Column("task_name", _("Task name"), _("The inspection task.")),
                        year,
                        Column("stratum", _("Stratum"), _("The part of the register drawn from.")),
                        Column("state", _("Stage"), _("committed, drawn, revealed or published.")),
                        Column(
                            "targets",
                            _("Targets drawn"),
                            _("How many enterprises are drawn."),
                            type="integer",
                        ),
                        Column("pool_size", _("Pool size"), _("Enterprises in the pool."), type="integer"),
                        Column(
                            "pool_sha256",
                            _("Pool hash"),
                            _("SHA-256 of the pool, published before the draw."),
                        ),
                        Column(
                            "seed_sha256",
                            _("Seed hash"),
                            _("SHA-256 of the secret seed, published before the draw."),
                        ),
                        Column(
                            "committed", _("Committed"), _("When the hashes were published."), type="datetime"
                        ),
                        Column("seed", _("Seed"), _("The seed in hexadecimal, once revealed.")),
                        Column(
                            "selected", _("Selected"), _("Pool ids selected, in draw order, once published.")
                        ),
                        Column(
                            "selected_names", _("Enterprises selected"), _("Their names, in the same order.")
                        ),
                        Column(
                            "published", _("Published"), _("When the draw was published."), type="datetime"
                        ),
                        Column("record_url", _("Public record"), _("The draw's public page with its files.")),
                    ),
                    rows=draw_rows,
                    key="draw",
                    label="task",
                    keywords=("double random", "random inspections"),
                    updated=_latest(Draw.objects.all(), "updated_at"),
                ),
                Table(
                    name="inspection-results",
                    title=_("Inspection results"),
                    description=_("Each published inspection result in the official vocabulary."),
                    columns=(
                        Column(
                            "record",
                            _("Inspection record"),
                            _("envplan's number of the record."),
                            type="integer",
                        ),
                        task_number,
                        year,
                        Column("enterprise", _("Enterprise"), _("The enterprise inspected.")),
                        Column(
                            "credit_code",
                            _("Unified social credit code"),
                            _("统一社会信用代码 (GB 32100-2015)."),
                        ),
                        Column("inspected_on", _("Inspected on"), _("Day of the inspection."), type="date"),
                        Column("result", _("Result code"), _("Code of the result (1, A, E, F, 7 to 12).")),
                        Column("result_zh", _("Result"), _("The result in the official wording (检查结果).")),
                        Column("follow_up", _("Follow-up"), _("What follows (后续处置措施).")),
                        Column(
                            "fine_yuan", _("Fine"), _("The fine decided, if any."), type="number", unit="yuan"
                        ),
                        Column(
                            "penalty_decision", _("Penalty decision"), _("The decision's number, if any.")
                        ),
                        Column(
                            "published", _("Published"), _("When the result was published."), type="datetime"
                        ),
                        generated,
                    ),
                    rows=result_rows,
                    key="record",
                    label="enterprise",
                    keywords=("double random", "inspection results"),
                    updated=_latest(published, "published_at"),
                ),
                Table(
                    name="rectification-closures",
                    title=_("Rectification closures"),
                    description=_(
                        "Rectification tasks whose closure notice (销号公示) is published, with their "
                        "deadline and whether they closed a month before it."
                    ),
                    columns=(
                        Column("task", _("Task"), _("envplan's number of the task."), type="integer"),
                        Column(
                            "round", _("Inspection round"), _("The inspection whose feedback it answers.")
                        ),
                        Column(
                            "number", _("Number"), _("Its number in the rectification plan."), type="integer"
                        ),
                        Column("problem", _("Problem"), _("The problem to rectify, as listed.")),
                        Column("carried_out_by", _("Carried out by"), _("Who rectifies.")),
                        Column("accepting_unit", _("Accepting unit"), _("The unit that accepts the work.")),
                        Column("deadline", _("Deadline"), _("The deadline of the task."), type="date"),
                        Column("status", _("Status"), _("Official status (已验收, 已销号 …).")),
                        Column("accepted_on", _("Accepted on"), _("Day of acceptance."), type="date"),
                        Column(
                            "notice_from",
                            _("Notice from"),
                            _("First day of the closure notice."),
                            type="date",
                        ),
                        Column(
                            "notice_until",
                            _("Notice until"),
                            _("Last day of the closure notice."),
                            type="date",
                        ),
                        Column("closed_on", _("Closed on"), _("Day it was closed (销号)."), type="date"),
                        Column(
                            "closed_a_month_early",
                            _("Closed a month early"),
                            _("true when closed at least a month before the deadline."),
                            type="boolean",
                        ),
                        generated,
                    ),
                    rows=closure_rows,
                    owner=closure_owner,
                    key="task",
                    label="problem",
                    keywords=("rectification", "closure notices"),
                    updated=_latest(RectificationTask.objects.all(), "updated_at"),
                ),
            ),
            highlights=_highlights,
        )
    )
