"""`{% load air_tags %}`: category colours and names for AQI cells."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from envplan.air import charts
from envplan.standards.air.tables import CATEGORIES

register = template.Library()


@register.filter
def aqi_colour(level: int | None) -> str:
    return charts.colour(level)


@register.filter
def aqi_text_colour(level: int | None) -> str:
    return charts.text_colour(level)


@register.filter
def aqi_class(level: int | None) -> str:
    """The CSS class that colours a category (envplan.css): a class, not a style attribute, which the
    Content-Security-Policy would block."""
    if level is None or not 1 <= level <= len(CATEGORIES):
        return "aqi-level-none"
    return f"aqi-level-{level}"


@register.filter
def category_name(level: int | None) -> str:
    """The HJ 633 category name in the page's language (Chinese names are the standard's own)."""
    if level is None or not 1 <= level <= len(CATEGORIES):
        return "—"
    category = CATEGORIES[level - 1]
    language = (get_language() or "en").lower()
    if language.startswith("zh"):
        return category.name_zh
    if language.startswith("fr"):
        return category.name_fr
    return category.name_en
