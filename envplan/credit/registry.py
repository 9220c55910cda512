"""Where a rating's evidence comes from: functions that apps register, each turning its records into
evidence rows (envplan.standards.credit.Evidence: record, indicator code, quantity, explanation).

A source is `collect(enterprise, period) -> list[Evidence]` for the codes it declares. Registered:

* ``sources.exceedances``: exceedance events (``exceedance_hours``) and each monitored outlet's compliance
  over the period (``outlet_compliance``), from envplan.sources;
* ``sources.validity``: the transmission-validity rate of online monitoring, with its data flags
  (``transmission_validity``);
* ``cases.confirmed``: screening cases confirmed by inspectors (``screening_case_confirmed``), from
  envplan.cases (credit/evidence/cases.py);
* ``inspections.penalties``, ``inspections.rectification``, ``inspections.hazardous_waste``: fines written
  on inspection records (``inspection_penalty``), rectification tasks done late (``rectification_late``)
  and hazardous-waste assessments (``hazardous_waste_result``), registered by envplan.inspections
  (inspections/evidence.py);
* ``emergency.compliance``: reduction measures not applied during an alert (``alert_noncompliance``),
  registered by envplan.emergency (emergency/evidence.py);
* ``manual``: evidence entered by an officer with its document (envplan.credit.models.ManualEvidence), for
  every code no other source provides: penalty decisions taken outside an inspection record, findings,
  veto items.

An app on the enforcement floor registers from its AppConfig.ready(), as inspections does:

    register_source("inspections.rectification", label=_("Rectification of inspection findings"),
                    codes=("rectification_late",), collect=late_rectification)

Once registered, the code is computed and no longer entered by hand (an earlier hand entry of it stops
counting). Apps below the enforcement floor (sources, cases) may not import this module: their adapter
lives here, in envplan/credit/evidence/<app>.py, registered in CreditConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from envplan.standards.credit import CODES, Evidence

if TYPE_CHECKING:  # the registry is read before the apps' models are ready
    from envplan.sources.models import Enterprise

MANUAL = "manual"


@dataclass(frozen=True)
class Period:
    """The days a rating covers, both included: the round's period, cut at the day of computation."""

    start: dt.date
    end: dt.date


Collect = Callable[["Enterprise", Period], list[Evidence]]


@dataclass(frozen=True)
class EvidenceSource:
    name: str
    label: str
    codes: tuple[str, ...]
    collect: Collect


REGISTRY: dict[str, EvidenceSource] = {}


def register_source(name: str, *, label: str | Promise, codes: tuple[str, ...], collect: Collect) -> None:
    """Register an evidence source. A code provided by two computed sources would count twice: refused."""
    unknown = [code for code in codes if code not in CODES]
    if unknown:
        raise ValueError(f"evidence source {name!r}: unknown code(s) {', '.join(unknown)}")
    existing = REGISTRY.get(name)
    if existing is not None and existing.collect is not collect:
        raise ValueError(f"evidence source {name!r} is already registered")
    if name != MANUAL:
        taken = {
            code: other.name
            for other in REGISTRY.values()
            if other.name not in (name, MANUAL)
            for code in other.codes
        }
        clash = sorted(code for code in codes if code in taken)
        if clash:
            raise ValueError(
                f"evidence source {name!r}: {', '.join(clash)} already come from {taken[clash[0]]!r}"
            )
    REGISTRY[name] = EvidenceSource(name=name, label=str(label), codes=tuple(codes), collect=collect)


def unregister_source(name: str) -> None:
    """For tests that register a source of their own."""
    REGISTRY.pop(name, None)


def computed_codes() -> dict[str, str]:
    """Evidence code -> the computed source providing it."""
    return {
        code: source.name for source in REGISTRY.values() if source.name != MANUAL for code in source.codes
    }


def manual_codes() -> list[str]:
    """The codes an officer enters by hand: every code that no computed source provides."""
    computed = computed_codes()
    return [code for code in CODES if code not in computed]


def collect(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """Every registered source's rows for the enterprise over the period."""
    rows: list[Evidence] = []
    for source in sorted(REGISTRY.values(), key=lambda s: s.name):
        found = source.collect(enterprise, period)
        wrong = sorted({row.code for row in found} - set(source.codes))
        if wrong:
            raise ValueError(
                f"evidence source {source.name!r} returned undeclared code(s) {', '.join(wrong)}"
            )
        rows.extend(found)
    return rows
