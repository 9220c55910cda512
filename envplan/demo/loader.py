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
from envplan.cases.demo_data import confirm_doctored_case, load_cases_demo
from envplan.core import clock
from envplan.credit.demo import load_credit_drafts, load_credit_history
from envplan.demo.activity import DEMO_TODAY, ensure_demo_activity
from envplan.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin, demo_password_hash, ensure_demo_users
from envplan.emergency.demo_data import load_emergency_demo
from envplan.indicators.services import ensure_indicators, evaluate_computed
from envplan.inspections.demo import load_inspections_demo
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Plan
from envplan.plans.services import save_plan
from envplan.portal.demo import load_portal_demo
from envplan.sources.demo_data import load_doctored_demo, load_sources_demo
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
    devices and readings, an enterprise whose generated data was doctored and the screening that finds
    it, then enforcement (random inspections, records, the hazardous-waste round, rectification tasks) and
    the inspectors' confirmation of the doctored enterprise's case;
    each app's own demo loader, generated values labelled generated. Then the plan's computed indicators
    evaluated up to the demo's date, the enterprises' credit ratings and the public portal's data owners
    and correction requests. Safe to run again."""
    loaded: dict[str, Any] = {}
    ensure_indicators(plan)
    loaded["water"] = load_water_demo(plan=plan)
    loaded["air"] = load_air_demo(plan=plan)
    loaded["sources"] = load_sources_demo(plan=plan)
    loaded["doctored"] = load_doctored_demo()
    loaded["cases"] = load_cases_demo()
    loaded["emergency"] = load_emergency_demo(plan=plan)
    # The 2024 credit round, published in May 2025: its grades raise the draws committed after that.
    loaded["credit_2024"] = load_credit_history()
    loaded["inspections"] = load_inspections_demo(plan=plan, password_hash=demo_password_hash(DEMO_PASSWORD))
    # Judged at the demo's moment, after the year's draws: it raises the doctored enterprise to a special
    # supervision object in the register from now on, and counts in the credit drafts below.
    loaded["confirmed"] = confirm_doctored_case()
    ensure_indicators(plan)
    loaded["indicators"] = evaluate_computed(plan, as_of=DEMO_TODAY)
    # Enforcement and the public face last: they rate the sources' enterprises and publish the rest.
    loaded["credit"] = load_credit_drafts(today=DEMO_TODAY)
    loaded["portal"] = load_portal_demo(today=DEMO_TODAY)
    return loaded
