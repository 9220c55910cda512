"""The portal's typed error: a kind and the field it concerns."""

from __future__ import annotations

from enum import StrEnum


class PortalErrorKind(StrEnum):
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"
    INVALID = "invalid"


class PortalError(Exception):
    def __init__(
        self, message: str, *, kind: PortalErrorKind = PortalErrorKind.INVALID, field: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.field = field
