"""The typed refusals of the enforcement services. The pages show the message (on its field when it has
one), the commands print it with exit code 2, the Excel import lists it by row and column; none of them
re-checks the rules."""

from __future__ import annotations

from enum import StrEnum

from envplan.core.errors import ServiceError


class ErrorKind(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the person may not do this (403)
    WRONG_STATE = "wrong_state"  # e.g. drawing before the commitment (409)
    NOT_ENOUGH_INSPECTORS = "not_enough_inspectors"  # a target cannot be staffed (409)
    BAD_FILE = "bad_file"  # a photo or evidence file of the wrong type or size
    INVALID = "invalid"  # any other bad input


HTTP_STATUS: dict[str, int] = {
    ErrorKind.NOT_ALLOWED: 403,
    ErrorKind.WRONG_STATE: 409,
    ErrorKind.NOT_ENOUGH_INSPECTORS: 409,
}


class InspectionError(ServiceError):
    """A change that is not allowed or not possible. Nothing was written."""

    statuses = HTTP_STATUS
