"""The shapes the API reads and writes (they make the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class Problem(Schema):
    field: str
    message: str
    kind: str | None = None


class Error(Schema):
    detail: str
    field: str | None = None
    errors: list[Problem] = []


class PlanOut(Schema):
    id: int
    title: str
    issuer: str
    doc_number: str
    date: dt.date | None
    year: int


class SectionOut(Schema):
    position: int
    number: str
    title: str


class ChapterOut(Schema):
    position: int
    number: str
    title: str
    sections: list[SectionOut]


class ReportingOut(Schema):
    frequency: str
    due_day: int
    first_period: str
    last_period: str
    closed_through: str | None


class AttainmentOut(Schema):
    rating: str = Field(description="green, amber, red or unknown")
    met: bool
    latest: float | None
    latest_date: dt.date | None
    projected: float | None
    projected_date: dt.date | None


class TargetOut(Schema):
    id: int
    task: int | None = Field(description="the task's number; null for a plan goal")
    position: int
    indicator: str
    comparator: str
    value: float
    unit_of_measure: str
    deadline: dt.date | None
    attainment: AttainmentOut


class PlanDetailOut(PlanOut):
    summary: str
    chapters: list[ChapterOut]
    goals: list[TargetOut]
    reporting: ReportingOut


class UnitRoleOut(Schema):
    code: str
    name: str
    role: str = Field(description="lead, responsible or implementing")


class TaskOut(Schema):
    id: int
    number: int
    title: str
    chapter: str
    chapter_position: int
    section: str
    units: list[UnitRoleOut]


class StatusOut(Schema):
    task: int
    status: str = Field(description="on_track, at_risk, overdue or done")
    label: str
    reasons: list[str]
    missing_reports: int


class TaskDetailOut(TaskOut):
    summary: str
    targets: list[TargetOut]
    status: StatusOut


class ReportOut(Schema):
    id: int
    plan: int
    task: int = Field(description="the task's number in its plan")
    unit: str = Field(description="the unit's code")
    period: str = Field(description="YYYY-MM")
    status: str
    state: str
    narrative: str
    version: int
    generated: bool
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    values: dict[str, float] = Field(description="target id -> reported value")


class ReportIn(Schema):
    plan: int = Field(description="the plan's id")
    task: int = Field(description="the task's number in the plan")
    unit: str = Field(description="the reporting unit's code")
    period: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM")
    narrative: str = ""
    status: str = Field("in_progress", description="not_started, in_progress, at_risk or done")
    values: dict[str, float | str | None] = Field(
        default_factory=dict, description="target id -> value; null or empty removes a value"
    )
    submit: bool = False
    version: int | None = Field(None, description="the version you last read, to update a report")
