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
