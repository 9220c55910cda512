"""The bundled demo: the reference plan written in our own words, plus logins to look around with.

Demo passwords are public (they are in the README): the demo is for a laptop, not a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from envplan.accounts.models import SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core.services import record_audit
from envplan.plans.models import Plan, Unit
from envplan.plans.services import save_plan

DEMO_PASSWORD = "envplan-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str
    unit_code: str | None = None


DEMO_LOGINS = (
    DemoLogin("supervisor", DEMO_PASSWORD, "district office: supervises the whole plan"),
    DemoLogin(
        "ecology", DEMO_PASSWORD, "reporter for the ecology and environment bureau", "ecology-bureau-kundulun"
    ),
    DemoLogin(
        "housing",
        DEMO_PASSWORD,
        "reporter for the housing and construction bureau",
        "housing-bureau-kundulun",
    ),
)


@dataclass(frozen=True)
class DemoResult:
    plan: Plan
    changed: bool
    task_count: int
    logins: tuple[DemoLogin, ...]


def demo_plan_data() -> dict[str, Any]:
    text = resources.files("envplan.plans.demo").joinpath("plan.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@transaction.atomic
def load_demo() -> DemoResult:
    plan, changed = save_plan(demo_plan_data(), by=None)
    ensure_demo_users()
    return DemoResult(plan=plan, changed=changed, task_count=plan.tasks.count(), logins=DEMO_LOGINS)


def ensure_demo_users() -> None:
    user_model = get_user_model()
    supervisors, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    for login in DEMO_LOGINS:
        if user_model.objects.filter(username=login.username).exists():
            continue
        user = user_model.objects.create_user(username=login.username, password=login.password)
        record_audit(
            user, action="user.created", actor=None, after={"username": login.username, "demo": True}
        )
        if login.unit_code is None:
            user.groups.add(supervisors)
        else:
            unit = Unit.objects.get(code=login.unit_code)
            Membership.objects.create(user=user, unit=unit, role=MemberRole.REPORTER)
