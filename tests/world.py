"""The one small world of the workflow tests: a plan with three tasks, six units and a user per role.

Units: ecology (lead of task 1), housing (responsible on 1, implementing on 2), water (implementing on 2),
and the group "towns" (implementing on 3) whose members town-a and town-b report on task 3.
Task 1 has a target (sewer pipes ≥ 10 km), task 2 one (drains ≥ 100), task 3 none. Task 2 names no lead
unit, so the district office reviews its reports. Built directly (no demo loader): a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import Group, User

from envplan.accounts.models import BUREAU_OFFICERS_GROUP, SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core.models import DemoClock
from envplan.plans.models import Assignment, Chapter, Plan, Section, Target, Task, Unit
from envplan.progress.calendar import reporting_settings

PASSWORD = "world-test-pw"
# The exports tests look at the world on this day: January and February reports are owed (due 25 Feb, 25 Mar).
TODAY = dt.date(2025, 3, 30)
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


class Writes(TypedDict):
    """Which report a user writes: the first arguments of `save_report`."""

    task: Task
    unit: Unit
    period: dt.date
    by: User


@dataclass
class World:
    plan: Plan
    task1: Task
    task2: Task
    task3: Task
    target1: Target
    target2: Target
    ecology: Unit
    housing: Unit
    water: Unit
    towns: Unit
    town_a: Unit
    town_b: Unit
    supervisor: User
    officer: User
    ecology_reporter: User
    housing_reporter: User
    housing_viewer: User
    town_a_reporter: User
    town_b_reporter: User
    water_reporter: User
    ecology_admin: User
    water_admin: User

    # The names the progress tests use: task 1 has a lead unit (ecology), task 2 none (the district office
    # reviews its reports).
    @property
    def lead_task(self) -> Task:
        return self.task1

    @property
    def office_task(self) -> Task:
        return self.task2

    @property
    def target(self) -> Target:
        return self.target1

    def housing_writes(self, period: dt.date) -> Writes:
        """The housing bureau's reporter on its report of the lead task for a month."""
        return {"task": self.lead_task, "unit": self.housing, "period": period, "by": self.housing_reporter}

    def water_writes(self, period: dt.date) -> Writes:
        """The water bureau's administrator on its report of the office task for a month."""
        return {"task": self.office_task, "unit": self.water, "period": period, "by": self.water_admin}


def user(username: str, *, units: tuple[Unit, ...] = (), role: str = MemberRole.REPORTER) -> User:
    created = User.objects.create_user(username=username, password=PASSWORD)
    for unit in units:
        Membership.objects.create(user=created, unit=unit, role=role)
    return created


def set_today(day: dt.date) -> None:
    DemoClock.objects.update_or_create(
        pk=DemoClock.objects.values_list("pk", flat=True).first(), defaults={"today": day}
    )


def build_world(*, today: dt.date = TODAY) -> World:
    DemoClock.objects.create(today=today, note="tests")
    plan = Plan.objects.create(
        title="Test plan 2025", year=2025, date=dt.date(2025, 1, 10), content_hash="e" * 64
    )
    reporting_settings(plan)  # monthly, due on the 25th, January to December
    chapter = Chapter.objects.create(plan=plan, position=1, number="III", title="Water")
    section = Section.objects.create(chapter=chapter, position=1, number="2", title="Sewers and drains")
    ecology = Unit.objects.create(code="ecology", name="Ecology bureau", name_zh="生态环境局")
    housing = Unit.objects.create(code="housing", name="Housing bureau", name_zh="住房和城乡建设局")
    water = Unit.objects.create(code="water", name="Water bureau", name_zh="水务局")
    towns = Unit.objects.create(code="towns", name="All towns", name_zh="各镇", is_group=True)
    town_a = Unit.objects.create(code="town-a", name="Town A", name_zh="甲镇")
    town_b = Unit.objects.create(code="town-b", name="Town B", name_zh="乙镇")
    towns.members.add(town_a, town_b)
    task1 = Task.objects.create(
        plan=plan, section=section, position=1, number=1, title="Build sewers", summary="Lay new sewer pipes."
    )
    task2 = Task.objects.create(
        plan=plan, section=section, position=2, number=2, title="Clean drains", summary="-"
    )
    task3 = Task.objects.create(
        plan=plan, section=section, position=3, number=3, title="Sweep streets", summary="-"
    )
    Assignment.objects.create(task=task1, unit=ecology, role="lead")
    Assignment.objects.create(task=task1, unit=housing, role="responsible")
    Assignment.objects.create(task=task2, unit=housing, role="implementing")
    Assignment.objects.create(task=task2, unit=water, role="implementing")
    Assignment.objects.create(task=task3, unit=towns, role="implementing")
    target1 = Target.objects.create(
        plan=plan,
        task=task1,
        position=1,
        indicator="new sewer pipes",
        comparator=">=",
        value=Decimal(10),
        unit_of_measure="km",
    )
    target2 = Target.objects.create(
        plan=plan,
        task=task2,
        position=2,
        indicator="drains cleared",
        comparator=">=",
        value=Decimal(100),
        unit_of_measure="count",
        deadline=dt.date(2025, 11, 30),
    )
    supervisor = user("super")
    supervisor.groups.add(Group.objects.get_or_create(name=SUPERVISORS_GROUP)[0])
    officer = user("officer")
    officer.groups.add(Group.objects.get_or_create(name=BUREAU_OFFICERS_GROUP)[0])
    return World(
        plan=plan,
        task1=task1,
        task2=task2,
        task3=task3,
        target1=target1,
        target2=target2,
        ecology=ecology,
        housing=housing,
        water=water,
        towns=towns,
        town_a=town_a,
        town_b=town_b,
        supervisor=supervisor,
        officer=officer,
        ecology_reporter=user("eco-rep", units=(ecology,)),
        housing_reporter=user("housing-rep", units=(housing,)),
        housing_viewer=user("housing-viewer", units=(housing,), role=MemberRole.VIEWER),
        town_a_reporter=user("town-a-rep", units=(town_a,)),
        town_b_reporter=user("town-b-rep", units=(town_b,)),
        water_reporter=user("water-rep", units=(water,)),
        ecology_admin=user("eco-admin", units=(ecology,), role=MemberRole.ADMIN),
        water_admin=user("water-admin", units=(water,), role=MemberRole.ADMIN),
    )
