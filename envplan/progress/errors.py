"""The typed errors of the report workflow.

A service refuses a change by raising `ProgressError` with one or more problems, each with a kind and
the field it concerns. The page, the API, the Excel batch and the commands do not re-check the rules:
they map the problems to their own form of the same message (a form field error, a 400/403/409 JSON
body, a row error naming sheet, row and column).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the person may not do this (403)
    NOT_INVOLVED = "not_involved"  # the unit has no part in the task
    OUT_OF_PERIODS = "out_of_periods"  # the period is outside the plan's reporting calendar
    PERIOD_CLOSED = "period_closed"  # the period is closed: its reports can no longer change
    STALE = "stale"  # the report changed since the person read it (409)
    LOCKED = "locked"  # submitted or approved: no longer editable (409)
    WRONG_STATE = "wrong_state"  # e.g. reviewing a report that is not submitted (409)
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"  # a number beyond what a value can hold
    FORMULA = "formula"  # a spreadsheet formula where a value was expected
    UNKNOWN_TARGET = "unknown_target"
    BAD_FILE = "bad_file"  # an evidence file of the wrong type or size
    INVALID = "invalid"  # any other bad input


HTTP_STATUS = {
    ErrorKind.NOT_ALLOWED: 403,
    ErrorKind.STALE: 409,
    ErrorKind.LOCKED: 409,
    ErrorKind.WRONG_STATE: 409,
}


@dataclass(frozen=True)
class Problem:
    kind: ErrorKind
    field: str  # "unit", "period", "status", "narrative", "values.<target id>", "version", "evidence", ...
    message: str

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.kind, 400)


class ProgressError(Exception):
    """A change that is not allowed or not possible. Nothing was written.

    `problems` lists every problem found (at least one); `kind`, `field` and the message are the first's.
    """

    def __init__(
        self,
        message: str = "",
        *,
        kind: ErrorKind = ErrorKind.INVALID,
        field: str = "",
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = problems or [Problem(kind, field, message)]
        first = self.problems[0]
        super().__init__(first.message)
        self.kind, self.field = first.kind, first.field

    @property
    def http_status(self) -> int:
        return self.problems[0].http_status

    @property
    def message(self) -> str:
        return self.problems[0].message


def value_field(target_id: int) -> str:
    """The field name of a target's value in errors: values.<target id>."""
    return f"values.{target_id}"


def target_of_field(field: str) -> int | None:
    """The target id of a `values.<id>` field, else None."""
    prefix, _, rest = field.partition(".")
    return int(rest) if prefix == "values" and rest.isdigit() else None
