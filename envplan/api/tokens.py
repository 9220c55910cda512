"""Creating, revoking and checking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from envplan.api.models import ApiToken
from envplan.core import clock
from envplan.core.services import Actor, record_audit

TOKEN_PREFIX = "ep_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once to the person; never stored


@transaction.atomic
def create_token(user: User, *, name: str = "", by: Actor = None) -> IssuedToken:
    """Issue a new token for `user`. Audit `api_token.created` (without the token)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], token_hash=hash_token(raw), prefix=raw[:10], created=clock.now()
    )
    record_audit(
        token,
        action="api_token.created",
        actor=by,
        after={"user": user.get_username(), "name": token.name, "prefix": token.prefix},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(token: ApiToken, *, by: Actor) -> ApiToken:
    """Revoke a token for good. Audit `api_token.revoked`."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        record_audit(
            token,
            action="api_token.revoked",
            actor=by,
            before={"revoked": False},
            after={"revoked": True, "prefix": token.prefix},
        )
    return token


def user_for_token(raw: str) -> Any | None:
    """The active user a live token belongs to, or None. Records when the token was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=clock.now())
    return token.user
