"""Middleware of our own: the Content-Security-Policy header, and refusing oversized bodies unread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from envplan.core.uploads import request_limit_bytes

# What a form adds around its files (fields, multipart boundaries and part headers).
FORM_ALLOWANCE_BYTES = 256 * 1024


class ContentSecurityPolicyMiddleware:
    """Adds `settings.CONTENT_SECURITY_POLICY` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose Content-Length is over the view's limit, before reading any of it.

    Without this, the CSRF check (which reads the form) would first stream a 1 GB upload to a temporary
    file, and only the view would then refuse it. The limit is the view's own (`upload_limit`), else
    ENVPLAN_MAX_REQUEST_MB.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        announced = announced_length(request)
        if announced is None:
            return None
        limit = request_limit_bytes(view_func)
        if announced <= limit + FORM_ALLOWANCE_BYTES:
            return None
        context = {"announced_mb": announced / 1024 / 1024, "limit_mb": limit // 1024 // 1024}
        return render(request, "core/too_large.html", context, status=413)


def announced_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw)
    except ValueError:
        return None
