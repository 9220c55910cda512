"""/api/...: the token-authenticated API. It is outside the login-page flow: a token, not a session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from envplan.api import views
from envplan.api.api import api


def without_login_redirect(patterns: list[Any]) -> list[Any]:
    """Exempt every API view from LoginRequiredMiddleware: the API answers 401 itself, never a redirect."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            without_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    return patterns


app_name = "api"  # the namespace django-ninja reverses its own views in (api.urls_namespace)
api_patterns, _ninja_app_name, _namespace = api.urls
urlpatterns = [
    # The token page is an ordinary page: it needs the session login like every other page.
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    *without_login_redirect(list(api_patterns)),
]
