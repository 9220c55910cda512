"""`{% load access %}{% if user|is_supervisor %}`: templates ask envplan.accounts.permissions."""

from __future__ import annotations

from typing import Any

from django import template

from envplan.accounts import permissions

register = template.Library()


@register.filter
def is_supervisor(user: Any) -> bool:
    return permissions.is_supervisor(user)


@register.filter
def sees_everything(user: Any) -> bool:
    return permissions.sees_everything(user)
