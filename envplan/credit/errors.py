"""The credit workflow's typed error: a kind and the field it concerns; pages show it on that field."""

from __future__ import annotations

from enum import StrEnum

from envplan.core.errors import ServiceError


class CreditErrorKind(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the person may not do this (403)
    WRONG_STATE = "wrong_state"  # e.g. publishing a draft, objecting to a published rating (409)
    TOO_EARLY = "too_early"  # the objection period or the repair waiting period has not ended
    TOO_LATE = "too_late"  # the objection period is over
    BAD_FILE = "bad_file"
    INVALID = "invalid"


class CreditError(ServiceError):
    statuses = {CreditErrorKind.NOT_ALLOWED: 403, CreditErrorKind.WRONG_STATE: 409}
