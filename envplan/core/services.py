"""Writing audit entries. Every service that changes state calls `record_audit` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from envplan.core.models import AuditEntry


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-ready picture of some fields of an object, for the before/after of an audit entry."""
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)
        result[name] = value
    return result


# Who acts: a person behind a request (a logged-in one or an anonymous visitor: request.user), or None
# for the system (a command, the worker, the demo loader).
Person = User | AnonymousUser
Actor = Person | None


def person(actor: Actor) -> User | None:
    """The logged-in person behind an actor, or None for the system and anonymous visitors."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def record_audit(
    target: models.Model,
    *,
    action: str,
    actor: Actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    plan_id: int | None = None,
) -> AuditEntry:
    """Write one audit entry. Must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("record_audit must be called inside the transaction of the change")
    user = person(actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        plan_id=plan_id,
        before=before,
        after=after,
    )


def save_changes(
    obj: models.Model,
    changes: dict[str, Any],
    *,
    by: Actor,
    action: str,
    fields: Iterable[str],
    plan_id: int | None = None,
) -> bool:
    """Set `changes` on `obj`, save it, and record `action` with the before/after of `fields` when anything
    changed. Returns whether it did. Must run inside the caller's transaction, like `record_audit`."""
    fields = tuple(fields)
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    after = snapshot(obj, fields)
    if after == before:
        return False
    record_audit(obj, action=action, actor=by, before=before, after=after, plan_id=plan_id)
    return True


ModelT = TypeVar("ModelT", bound=models.Model)


def save_audited(obj: ModelT, fields: Iterable[str], *, by: Actor, created: str, changed: str) -> ModelT:
    """Validate (`full_clean`, whose ValidationError the caller may turn into its own error) and save a
    registry row; audit `created` for a new row, `changed` when one of `fields` changed. Must run inside
    the caller's transaction, like `record_audit`."""
    fields = tuple(fields)
    is_new = obj.pk is None
    before = None if is_new else snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
    obj.full_clean()
    obj.save()
    after = snapshot(obj, fields)
    if is_new or after != before:
        record_audit(obj, action=created if is_new else changed, actor=by, before=before, after=after)
    return obj
