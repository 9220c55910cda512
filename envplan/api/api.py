"""The JSON API: plans, tasks, targets, task statuses and progress reports, behind personal tokens.

Every call needs `Authorization: Bearer <token>` (see `envplan token create`). Reads follow the same
rules as the pages (envplan.progress.permissions); writes go through envplan.progress.services, which
write the audit entries. The OpenAPI schema is served at /api/openapi.json and its docs page at /api/docs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from envplan.api import schemas
from envplan.api.tokens import user_for_token
from envplan.core import clock
from envplan.indicators.services import Attainment, attainment, series_by_target
from envplan.plans import queries
from envplan.plans.models import Chapter, Plan, Target, Task, Unit
from envplan.progress import permissions as rules
from envplan.progress import services as progress
from envplan.progress.errors import ProgressError
from envplan.progress.models import ProgressReport, ReportState
from envplan.progress.status import TaskState, plan_task_states

MAX_LIMIT = 500
T = TypeVar("T")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ep_...`: a live token of an active user; the request acts as that user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user


class ApiError(Exception):
    def __init__(
        self, status: int, detail: str, field: str | None = None, errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.errors = errors or [{"field": field or "", "message": detail}]

    @classmethod
    def from_progress(cls, error: ProgressError) -> ApiError:
        """The service's typed refusal as JSON: the first problem's status, message and field, and all."""
        problems = [{"field": p.field, "kind": str(p.kind), "message": p.message} for p in error.problems]
        return cls(error.http_status, error.message, error.field, problems)


api = NinjaAPI(
    title="envplan API",
    version="1",
    description=(
        "Read a district action plan (plans, tasks, targets, task statuses) and submit progress reports. "
        "Authenticate with `Authorization: Bearer <token>`; create a token with `envplan token create`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {"detail": error.detail, "field": error.field, "errors": error.errors}
    return api.create_response(request, body, status=error.status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "A valid API token is required (Authorization: Bearer <token>)."}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    problems = []
    for item in error.errors:
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "payload", "query", "data", "filters", "paging")
        ]
        problems.append({"field": ".".join(location), "message": str(item.get("msg", "invalid"))})
    first = problems[0] if problems else {"field": "", "message": "invalid input"}
    body = {"detail": f"{first['field']}: {first['message']}", "field": first["field"], "errors": problems}
    return api.create_response(request, body, status=400)


# --- paging -----------------------------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = 100
    offset: int = 0


def page(items: QuerySet[Any] | list[Any], paging: PageQuery, convert: Callable[[Any], T]) -> dict[str, Any]:
    if paging.limit < 1 or paging.limit > MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}.", "limit")
    if paging.offset < 0:
        raise ApiError(400, "offset must not be negative.", "offset")
    count = items.count() if isinstance(items, QuerySet) else len(items)
    window = items[paging.offset : paging.offset + paging.limit]
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [convert(i) for i in window],
    }


class Page(Schema):
    """One window of a list: how many items in all, the window asked for, and its items (`items`, of the
    subclass's type)."""

    count: int
    limit: int
    offset: int


class PlanPage(Page):
    items: list[schemas.PlanOut]


class TaskPage(Page):
    items: list[schemas.TaskOut]


class TargetPage(Page):
    items: list[schemas.TargetOut]


class StatusPage(Page):
    items: list[schemas.StatusOut]


class ReportPage(Page):
    items: list[schemas.ReportOut]


# --- converting ---------------------------------------------------------------------------------------


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "issuer": plan.issuer,
        "doc_number": plan.doc_number,
        "date": plan.date,
        "year": plan.year,
    }


def attainment_out(found: Attainment) -> dict[str, Any]:
    return {
        "rating": found.rating,
        "met": found.met,
        "latest": number(found.latest),
        "latest_date": found.latest_date,
        "projected": number(found.projected),
        "projected_date": found.projected_date,
    }


def targets_out(targets: Iterable[Target], plan: Plan, task_numbers: dict[int, int]) -> list[dict[str, Any]]:
    targets = list(targets)
    series = series_by_target(targets)
    today = clock.today()
    year_end = dt.date(plan.year, 12, 31)
    return [
        {
            "id": t.pk,
            "task": task_numbers.get(t.task_id) if t.task_id else None,
            "position": t.position,
            "indicator": t.indicator,
            "comparator": t.comparator,
            "value": float(t.value),
            "unit_of_measure": t.unit_of_measure,
            "deadline": t.deadline,
            "attainment": attainment_out(attainment(t, series[t.pk], today=today, year_end=year_end)),
        }
        for t in targets
    ]


