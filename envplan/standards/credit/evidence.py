"""Evidence: what a record says about an enterprise, in a scheme-neutral form, and the catalogue of its codes.

A record (an exceedance event, a penalty decision, a confirmed screening case …) becomes one `Evidence`
row: its code says what kind of fact it is, its `quantity` how much (hours, yuan, a share, a count), in the
code's unit. A scheme then turns quantities into points by its own rules, so that one record is scored
differently under the national 2013 measures and under Inner Mongolia's 2024 ones.

`CODES` is the catalogue schemes may refer to. `provider` names who produces the rows: an envplan app that
computes them from its records, or "manual" (entered by an officer with a document); see
envplan.credit.registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Provider(StrEnum):
    SOURCES = "sources"  # envplan.sources: exceedances, online-monitoring validity (on main)
    MANUAL = "manual"  # entered by an officer with its document
    CASES = "cases"  # confirmed screening cases
    INSPECTIONS = "inspections"  # fines and rectification of inspection findings
    HAZARDOUS_WASTE = "hazardous_waste"  # hazardous-waste management assessment (envplan.inspections)
    EMERGENCY = "emergency"  # heavy-pollution alerts: compliance with reduction measures


@dataclass(frozen=True)
class Code:
    code: str
    unit: str  # "h", "%", "yuan", "count", "level", "days"
    provider: Provider
    description: str


_CATALOGUE = (
    Code("exceedance_hours", "h", Provider.SOURCES, "an exceedance event at a monitored outlet: its hours"),
    Code(
        "outlet_compliance",
        "%",
        Provider.SOURCES,
        "a monitored outlet over the period: 100 when it had no exceedance, 0 when it had any",
    ),
    Code(
        "transmission_validity",
        "%",
        Provider.SOURCES,
        "the enterprise's transmission-validity rate of online monitoring over the period",
    ),
    Code("penalty", "yuan", Provider.MANUAL, "an administrative penalty decision: the fine"),
    Code(
        "inspection_penalty",
        "yuan",
        Provider.INSPECTIONS,
        "a fine decided after an inspection, from the inspection record: the fine",
    ),
    Code("risk_management_finding", "count", Provider.MANUAL, "an environmental-risk management deficiency"),
    Code("solid_waste_finding", "count", Provider.MANUAL, "a deficiency in ordinary solid-waste handling"),
    Code("noise_finding", "count", Provider.MANUAL, "a noise exceedance found by the bureau"),
    Code("siting_finding", "count", Provider.MANUAL, "ecological protection neglected in siting or layout"),
    Code("incident_general", "count", Provider.MANUAL, "a general (一般) sudden environmental incident"),
    Code(
        "incident_major",
        "count",
        Provider.MANUAL,
        "a larger-or-above (较大及以上) sudden environmental incident",
    ),
    Code("veto_crime", "count", Provider.MANUAL, "an environmental crime"),
    Code(
        "veto_no_eia",
        "count",
        Provider.MANUAL,
        "building without an approved environmental impact assessment",
    ),
    Code(
        "veto_no_acceptance",
        "count",
        Provider.MANUAL,
        "operating without environmental facilities accepted at completion",
    ),
    Code("veto_unapproved_change", "count", Provider.MANUAL, "a major change made without re-approval"),
    Code("veto_total_load", "count", Provider.MANUAL, "exceeding the total-load quota"),
    Code("veto_bypass", "count", Provider.MANUAL, "hidden pipes, seepage wells or bypasses"),
    Code("veto_hazardous_waste", "count", Provider.MANUAL, "illegal handling of hazardous waste"),
    Code(
        "screening_case_confirmed",
        "count",
        Provider.CASES,
        "a screening case (suspicious monitoring data) confirmed by inspectors",
    ),
    Code(
        "rectification_late",
        "days",
        Provider.INSPECTIONS,
        "a rectification task closed after its deadline (or still open past it): the days late",
    ),
    Code(
        "hazardous_waste_result",
        "level",
        Provider.HAZARDOUS_WASTE,
        "the hazardous-waste management assessment: 2 达标 (pass), 1 基本达标 (basic pass), 0 不达标 (fail)",
    ),
    Code(
        "alert_noncompliance",
        "count",
        Provider.EMERGENCY,
        "reduction measures of a heavy-pollution alert found not applied",
    ),
)

CODES: dict[str, Code] = {code.code: code for code in _CATALOGUE}


@dataclass(frozen=True)
class Evidence:
    """One record's contribution, before any scheme looks at it.

    `record` is a stable reference (``"sources.exceedance:17"``) so an objection or a credit repair can
    name the record it concerns; `label` is what a person reads; `on` is the record's date.
    """

    record: str
    label: str
    code: str
    quantity: Decimal
    on: date
    explanation: str = ""
    url: str = ""
    generated: bool = False

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown evidence code {self.code!r}")
        if not self.record:
            raise ValueError("an evidence row needs a record reference")
