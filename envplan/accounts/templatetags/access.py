"""`{% load access %}{% if user|is_supervisor %}`: templates ask envplan.accounts.permissions."""

from __future__ import annotations

from django import template

from envplan.accounts import permissions

register = template.Library()


register.filter("is_supervisor", permissions.is_supervisor)
register.filter("sees_everything", permissions.sees_everything)