def task_out(task: Task) -> dict[str, Any]:
    chapter = task.section.chapter
    return {
        "id": task.pk,
        "number": task.number,
        "title": task.title,
        "chapter": chapter.number,
        "chapter_position": chapter.position,
        "section": task.section.number,
        "units": [{"code": a.unit.code, "name": a.unit.name, "role": a.role} for a in task.assignments.all()],
    }


def status_out(state: TaskState) -> dict[str, Any]:
    return {
        "task": state.task.number,
        "status": state.status,
        "label": state.label,
        "reasons": list(state.reasons),
        "missing_reports": state.missing_reports,
    }


def report_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "plan": report.task.plan_id,
        "task": report.task.number,
        "unit": report.unit.code,
        "period": f"{report.period:%Y-%m}",
        "status": report.status,
        "state": report.state,
        "narrative": report.narrative,
        "version": report.version,
        "generated": report.generated,
        "submitted_at": report.submitted_at,
        "approved_at": report.approved_at,
        "values": {str(v.target_id): float(v.value) for v in report.values.all()},
    }


def month(text: str, field: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ApiError(400, f"{text!r} is not a period of the form YYYY-MM.", field) from None


# --- plans ----------------------------------------------------------------------------------------------


@api.get("/plans", response=PlanPage, tags=["plans"], summary="List plans")
def list_plans(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    return page(Plan.objects.order_by("-year", "title", "pk"), paging, plan_out)


@api.get("/plans/{plan_id}", response=schemas.PlanDetailOut, tags=["plans"], summary="One plan")
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    plan = get_object_or_404(Plan, pk=plan_id)
    chapters = plan.chapters.prefetch_related("sections").order_by("position")
    settings = progress.reporting_settings(plan)
    return {
        **plan_out(plan),
        "summary": plan.summary,
        "chapters": [
            {
                "position": c.position,
                "number": c.number,
                "title": c.title,
                "sections": [
                    {"position": s.position, "number": s.number, "title": s.title} for s in c.sections.all()
                ],
            }
            for c in chapters
        ],
        "goals": targets_out(queries.plan_goals(plan), plan, {}),
        "reporting": {
            "frequency": settings.frequency,
            "due_day": settings.due_day,
            "first_period": f"{settings.first_period:%Y-%m}",
            "last_period": f"{settings.last_period:%Y-%m}",
            "closed_through": f"{settings.closed_through:%Y-%m}" if settings.closed_through else None,
        },
    }


class TaskFilter(PageQuery):
    unit: str | None = None
    chapter: int | None = None


@api.get("/plans/{plan_id}/tasks", response=TaskPage, tags=["plans"], summary="The plan's tasks")
def list_tasks(request: HttpRequest, plan_id: int, filters: Query[TaskFilter]) -> dict[str, Any]:
    """Filter by `unit` (a unit code; a group unit's members match its tasks) and `chapter` (its position)."""
    plan = get_object_or_404(Plan, pk=plan_id)
    unit = None
    chapter = None
    if filters.unit:
        unit = Unit.objects.filter(code=filters.unit).first()
        if unit is None:
            raise ApiError(400, f"No unit has the code {filters.unit!r}.", "unit")
    if filters.chapter is not None:
        chapter = Chapter.objects.filter(plan=plan, position=filters.chapter).first()
        if chapter is None:
            raise ApiError(400, f"The plan has no chapter at position {filters.chapter}.", "chapter")
    tasks = queries.filtered_tasks(plan, unit=unit, chapter=chapter)
    return page(tasks, filters, task_out)


@api.get(
    "/plans/{plan_id}/tasks/{task_number}",
    response=schemas.TaskDetailOut,
    tags=["plans"],
    summary="One task: units, targets with attainment, status",
)
def get_task(request: HttpRequest, plan_id: int, task_number: int) -> dict[str, Any]:
    plan = get_object_or_404(Plan, pk=plan_id)
    task = get_object_or_404(queries.tasks_with_details(plan), number=task_number)
    states = {state.task.pk: state for state in plan_task_states(plan, today=clock.today())}
    return {
        **task_out(task),
        "summary": task.summary,
        "targets": targets_out(task.targets.all(), plan, {task.pk: task.number}),
        "status": status_out(states[task.pk]),
    }


@api.get("/plans/{plan_id}/targets", response=TargetPage, tags=["plans"], summary="The plan's targets")
def list_targets(request: HttpRequest, plan_id: int, paging: Query[PageQuery]) -> dict[str, Any]:
    """Every target, plan goals first, with its attainment (green, amber, red, unknown) as of today."""
    plan = get_object_or_404(Plan, pk=plan_id)
    targets = plan.targets.order_by("position")
    task_numbers = dict(plan.tasks.values_list("pk", "number"))
    window = page(targets, paging, lambda t: t)
    window["items"] = targets_out(window["items"], plan, task_numbers)
    return window


@api.get("/plans/{plan_id}/statuses", response=StatusPage, tags=["plans"], summary="Task statuses")
def list_statuses(request: HttpRequest, plan_id: int, paging: Query[PageQuery]) -> dict[str, Any]:
    """Each task's status derived from deadlines, approved reports and target attainment."""
    plan = get_object_or_404(Plan, pk=plan_id)
    return page(plan_task_states(plan, today=clock.today()), paging, status_out)


# --- reports -------------------------------------------------------------------------------------------


class ReportFilter(PageQuery):
    plan: int | None = None
    task: int | None = None
    unit: str | None = None
    period: str | None = None
    state: str | None = None


@api.get("/reports", response=ReportPage, tags=["reports"], summary="Progress reports you may see")
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> dict[str, Any]:
    """Your units' reports and those on tasks your units lead (everything for the district office)."""
    reports = ProgressReport.objects.select_related("task", "unit").prefetch_related("values")
    if filters.plan is not None:
        reports = reports.filter(task__plan_id=filters.plan)
    if filters.task is not None:
        reports = reports.filter(task__number=filters.task)
    if filters.unit:
        reports = reports.filter(unit__code=filters.unit)
    if filters.period:
        reports = reports.filter(period=month(filters.period, "period"))
    if filters.state:
        if filters.state not in ReportState.values:
            raise ApiError(400, f"Unknown state {filters.state!r}.", "state")
        reports = reports.filter(state=filters.state)
    visible = rules.reports_visible_to(request.user, reports)
    return page(visible.order_by("-period", "task__position", "unit__code", "pk"), filters, report_out)


@api.post(
    "/reports",
    response={
        200: schemas.ReportOut,
        201: schemas.ReportOut,
        400: schemas.Error,
        403: schemas.Error,
        404: schemas.Error,
        409: schemas.Error,
    },
    tags=["reports"],
    summary="Create, update or submit your unit's report",
)
def post_report(request: HttpRequest, data: schemas.ReportIn) -> Status[dict[str, Any]]:
    """Saves the unit's report on the task for the period (201 when new, 200 when updated).

    Pass `version` (from a previous read) to update an existing report: without it, or with a version the
    report has left, the answer is 409. `submit: true` sends it for review. A closed period or a bad
    value gives 400 naming the field (`values.<target id>` for a value); `errors` lists every problem.
    """
    plan = get_object_or_404(Plan, pk=data.plan)
    task = Task.objects.filter(plan=plan, number=data.task).prefetch_related("assignments").first()
    if task is None:
        raise ApiError(400, f"The plan has no task {data.task}.", "task")
    unit = Unit.objects.filter(code=data.unit).first()
    if unit is None:
        raise ApiError(400, f"No unit has the code {data.unit!r}.", "unit")
    period = month(data.period, "period")
    existed = ProgressReport.objects.filter(task=task, unit=unit, period=period).exists()
    try:
        report = progress.save_report(
            task=task,
            unit=unit,
            period=period,
            by=request.user,
            narrative=data.narrative,
            status=data.status,
            values=data.values,
            expected_version=data.version if data.version is not None else 0,
            submit=data.submit,
        )
    except ProgressError as error:
        raise ApiError.from_progress(error) from None
    report = (
        ProgressReport.objects.select_related("task", "unit").prefetch_related("values").get(pk=report.pk)
    )
    return Status(200 if existed else 201, report_out(report))
