"""Frequency factors: what raises how often an enterprise is drawn for a random inspection.

The rules (../shared/reference/hj212-and-processes.md B.4): special supervision objects get the heaviest
coverage, and they include units rated 警示 / 不良 in the credit rating and units with confirmed complaints
or cases; Inner Mongolia draws D-grade credit units at 150 % of the normal ratio. The apps that know
those facts (the credit rating, the screening cases) are not this one, so they plug in here, as computed
indicators plug into envplan.indicators.registry:

    from envplan.inspections.frequency import FrequencyRaise, register_factor

    def credit_raises(enterprise_ids: Sequence[int], year: int, on: date) -> dict[int, FrequencyRaise]:
        return {e: FrequencyRaise(multiplier=Decimal("1.5"), reason="credit grade D") for e in grade_d(on)}

    register_factor("credit.grade", label=_("Environmental credit grade"), factor=credit_raises)

`on` is the day the pool is made (a draw's commitment, or today for a preview): a factor counts what was
known that day, so that a draw committed in January does not know of a grade published in May.

Floors: an app on our floor or above (credit) registers from its AppConfig.ready(). An app below us
(screening cases, on the monitoring floor) may not import this module; the factor that reads its cases
is registered by this app's own code, importing down.

How raises combine: an enterprise is treated as a special supervision object when any factor says so,
and its share is multiplied by the largest multiplier given (never the product: two reasons to look
closer do not make the office look twice as close again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SPECIAL = "special"


@dataclass(frozen=True)
class FrequencyRaise:
    multiplier: Decimal = Decimal(1)
    special: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if self.multiplier < 1:
            raise ValueError("a frequency factor raises the frequency: a multiplier of 1 or more")


FactorFunction = Callable[[Sequence[int], int, dt.date], Mapping[int, FrequencyRaise]]


@dataclass(frozen=True)
class Factor:
    name: str
    label: str
    function: FactorFunction


FACTORS: dict[str, Factor] = {}


def register_factor(name: str, *, label: StrOrPromise, factor: FactorFunction) -> None:
    """Register a factor under a dotted name; the same function again is harmless, another is a mistake."""
    existing = FACTORS.get(name)
    if existing is not None and existing.function is not factor:
        raise ValueError(f"frequency factor {name!r} is already registered")
    FACTORS[name] = Factor(name=name, label=str(label), function=factor)


def unregister_factor(name: str) -> None:
    FACTORS.pop(name, None)


@dataclass(frozen=True)
class Effective:
    """Where an enterprise stands in a year's draws after the factors: the category whose ratio applies
    (`special` when a factor says so), its stratum, and why."""

    registered: str
    category: str
    stratum: str
    multiplier: Decimal
    reasons: tuple[str, ...] = field(default=())


def stratum_name(category: str, multiplier: Decimal) -> str:
    """`general`, or `general-x1.5` for the raised members of a category (a stratum of their own, so that
    the draw takes a larger share of them)."""
    if multiplier == 1:
        return category
    return f"{category}-x{format(multiplier.normalize(), 'f')}"


def raises_for(
    enterprise_ids: Sequence[int], year: int, on: dt.date
) -> dict[int, list[tuple[str, FrequencyRaise]]]:
    """Every registered factor's raises for these enterprises on day `on`, by enterprise (factors in name
    order)."""
    found: dict[int, list[tuple[str, FrequencyRaise]]] = {}
    for name in sorted(FACTORS):
        for enterprise_id, raised in FACTORS[name].function(enterprise_ids, year, on).items():
            if enterprise_id in enterprise_ids:
                found.setdefault(enterprise_id, []).append((name, raised))
    return found


def effective(category: str, raises: Sequence[tuple[str, FrequencyRaise]]) -> Effective:
    if not raises:
        return Effective(category, category, category, Decimal(1))
    reasons = tuple(f"{raised.reason or name}" for name, raised in raises)
    base = SPECIAL if any(raised.special for _, raised in raises) else category
    multiplier = max(raised.multiplier for _, raised in raises)
    return Effective(category, base, stratum_name(base, multiplier), multiplier, reasons)
