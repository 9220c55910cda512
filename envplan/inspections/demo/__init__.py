"""The enforcement demo: a year of random inspections with published draws, records with photos, a
hazardous-waste assessment round and the plan's 24 rectification tasks, each feeding its target.

Everything here is ILLUSTRATIVE: the enterprises, inspectors, findings and rectification tasks are made
up (marked illustrative or generated), and the photos are small generated pictures stamped GENERATED.
The rules are real: the ratios, the draw method, the result vocabulary, the assessment checklists, the
deadlines. The draws use seeds the "office" keeps (derived from a fixed phrase, so that the demo is the
same on every machine); a real office makes random ones.

`load_inspections_demo()` is called by the demo loader after the sources demo; running it again changes
nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from envplan.inspections.demo.common import YEAR, at
from envplan.inspections.demo.inspections import run_draws
from envplan.inspections.demo.people import ensure_items, ensure_people, ensure_register, ensure_tasks
from envplan.inspections.demo.rectifications import run_rectifications
from envplan.inspections.demo.targets import link_targets
from envplan.inspections.demo.waste import run_waste_round
from envplan.inspections.models import InspectionTask
from envplan.inspections.services import registers
from envplan.plans.models import Plan
from envplan.sources.models import Enterprise

__all__ = ["load_inspections_demo"]


def load_inspections_demo(*, plan: Plan | None = None, password_hash: str) -> dict[str, int]:
    """The whole enforcement demo; `password_hash` is the demo logins' (the bureau officer and the six
    inspectors log in with it). Running it again changes nothing."""
    if InspectionTask.objects.filter(code=f"KDL-{YEAR}-Q1").exists():
        return {"loaded": 0}
    with transaction.atomic():
        officer, inspectors = ensure_people(password_hash)
        ensure_register()
        items = ensure_items()
        tasks = ensure_tasks(officer, items)
        registers.declare_recusal(
            inspectors[2],
            enterprise=Enterprise.objects.get(name="Kunhe Foundry (illustrative)"),
            reason="a close relative manages the foundry (illustrative)",
            by=None,
            now=at(dt.date(2025, 1, 6)),
        )
        counts = run_draws(officer, tasks)
        counts["assessed"] = run_waste_round(inspectors)
        counts["rectifications"] = run_rectifications()
        chosen = plan or Plan.objects.order_by("pk").first()
        counts["targets"] = link_targets(chosen) if chosen is not None else 0
    return counts
