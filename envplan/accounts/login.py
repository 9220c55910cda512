"""Logging in over the web: throttling of wrong passwords (django-axes), the lockout page and its audit.

A user name tried from one address fails `AXES_FAILURE_LIMIT` times: that pair is refused, even with the
right password, until `AXES_COOLOFF_TIME` has passed without another try. Other addresses, and other user
names from the same address, are not affected, so an attacker cannot lock the district office out of its
own site from afar.
"""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str | None:
    """The address login failures are counted by: the peer, or behind our reverse proxy (ENVPLAN_HTTPS) the
    address the proxy appended last to X-Forwarded-For. Entries further left come from the client itself
    and would let an attacker choose a new address for every try."""
    if getattr(settings, "ENVPLAN_BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return str(forwarded[-1])
    return str(request.META["REMOTE_ADDR"]) if request.META.get("REMOTE_ADDR") else None


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]  # django-axes ships no type hints
    """Refuses a locked-out user name and address before any password is checked.

    Only logins that come with a request are throttled: the login page is the door exposed to the
    internet. Code that authenticates without one (the test client's `login`, a management command) has no
    address to count and is left to the next backend.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None  # axes only refuses (by raising); the next backend checks the password


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out login gets (HTTP 429): what happened and when to try again."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)


def on_user_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Audit the moment a user name and address get locked out (not every refused try after it)."""
    from envplan.accounts.services import record_login_lockout

    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    record_login_lockout(
        username=username or "", address=ip_address or "", failures=settings.AXES_FAILURE_LIMIT
    )
