"""The credit demo: both sources-demo enterprises rated under both bundled schemes with evidence, each grade
explained line by line, and the objection that changed a grade in the audit trail."""

from __future__ import annotations

import datetime as dt

from envplan.core import clock
from envplan.core.models import AuditEntry
from envplan.credit.demo import load_credit_demo
from envplan.credit.models import CreditRating
from envplan.credit.queries import credit_grade
from envplan.sources.demo_data import ENTERPRISES, load_sources_demo
from envplan.sources.models import Enterprise
from tests.credit.conftest import TODAY, local


def load(world) -> None:
    clock.pin(local(2025, 10, 20, 12))
    load_sources_demo(now=local(2025, 10, 20, 12))
    load_credit_demo(today=TODAY)


def test_credit_demo_rates_both_enterprises_under_both_schemes(world):
    load(world)

    rated = {
        (r.enterprise.name, r.round.scheme_id, r.round.period_end.year, r.state)
        for r in CreditRating.objects.select_related("enterprise", "round")
    }

    power, water = ENTERPRISES[0]["name"], ENTERPRISES[1]["name"]
    assert rated == {
        (power, "national-2013", 2024, "published"),
        (water, "national-2013", 2024, "published"),
        (power, "inner-mongolia-2024", 2025, "noticed"),
        (water, "inner-mongolia-2024", 2025, "draft"),
        (power, "national-2013", 2025, "draft"),
        (water, "national-2013", 2025, "draft"),
    }


def test_credit_demo_explains_every_record_of_every_grade(world):
    load(world)

    for rating in CreditRating.objects.all():
        lines = {line["record"]: line for line in rating.explanation["records"]}
        assert set(lines) == {row["record"] for row in rating.evidence}
        assert rating.evidence, rating
        for line in lines.values():
            # A counted record names the indicator it moved (a validity of 94 % moves it by 0: still a line).
            assert bool(line["indicator"]) == (line["role"] in ("counted", "capped")), line
        assert rating.explanation["steps"][0]["kind"] == "score"


def test_credit_demo_objection_lifted_a_grade_and_the_audit_shows_it(world):
    load(world)
    power = Enterprise.objects.get(name=ENTERPRISES[0]["name"])
    water = Enterprise.objects.get(name=ENTERPRISES[1]["name"])
    rating = CreditRating.objects.get(enterprise=power, round__period_end__year=2024)

    upheld = AuditEntry.objects.for_object(rating).get(action="credit.objection_upheld")

    assert (upheld.before["grade"], upheld.after["grade"]) == ("blue", "green")
    assert (credit_grade(power, TODAY).grade, credit_grade(water, TODAY).grade) == ("green", "red")
    assert credit_grade(water, TODAY).worst is True
    assert credit_grade(power, dt.date(2025, 5, 5)) is None  # published on 6 May


def test_credit_demo_load_twice_changes_nothing(world):
    load(world)
    counts = (CreditRating.objects.count(), AuditEntry.objects.count())

    load_credit_demo(today=TODAY)

    assert (CreditRating.objects.count(), AuditEntry.objects.count()) == counts
