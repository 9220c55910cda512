"""The registry of evidence sources: which app computes which code, and how a source plugs in, tested
with fake registrations put in place of the real ones for the length of a test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from envplan.core import clock
from envplan.credit import registry, services
from envplan.credit.errors import CreditError
from envplan.sources.demo_data import ENTERPRISES, load_sources_demo
from envplan.sources.models import Enterprise
from envplan.standards.credit import Evidence
from tests.credit.conftest import TODAY, evidence, local


def test_registry_computes_what_envplan_records_and_leaves_the_rest_to_hand_entry():
    computed = registry.computed_codes()

    assert computed == {
        "exceedance_hours": "sources.exceedances",
        "outlet_compliance": "sources.exceedances",
        "transmission_validity": "sources.validity",
        "screening_case_confirmed": "cases.confirmed",
        "inspection_penalty": "inspections.penalties",
        "rectification_late": "inspections.rectification",
        "hazardous_waste_result": "inspections.hazardous_waste",
        "alert_noncompliance": "emergency.compliance",
    }
    # Penalties decided outside an inspection record, findings and veto items are entered by hand.
    assert {"penalty", "noise_finding", "veto_bypass"} <= set(registry.manual_codes())
    assert not set(computed) & set(registry.manual_codes())


@pytest.fixture
def fake_cases(monkeypatch) -> Iterator[list[tuple[object, registry.Period]]]:
    """A stand-in for the screening-cases app: one confirmed case per enterprise, on 1 September."""
    calls: list[tuple[object, registry.Period]] = []

    def confirmed_cases(enterprise, period: registry.Period) -> list[Evidence]:
        calls.append((enterprise, period))
        return [
            Evidence(
                record=f"cases.case:{enterprise.pk}-1",
                label="case 1: flat-lined SO2",
                code="screening_case_confirmed",
                quantity=Decimal(1),
                on=dt.date(2025, 9, 1),
                explanation="confirmed on site",
            )
        ]

    monkeypatch.setitem(
        registry.REGISTRY,
        "cases.confirmed",
        registry.EvidenceSource(
            "cases.confirmed", "Confirmed screening cases", ("screening_case_confirmed",), confirmed_cases
        ),
    )
    yield calls


def test_registered_source_feeds_the_rating_and_ends_hand_entry_of_its_code(world, enterprise, fake_cases):
    rating_round = services.create_round(
        title="2025",
        scheme_id="inner-mongolia-2024",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=world.officer,
    )

    rating = services.compute_rating(rating_round, enterprise, by=world.officer, today=TODAY)

    assert fake_cases == [(enterprise, registry.Period(dt.date(2025, 1, 1), TODAY))]
    line = {r["record"]: r for r in rating.explanation["records"]}[f"cases.case:{enterprise.pk}-1"]
    assert (line["indicator"], line["total_effect"]) == ("falsified_data", "-20.00")
    assert rating.score == Decimal("80.00")
    assert "screening_case_confirmed" not in registry.manual_codes()
    with pytest.raises(CreditError) as refused:
        evidence(world, enterprise, "screening_case_confirmed", 1)
    assert "cases.confirmed" in refused.value.message


def test_hand_entries_of_a_code_an_app_now_computes_stop_counting(world, enterprise, monkeypatch):
    real = registry.REGISTRY["inspections.rectification"]
    monkeypatch.delitem(registry.REGISTRY, "inspections.rectification")  # as before the app registered
    evidence(
        world,
        enterprise,
        "rectification_late",
        12,
        on=dt.date(2025, 5, 1),
        reference="整改〔2025〕1号",
        description="closed 12 days late",
    )
    monkeypatch.setitem(
        registry.REGISTRY,
        "inspections.rectification",
        registry.EvidenceSource(real.name, real.label, real.codes, lambda e, p: []),
    )
    rows = registry.collect(enterprise, registry.Period(dt.date(2025, 1, 1), TODAY))

    assert [row.code for row in rows] == []


def test_registry_refuses_a_code_already_computed_by_another_source():
    with pytest.raises(ValueError, match=r"exceedance_hours already come from 'sources\.exceedances'"):
        registry.register_source(
            "cases.other", label="x", codes=("exceedance_hours",), collect=lambda e, p: []
        )


def test_registry_refuses_rows_of_a_code_the_source_did_not_declare(db, enterprise):
    def wrong(enterprise, period):
        return [Evidence(record="x:1", label="x", code="penalty", quantity=Decimal(1), on=TODAY)]

    registry.register_source("test.findings", label="x", codes=("noise_finding",), collect=wrong)
    try:
        with pytest.raises(ValueError, match=r"'test\.findings' returned undeclared code"):
            registry.collect(enterprise, registry.Period(dt.date(2025, 1, 1), TODAY))
    finally:
        registry.unregister_source("test.findings")


def test_sources_evidence_reads_exceedances_and_validity_from_the_lake(db):
    now = local(2025, 10, 20, 12)
    clock.pin(now)
    load_sources_demo(now=now)
    power = Enterprise.objects.get(name=ENTERPRISES[0]["name"])

    rows = registry.collect(power, registry.Period(dt.date(2025, 1, 1), dt.date(2025, 10, 19)))

    by_code: dict[str, list[Evidence]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
    assert sorted(by_code) == ["exceedance_hours", "outlet_compliance", "transmission_validity"]
    [event] = by_code["exceedance_hours"]
    assert event.label.startswith("DA001 a21026-ZsAvg from 2025-10-1")
    assert event.generated is True
    [outlet] = by_code["outlet_compliance"]
    assert (outlet.quantity, outlet.explanation) == (
        Decimal(0),
        f"1 exceedance event, {event.quantity} h: not compliant",
    )
    [validity] = by_code["transmission_validity"]
    # Counted from the first day with data (the demo's 14 generated days), for the one active logger of
    # the limited outlet; missing, maintenance and fault hours are not valid.
    assert Decimal(80) < validity.quantity < Decimal(100)
    assert validity.explanation.startswith(
        "948 valid hourly values of 1008 expected from 1 active logger(s); "
    )
    assert validity.record == f"sources.validity:{power.pk}:20251006-20251019"
