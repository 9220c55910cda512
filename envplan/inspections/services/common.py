"""Helpers the enforcement services share: the moment of a change, and saving a registry row with its
audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from envplan.core import clock
from envplan.core.services import Actor, save_audited
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.permissions import can_run_enforcement


def moment(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else clock.now()


def local_day(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date() if timezone.is_aware(now) else now.date()


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise InspectionError(message, kind=ErrorKind.NOT_ALLOWED)


def require_office(by: Actor, message: str) -> None:
    """The office's own writes; `by=None` is the system (commands, the demo), which may."""
    if by is not None:
        require(can_run_enforcement(by), message)


def validation_error(error: ValidationError) -> InspectionError:
    """The first problem of a model validation, on its field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return InspectionError(
            " ".join(e.messages[0] for e in errors), field=field if field != "__all__" else ""
        )
    return InspectionError(" ".join(error.messages))


RowT = TypeVar("RowT", bound=models.Model)


def save_row(obj: RowT, *, by: Actor, action: str, fields: Iterable[str]) -> RowT:
    """Validate and save a registry row; audit `<action>.created` or `<action>.changed` when it changed.
    Runs inside the caller's transaction."""
    try:
        return save_audited(obj, fields, by=by, created=f"{action}.created", changed=f"{action}.changed")
    except ValidationError as error:
        raise validation_error(error) from None
