"""`{% load inspections_tags %}`: templates ask envplan.inspections.permissions, and show a few values."""

from __future__ import annotations

from typing import Any

from django import template

from envplan.core.services import Person
from envplan.inspections import permissions
from envplan.inspections.models import OFFICIAL_METHOD, CheckMethod, FollowUp

register = template.Library()


@register.filter
def runs_enforcement(user: Person) -> bool:
    return permissions.can_run_enforcement(user)


@register.filter
def method_labels(codes: list[str]) -> str:
    labels = dict(CheckMethod.choices)
    return "; ".join(f"{labels.get(code, code)} ({OFFICIAL_METHOD.get(code, '')})" for code in codes)


@register.filter
def follow_up_labels(codes: list[str]) -> list[str]:
    labels = dict(FollowUp.choices)
    return [str(labels.get(code, code)) for code in codes]


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
