"""`{% load credit_tags %}`: a scheme's own labels in the page's language, and signed points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local(text: Any) -> str:
    """A scheme label (envplan.standards.credit.Text) in the page's language."""
    if text is None:
        return ""
    return str(text.get(get_language() or "en"))


@register.filter
def signed(value: Decimal | None) -> str:
    """Points with their sign: +3.20, −12.00 (a true minus sign), 0.00."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal("0.01"))
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{-number}"
    return "0.00"


@register.filter
def grade_css(code: str) -> str:
    """CSS class colouring a grade (credit.css): the four colours, A–D."""
    return f"grade grade-{str(code).lower()}"
