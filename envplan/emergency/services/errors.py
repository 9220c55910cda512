"""The one error of the emergency services."""

from __future__ import annotations


class EmergencyError(ValueError):
    """A refused change; `field` names the input it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
