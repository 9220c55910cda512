"""Views that only some people may open: a decorator made from a test on the person and the reason given
with the 403. Login itself is enforced by LoginRequiredMiddleware; these guard the roles."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from envplan.core.services import Person

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


def only_for(test: Callable[[Person], bool], refusal: str) -> Callable[[ViewT], ViewT]:
    """A decorator: the view answers 403 (`refusal` as the reason) to anyone for whom `test` is false."""

    def decorate(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not test(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return cast(ViewT, wrapped)

    return decorate
