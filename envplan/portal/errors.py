"""The portal's typed error: a kind and the field it concerns."""

from __future__ import annotations

from enum import StrEnum

from envplan.core.errors import ServiceError


class PortalErrorKind(StrEnum):
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"
    INVALID = "invalid"


class PortalError(ServiceError):
    pass
