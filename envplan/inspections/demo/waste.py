"""The demo's hazardous-waste assessment round: the producers and operators of the register, scored."""

from __future__ import annotations

import datetime as dt

from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.demo.common import TODAY, YEAR, at, demo_enterprises
from envplan.inspections.models import HazardousWasteRound, Inspector
from envplan.inspections.services import hazardous_waste
from envplan.sources.models import Enterprise


def run_waste_round(inspectors: list[Inspector]) -> int:

    round_ = HazardousWasteRound.objects.filter(year=YEAR).first()
    if round_ is None:
        round_ = hazardous_waste.save_round(
            HazardousWasteRound(
                year=YEAR,
                name=f"{YEAR} hazardous-waste management assessment (illustrative)",
                note="Generated demo round: producers and operators of the district's register.",
            ),
            by=None,
        )
    if round_.assessments.exists():
        return 0
    qualified = [i for i in inspectors if "hazardous-waste" in i.qualifications]
    assessed = 0
    for number, row in enumerate(demo_enterprises()):
        name, role = row.name, row.waste_role
        if not role:
            continue
        enterprise = Enterprise.objects.get(name=f"{name} (illustrative)")
        items = scheme.checklist(role)
        scores: dict[str, int | None] = {item.code: 2 for item in items}
        if role == "producer":
            scores["utilisation"] = None  # most producers neither use nor dispose of their waste on site
            scores["disposal"] = None
        if number % 4 == 1:
            scores["training"] = 1
        if name == "Kunhe Foundry":  # the round's one basic pass: no ledger, labels missing
            scores.update({"ledger": 0, "labelling": 1, "transfer": 1})
        hazardous_waste.assess(
            round_,
            enterprise=enterprise,
            role=role,
            assessed_on=dt.date(2025, 6, 10) + dt.timedelta(days=9 * assessed),
            scores=scores,
            assessors=qualified,
            note="generated",
            by=None,
            generated=True,
            now=at(TODAY),
        )
        assessed += 1
    return assessed


# --- rectification tasks -----------------------------------------------------------------------------------
