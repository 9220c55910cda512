"""The demo's logins: one public password, a supervisor and reporters of a few bureaus of the demo plan.

Demo passwords are public (they are in the README): the demo is for a laptop, not a server.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from envplan.accounts.models import SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core.services import record_audit
from envplan.plans.models import Unit

DEMO_PASSWORD = "envplan-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str
    unit_code: str | None = None
    role: str = MemberRole.REPORTER


ECOLOGY = "ecology-bureau-kundulun"
DEMO_LOGINS = (
    DemoLogin("supervisor", DEMO_PASSWORD, "district office: supervises the whole plan"),
    DemoLogin("ecology", DEMO_PASSWORD, "reporter for the ecology and environment bureau", ECOLOGY),
    DemoLogin(
        "housing",
        DEMO_PASSWORD,
        "reporter for the housing and construction bureau",
        "housing-bureau-kundulun",
    ),
    DemoLogin(
        "ecology-admin",
        DEMO_PASSWORD,
        "administrator of the ecology and environment bureau: reviews reports on the tasks it leads",
        ECOLOGY,
        MemberRole.ADMIN,
    ),
    DemoLogin(
        "industry",
        DEMO_PASSWORD,
        "reporter for the bureau of industry and information technology",
        "industry-it-bureau-kundulun",
    ),
    DemoLogin(
        "agriculture",
        DEMO_PASSWORD,
        "reporter for the agriculture and rural affairs bureau",
        "agriculture-bureau-kundulun",
    ),
    DemoLogin(
        "resources",
        DEMO_PASSWORD,
        "reporter for the natural resources bureau",
        "natural-resources-bureau-kundulun",
    ),
    DemoLogin(
        "enforcement",
        DEMO_PASSWORD,
        "reporter for the comprehensive administrative law-enforcement bureau",
        "law-enforcement-bureau-kundulun",
    ),
)


@functools.cache
def demo_password_hash(password: str) -> str:
    """Hashed once per process: the demo's logins share one public password, so one slow hash will do."""
    return make_password(password)


def ensure_demo_users() -> None:
    user_model = get_user_model()
    supervisors, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    for login in DEMO_LOGINS:
        if user_model.objects.filter(username=login.username).exists():
            continue
        user = user_model.objects.create_user(
            username=login.username, password=None, email=f"{login.username}@demo.envplan.invalid"
        )
        user.password = demo_password_hash(login.password)
        user.save(update_fields=["password"])
        record_audit(
            user, action="user.created", actor=None, after={"username": login.username, "demo": True}
        )
        if login.unit_code is None:
            user.groups.add(supervisors)
        else:
            unit = Unit.objects.get(code=login.unit_code)
            Membership.objects.create(user=user, unit=unit, role=login.role)
