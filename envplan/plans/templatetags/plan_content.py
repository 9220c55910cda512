"""`{% content obj "title" %}`: plan content in the reader's language, the original marked when shown instead.

`{{ obj|content_text:"title" }}` gives the text alone (for `<title>`, attributes and `<option>`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from envplan.plans.content import content_of
from envplan.plans.models import Plan

register = template.Library()


def page_plan(context: template.Context) -> Plan | None:
    plan = context.get("plan")
    return plan if isinstance(plan, Plan) else None


@register.simple_tag(takes_context=True)
def content(context: template.Context, obj: models.Model | None, field: str) -> SafeString | str:
    if obj is None:
        return ""
    shown = content_of(obj, field, plan=page_plan(context))
    if not shown.fallback:
        return shown.text
    return format_html(
        '<span lang="{}" class="original-text">{}</span> <small class="original-mark" title="{}">{}</small>',
        shown.language,
        shown.text,
        _("not yet translated: the text as the plan has it"),
        _("original"),
    )


@register.filter
def content_text(obj: Any, field: str) -> str:
    if obj is None:
        return ""
    return content_of(obj, field).text
