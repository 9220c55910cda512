"""Who may see and judge screening cases: the district office (supervisors) and the ecology bureau's
officers, the people who send inspectors. A unit's reporters and viewers never see them: a case names an
enterprise suspected of falsifying its data before anyone has checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from envplan.accounts import permissions
from envplan.cases.models import Case
from envplan.core.services import Person


def can_see_cases(user: Person) -> bool:
    return permissions.sees_everything(user)


def can_judge_case(user: Person, case: Case) -> bool:
    return permissions.sees_everything(user)


def cases_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 for anyone who may not see cases (login itself is enforced by LoginRequiredMiddleware)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_cases(request.user):
            raise PermissionDenied("screening cases are for supervisors and bureau officers")
        return view(request, *args, **kwargs)

    return wrapped
