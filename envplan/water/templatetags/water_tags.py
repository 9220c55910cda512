"""`{% load water_tags %}`: class colours for the water pages."""

from __future__ import annotations

from django import template

from envplan.water import charts

register = template.Library()


@register.filter
def class_colour(label: str | None) -> str:
    return charts.colour(label)


@register.filter
def class_text_colour(label: str | None) -> str:
    return charts.text_colour(label)


# CSS class names are ASCII: 劣V (worse than class V) becomes "worse-than-v".
CLASS_CSS_NAMES = {"I": "i", "II": "ii", "III": "iii", "IV": "iv", "V": "v", "劣V": "worse-than-v"}


@register.filter
def class_css(label: str | None) -> str:
    """The CSS class that colours a water class (envplan.css): a class, not a style attribute, which the
    Content-Security-Policy would block."""
    return f"water-class-{CLASS_CSS_NAMES.get(label or '', 'none')}"
