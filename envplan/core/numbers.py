"""Numbers and units as a page shows them, in the reader's locale: one helper for every page.

"0.70" in English and Chinese is "0,70" in French; a value has as many decimals as its target's value
(or a default by size), never the float's own (17.870968); a unit follows its number.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

from envplan.core.names import measure_name

Number = int | float | Decimal


def default_decimals(value: Number) -> int:
    """Decimals a value shows when nothing sets them: whole numbers none, then fewer as values grow."""
    magnitude = abs(float(value))
    if float(value).is_integer() or magnitude >= 100:
        return 0
    if magnitude >= 10:
        return 1
    return 2


def decimals_of(reference: Number | None) -> int | None:
    """The decimals a reference value is written with (0.71 -> 2, 35 -> 0); None without a reference."""
    if reference is None:
        return None
    text = format(Decimal(str(reference)).normalize(), "f")
    return len(text.split(".")[1]) if "." in text else 0


def decimals_like(value: Number, reference: Number | None) -> int:
    """Decimals for a value shown beside a reference (a latest value beside its target): the reference's,
    and at least one for a fraction below 1,000 (83.3 beside a target of 85, not 83)."""
    places = decimals_of(reference)
    if places is None:
        return default_decimals(value)
    if not float(value).is_integer() and abs(float(value)) < 1000:
        return max(places, 1)
    return places


def format_number(value: Number | None, decimals: int | None = None) -> str:
    """`value` with `decimals` decimals (else `default_decimals`), in the current language's format."""
    if value is None:
        return "—"
    places = default_decimals(value) if decimals is None else decimals
    rounded = round(Decimal(str(value)), places)
    grouping = abs(rounded) >= 10_000
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=grouping)


def with_unit(number: str, measure: str) -> str:
    """A formatted number followed by its unit of measure (nothing for bare counts)."""
    unit = measure_name(measure)
    if not unit:
        return number
    return f"{number} {unit}"


def format_quantity(value: Number | None, measure: str = "", decimals: int | None = None) -> str:
    """`format_number` followed by the unit of measure."""
    if value is None:
        return "—"
    return with_unit(format_number(value, decimals), measure)
