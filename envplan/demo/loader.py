"""Loading the demo, floor by floor: the plan, the logins, the living reports, then monitoring data.

`envplan demo` (and so `make run`) loads all of it; tests load what they need. Running it again changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from envplan.air.demo_data import load_air_demo
from envplan.core import clock
from envplan.demo.activity import DEMO_TODAY, ensure_demo_activity
from envplan.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin, demo_password_hash, ensure_demo_users
from envplan.emergency.demo_data import load_emergency_demo
from envplan.indicators.services import ensure_indicators, evaluate_computed
from envplan.inspections.demo import load_inspections_demo
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Plan
from envplan.plans.services import save_plan
from envplan.sources.demo_data import load_sources_demo
from envplan.water.demo_data import load_water_demo


@dataclass(frozen=True)
class DemoResult:
    plan: Plan
    changed: bool
    task_count: int
    logins: tuple[DemoLogin, ...]


def load_demo(*, activity: bool = False) -> DemoResult:
    """Load the plan and logins and, with `activity`, the living demo. Running it again changes nothing.

    The calendar is pinned to DEMO_TODAY either way. `envplan demo` (and so `make run`) loads the living
    demo; tests get the plan without reports unless they ask for the activity, so that their own reports
    start from a clean slate.

    E-mail is switched off while loading: the demo's reminders are in the app (and `envplan remind
    --dry-run` lists them); the worker e-mails what falls due afterwards.
    """
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        plan, changed = save_plan(demo_plan_data(), by=None)
        ensure_demo_users()
        clock.pin(DEMO_TODAY)
        if activity:
            changed = ensure_demo_activity(plan) or changed
    return DemoResult(plan=plan, changed=changed, task_count=plan.tasks.count(), logins=DEMO_LOGINS)


def load_monitoring_demo(plan: Plan) -> dict[str, Any]:
    """The monitoring side of the demo: water sections and samples, air stations and hours, enterprise
    devices and readings, then enforcement (random inspections, records, the hazardous-waste round,
    rectification tasks); each app's own demo loader, generated values labelled generated. Then the plan's
    computed indicators evaluated up to the demo's date. Safe to run again."""
    loaded: dict[str, Any] = {}
    ensure_indicators(plan)
    loaded["water"] = load_water_demo(plan=plan)
    loaded["air"] = load_air_demo(plan=plan)
    loaded["sources"] = load_sources_demo(plan=plan)
    loaded["emergency"] = load_emergency_demo(plan=plan)
    loaded["inspections"] = load_inspections_demo(plan=plan, password_hash=demo_password_hash(DEMO_PASSWORD))
    ensure_indicators(plan)
    loaded["indicators"] = evaluate_computed(plan, as_of=DEMO_TODAY)
    return loaded
