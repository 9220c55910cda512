"""The enforcement tests' small world: the workflow world (tests.world: a plan, units and a user per
role) plus ten enterprises in the 2025 register, the year's ratios, two inspection items, four
inspectors and a third-quarter task. Built directly, in milliseconds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.inspections.models import (
    Draw,
    InspectionItem,
    InspectionRecord,
    InspectionTask,
    Inspector,
    RatioRule,
    SupervisionObject,
)
from envplan.inspections.services import draws
from envplan.inspections.services.records import RecordInput, complete_record, save_record
from envplan.sources.models import Enterprise
from tests.world import PASSWORD, World, build_world, user

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2025, 7, 20)
NOW = dt.datetime(2025, 7, 20, 10, 0, tzinfo=SHANGHAI)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@dataclass
class Enforcement:
    world: World
    enterprises: list[Enterprise]
    inspectors: list[Inspector]
    items: list[InspectionItem]
    task: InspectionTask

    @property
    def key(self) -> list[Enterprise]:
        return self.enterprises[:3]


@pytest.fixture(autouse=True)
def media_folder(settings, tmp_path: Path) -> Path:
    """Every test stores its photos and evidence in its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def build_enforcement() -> Enforcement:
    world = build_world(today=TODAY)
    enterprises = [
        Enterprise.objects.create(
            name=f"Plant {n:02d}", name_zh=f"工厂{n:02d}", credit_code=f"9115020300000000{n:02d}"
        )
        for n in range(1, 11)
    ]
    for index, enterprise in enumerate(enterprises):
        category = "key" if index < 3 else "special" if index == 3 else "general"
        SupervisionObject.objects.create(year=2025, enterprise=enterprise, category=category)
    RatioRule.objects.create(year=2025, category="key", per="quarter", percent=Decimal(50), basis="test")
    RatioRule.objects.create(year=2025, category="special", per="quarter", percent=Decimal(100), basis="test")
    RatioRule.objects.create(
        year=2025, category="general", per="year", objects_per_inspector=Decimal(2), basis="test"
    )
    inspectors = []
    for n in range(1, 5):
        login = user(f"inspector{n}")
        qualifications = ["enforcement", "hazardous-waste"] if n == 1 else ["enforcement"]
        inspectors.append(
            Inspector.objects.create(
                user=login, code=f"INS-{n}", name=f"Inspector {n}", qualifications=qualifications
            )
        )
    items = [
        InspectionItem.objects.create(
            year=2025, number=1, category="污染源日常环境监管随机抽查", name="Pollution control facilities"
        ),
        InspectionItem.objects.create(
            year=2025, number=2, category="污染源日常环境监管随机抽查", name="Permit compliance"
        ),
    ]
    task = InspectionTask.objects.create(
        year=2025,
        code="2025-Q3",
        name="Random inspection of dischargers, third quarter",
        period_start=dt.date(2025, 7, 1),
        period_end=dt.date(2025, 9, 30),
        required_qualifications=["enforcement"],
    )
    task.items.set(items)
    return Enforcement(world, enterprises, inspectors, items, task)


@pytest.fixture
def enforcement(db: None) -> Enforcement:
    return build_enforcement()


def login(client: Client, who: User) -> Client:
    assert client.login(username=who.username, password=PASSWORD)
    return client


def drawn(task: InspectionTask, stratum: str, *, by: User | None = None) -> Draw:
    """The task's draw of one stratum, planned, committed and made at NOW."""
    planned = {d.stratum: d for d in draws.plan_draws(task, by=by)}
    return draws.make_draw(draws.commit_draw(planned[stratum], by=by, now=NOW), by=by, now=NOW)


def inspected(record: InspectionRecord, day: dt.date, *, now: dt.datetime | None = None) -> None:
    """The record filled in as inspected on `day` (method 1, result 1, no follow-up) and completed, at
    `now` (10:00 that day unless given)."""
    moment = now or at(day)
    data = RecordInput(inspected_on=day, methods=["1"], result="1", follow_ups=["none"])
    save_record(record, by=None, data=data, now=moment)
    complete_record(record, by=None, now=moment)
