"""The page where a signed-in person manages their own API tokens (session login, not a token)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envplan.api.models import ApiToken
from envplan.api.tokens import create_token, revoke_token
from envplan.core.services import person

MAX_NAME = 100


def token_list(request: HttpRequest) -> HttpResponse:
    return render_tokens(request)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    if len(name) > MAX_NAME:
        return render_tokens(
            request, error=_("Keep the name under %(max)s characters.") % {"max": MAX_NAME}, status=400
        )
    user = request.user
    if not isinstance(user, User):  # LoginRequiredMiddleware lets no anonymous visitor here
        raise PermissionDenied
    issued = create_token(user, name=name, by=user)
    # Rendered, not redirected: the token must not travel in a URL or sit in the session.
    return render_tokens(request, new_token=issued.raw)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)
    if token.user_id != request.user.pk:
        raise PermissionDenied
    revoke_token(token, by=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("api:tokens")


def render_tokens(
    request: HttpRequest, *, new_token: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=person(request.user)).order_by("revoked", "-created", "-pk")
    context = {"tokens": tokens, "new_token": new_token, "error": error, "max_name": MAX_NAME}
    response = render(request, "api/tokens.html", context, status=status)
    if new_token:
        response["Cache-Control"] = "no-store"
    return response
