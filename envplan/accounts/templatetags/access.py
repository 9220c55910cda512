"""`{% load access %}{% if user|is_supervisor %}`: templates ask envplan.accounts.permissions."""

from __future__ import annotations

from django import template

from envplan.accounts import permissions
from envplan.core.services import Person

register = template.Library()


@register.filter
def is_supervisor(user: Person) -> bool:
    return permissions.is_supervisor(user)


@register.filter
def sees_everything(user: Person) -> bool:
    return permissions.sees_everything(user)
