"""A small plan for progress and accounts tests: two tasks, three units, one user per role.

Built directly (no demo loader) so each test sets up in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User

from envplan.accounts.models import SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core.models import DemoClock
from envplan.plans.models import Assignment, Chapter, Plan, Section, Target, Task, Unit

PASSWORD = "progress-test-pw"
TODAY = dt.date(2025, 6, 10)


@dataclass
class World:
    plan: Plan
    lead_task: Task  # lead: ecology; responsible: housing
    office_task: Task  # no lead unit: the district office reviews
    target: Target
    ecology: Unit
    housing: Unit
    water: Unit
    supervisor: User
    ecology_admin: User
    ecology_reporter: User
    housing_reporter: User
    housing_viewer: User
    water_admin: User


def user(username: str, *, unit: Unit | None = None, role: str = MemberRole.REPORTER) -> User:
    created = User.objects.create_user(username=username, password=PASSWORD)
    if unit is not None:
        Membership.objects.create(user=created, unit=unit, role=role)
    return created


def build_world(*, today: dt.date = TODAY) -> World:
    DemoClock.objects.create(today=today, note="tests")
    plan = Plan.objects.create(
        title="Test plan 2025", year=2025, date=dt.date(2025, 1, 10), content_hash="t" * 64
    )
    chapter = Chapter.objects.create(plan=plan, position=1, number="I", title="Water")
    section = Section.objects.create(chapter=chapter, position=1, number="1", title="Sewers")
    ecology = Unit.objects.create(code="ecology", name="Ecology bureau")
    housing = Unit.objects.create(code="housing", name="Housing bureau")
    water = Unit.objects.create(code="water", name="Water bureau")
    lead_task = Task.objects.create(
        plan=plan, section=section, position=1, number=1, title="Build sewers", summary="Lay new sewer pipes."
    )
    office_task = Task.objects.create(
        plan=plan, section=section, position=2, number=2, title="Clean drains", summary="Clear drains."
    )
    Assignment.objects.create(task=lead_task, unit=ecology, role="lead")
    Assignment.objects.create(task=lead_task, unit=housing, role="responsible")
    Assignment.objects.create(task=office_task, unit=housing, role="implementing")
    Assignment.objects.create(task=office_task, unit=water, role="implementing")
    target = Target.objects.create(
        plan=plan,
        task=lead_task,
        position=1,
        indicator="new sewer pipes",
        comparator=">=",
        value=Decimal(10),
        unit_of_measure="km",
    )
    supervisor = user("super")
    supervisor.groups.add(Group.objects.get_or_create(name=SUPERVISORS_GROUP)[0])
    return World(
        plan=plan,
        lead_task=lead_task,
        office_task=office_task,
        target=target,
        ecology=ecology,
        housing=housing,
        water=water,
        supervisor=supervisor,
        ecology_admin=user("eco-admin", unit=ecology, role=MemberRole.ADMIN),
        ecology_reporter=user("eco-rep", unit=ecology),
        housing_reporter=user("housing-rep", unit=housing),
        housing_viewer=user("housing-viewer", unit=housing, role=MemberRole.VIEWER),
        water_admin=user("water-admin", unit=water, role=MemberRole.ADMIN),
    )


# A minimal valid PDF: header, one empty page, cross-reference table and trailer.
def minimal_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
