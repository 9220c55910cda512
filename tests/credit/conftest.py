"""The credit tests' world: the shared small world (users per role) and one enterprise with a monitored
outlet, rated in 2025."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from envplan.sources.models import Enterprise, ExceedanceEvent, FactorLimit, Outlet
from tests.progress.factories import minimal_pdf
from tests.world import World, build_world

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 10, 20)


@pytest.fixture(autouse=True)
def lake_folder(settings, tmp_path: Path) -> Path:
    """Every test reads and writes its own lake (and its own district scheme folder)."""
    settings.LAKE_URL = str(tmp_path / "lake")
    settings.DATA_DIR = tmp_path
    return tmp_path / "lake"


@pytest.fixture
def world(db: None) -> World:
    return build_world(today=TODAY)


@pytest.fixture
def enterprise(db: None) -> Enterprise:
    return Enterprise.objects.create(
        name="Test Steel Works", name_zh="测试钢铁厂", credit_code="91150203MA0000001A"
    )


@pytest.fixture
def outlet(enterprise: Enterprise) -> Outlet:
    outlet = Outlet.objects.create(enterprise=enterprise, code="DA001", name="Sinter stack", kind="gas")
    FactorLimit.objects.create(
        outlet=outlet, factor="a21026", field="ZsAvg", limit=Decimal("35"), unit_of_measure="mg/m³"
    )
    return outlet


def exceedance(outlet: Outlet, start: dt.datetime, hours: int) -> ExceedanceEvent:
    return ExceedanceEvent.objects.create(
        outlet=outlet,
        factor="a21026",
        field="ZsAvg",
        start=start,
        end=start + dt.timedelta(hours=hours),
        max_value=48.5,
        limit=Decimal("35"),
        hours=hours,
    )


def local(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=ZONE)


def pdf(name: str = "decision.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")
