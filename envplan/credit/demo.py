"""The credit demo: the two illustrative enterprises of the sources demo rated under both bundled schemes.

* "2024 (national 2013 measures)": the whole cycle in spring 2025. Evidence entered by hand (GENERATED):
  the power plant's 2024 penalty and a bypass found at the wastewater plant; the power plant's 2024
  hazardous-waste assessment (基本达标) is a record of the enforcement app, which the rating reads. The
  plant's objection (the penalty was annulled on reconsideration) is upheld, which lifts its grade from
  blue to green; the wastewater plant's one-vote veto makes it red. Both are published: one on the
  incentives list, one on the sanctions list.
* "2025 to date (Inner Mongolia 2024 measures)" and "2025 to date (national 2013 measures)": drafts
  computed at the demo's date from envplan's records (exceedances, transmission validity, and in the full
  demo the confirmed screening case of the doctored enterprise, fines from inspections, the 2025
  hazardous-waste round and alert compliance); the power plant's Inner Mongolia draft is notified.

The demo loader calls `load_credit_history()` before the enforcement demo (its grades raise the year's
draws) and `load_credit_drafts()` after it (the drafts count its records); `load_credit_demo()` runs both.
Running them again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from envplan.core import clock
from envplan.credit import services
from envplan.credit.models import CreditRound
from envplan.inspections import hazardous_waste as waste_scheme
from envplan.inspections.models import HazardousWasteRound
from envplan.inspections.services import hazardous_waste
from envplan.sources.demo_data import ENTERPRISES
from envplan.sources.models import Enterprise

NOTE = " (generated for the demo)"


def _waste_assessment_2024(power: Enterprise) -> None:
    """The power plant's 2024 hazardous-waste assessment as a producer: 基本达标 (no complete ledger)."""
    round_ = HazardousWasteRound.objects.filter(year=2024).first() or hazardous_waste.save_round(
        HazardousWasteRound(
            year=2024,
            name="2024 hazardous-waste management assessment (illustrative)",
            note="Generated demo round.",
        ),
        by=None,
    )
    scores: dict[str, int | None] = {item.code: 2 for item in waste_scheme.checklist("producer")}
    scores.update({"utilisation": None, "disposal": None, "ledger": 0, "labelling": 1, "transfer": 1})
    hazardous_waste.assess(
        round_,
        enterprise=power,
        role="producer",
        assessed_on=dt.date(2024, 9, 20),
        scores=scores,
        note="Illustrative: the waste-oil ledger incomplete" + NOTE,
        by=None,
        generated=True,
    )


HISTORY = "2024 (national 2013 measures)"
DRAFTS = ("2025 to date (Inner Mongolia 2024 measures)", "2025 to date (national 2013 measures)")


def _demo_enterprises(*titles: str) -> tuple[Enterprise, Enterprise] | None:
    """The power plant and the wastewater plant to rate; None when the rounds of these titles are loaded
    already (loading again changes nothing) or the sources demo is not."""
    if CreditRound.objects.filter(generated=True, title__in=titles).exists():
        return None
    power = Enterprise.objects.filter(name=ENTERPRISES[0]["name"]).first()
    water = Enterprise.objects.filter(name=ENTERPRISES[1]["name"]).first()
    return None if power is None or water is None else (power, water)


def _calendar_round(title: str, scheme_id: str, year: int) -> CreditRound:
    """A GENERATED round over one calendar year."""
    return services.create_round(
        title=title,
        scheme_id=scheme_id,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        by=None,
        generated=True,
    )


def load_credit_demo(*, today: dt.date | None = None) -> dict[str, int]:
    """Both parts, one after the other (the full demo loads the enforcement demo in between)."""
    history = load_credit_history()
    drafts = load_credit_drafts(today=today)
    return {
        "rounds": history["rounds"] + drafts["rounds"],
        "ratings": history.get("ratings", 0) + drafts.get("ratings", 0),
    }


def load_credit_history() -> dict[str, int]:
    """The 2024 round, published on 6 May 2025: the grades in force for the rest of the demo's year (the
    wastewater plant's red makes it a special supervision object of the draws committed after that)."""
    found = _demo_enterprises(HISTORY)
    if found is None:
        return {"rounds": 0}
    power, water = found
    with transaction.atomic():
        penalty = services.add_evidence(
            power,
            code="penalty",
            on=dt.date(2024, 6, 12),
            quantity=Decimal(100000),
            reference="昆环罚〔2024〕示例01号",
            description="Illustrative: SO2 above the permit during a boiler test, fined 100,000 yuan" + NOTE,
            upload=None,
            by=None,
            generated=True,
        )
        _waste_assessment_2024(power)
        services.add_evidence(
            water,
            code="veto_bypass",
            on=dt.date(2024, 7, 3),
            quantity=1,
            reference="昆环罚〔2024〕示例02号",
            description="Illustrative: an unrecorded bypass pipe at the effluent channel, found on inspection"
            + NOTE,
            upload=None,
            by=None,
            generated=True,
        )

        national_2024 = _calendar_round(HISTORY, "national-2013", 2024)
        services.compute_round(national_2024, by=None, today=dt.date(2025, 4, 1))
        services.notify_round(national_2024, by=None, today=dt.date(2025, 4, 7), language="zh-hans")
        power_2024 = national_2024.ratings.get(enterprise=power)
        objection = services.record_objection(
            power_2024,
            statement="The 2024 penalty decision was annulled on administrative reconsideration" + NOTE,
            records=[penalty.record],
            upload=None,
            by=None,
            received_on=dt.date(2025, 4, 15),
        )
        services.review_objection(
            objection,
            uphold=True,
            reason="The reconsideration decision annulling the penalty was checked" + NOTE,
            by=None,
            today=dt.date(2025, 4, 25),
        )
        services.publish_round(national_2024, by=None, today=dt.date(2025, 5, 6))
    return {"rounds": 1, "ratings": national_2024.ratings.count()}


def load_credit_drafts(*, today: dt.date | None = None) -> dict[str, int]:
    """The 2025 rounds to date: drafts computed from envplan's records at the demo's date, the power
    plant's Inner Mongolia draft notified."""
    found = _demo_enterprises(*DRAFTS)
    if found is None:
        return {"rounds": 0}
    power, _water = found
    today = today or clock.today()
    with transaction.atomic():
        inner_mongolia = _calendar_round(DRAFTS[0], "inner-mongolia-2024", 2025)
        services.compute_round(inner_mongolia, by=None, today=today)
        services.issue_notice(
            inner_mongolia.ratings.get(enterprise=power), by=None, today=today, language="zh-hans"
        )

        national_2025 = _calendar_round(DRAFTS[1], "national-2013", 2025)
        services.compute_round(national_2025, by=None, today=today)
    return {"rounds": 2, "ratings": sum(r.ratings.count() for r in (inner_mongolia, national_2025))}
