"""`{% load envplan_format %}`: numbers, units and substance names as every page shows them.

{{ value|number }}            0,70 in French, 0.70 in English and Chinese; decimals by size
{{ value|number:2 }}          two decimals
{{ value|number_like:ref }}   as many decimals as `ref` (a target's value)
{{ value|quantity:"mg/L" }}   the number and its unit
{{ "pm10"|pollutant }}        PM₁₀;  {{ "codmn"|pollutant }} 高锰酸盐指数 / indice de permanganate
{{ "codmn, tp"|substances }}  several codes in one line
{{ "hourly"|frame_kind }}     the HJ 212 data kind in the reader's language
{{ text|provenance }}         an indicator's provenance note, translated
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from envplan.core import names, numbers

register = template.Library()


@register.filter
def number(value: Any, decimals: Any = None) -> str:
    if value is None or value == "":
        return "—"
    return numbers.format_number(value, None if decimals is None else int(decimals))


@register.filter
def number_like(value: Any, reference: Any) -> str:
    if value is None or value == "":
        return "—"
    return numbers.format_number(value, numbers.decimals_like(value, reference))


@register.filter
def quantity(value: Any, measure: str = "") -> str:
    return numbers.format_quantity(value, measure or "")


def _or_blank(naming: Callable[[str], str]) -> Callable[[str], str]:
    """A code's display name; a missing code (None in a template) is named as the empty one."""

    def filter_(code: str) -> str:
        return naming(code or "")

    return filter_


# {{ code|pollutant }} and the other names of codes in the reader's language (envplan.core.names).
for _name, _naming in {
    "measure": names.measure_name,
    "pollutant": names.pollutant_name,
    "frame_kind": names.frame_kind_name,
    "provenance": names.provenance_label,
    "place": names.place_name,
}.items():
    register.filter(_name, _or_blank(_naming))
register.filter("local_name", names.local_name)
register.filter("other_name", names.other_name)


@register.filter
def substances(codes: Any) -> str:
    return names.substance_names(codes or [])


@register.filter
def unit_after(number_text: str, measure: str = "") -> str:
    """A number already formatted (`number`, `number_like`) followed by its unit."""
    if number_text in ("", "—"):
        return number_text
    return numbers.with_unit(str(number_text), measure or "")
