"""The base of the services' typed refusals: what was refused, why (`kind`), and the input at fault.

A service raises its app's subclass; nothing was written. The page shows the message on `field`, the API
answers `http_status`, the Excel import lists it by row and column, a command prints it and exits 2.
Each app names its own kinds (a StrEnum) and which of them are not a plain 400 (`statuses`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class ServiceError(Exception):
    statuses: ClassVar[Mapping[str, int]] = {}

    def __init__(self, message: str, *, kind: str = "invalid", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.field = field

    @property
    def http_status(self) -> int:
        return self.statuses.get(self.kind, 400)
