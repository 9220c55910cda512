from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD
from envplan.water.models import MonitoringSection

HEADER = "section,time,waterbody,ph,do,codmn,nh3n,tp,dry\n"


@pytest.fixture(autouse=True)
def lake_folder(settings, tmp_path: Path) -> Path:
    """Every test writes to its own lake."""
    folder = tmp_path / "lake"
    settings.LAKE_URL = str(folder)
    return folder


@pytest.fixture
def demo(db: None) -> DemoResult:
    return load_demo()


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def write(tmp_path: Path, text: str, name: str = "samples.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def monitoring_sections(db: None) -> list[MonitoringSection]:
    """Three river sections, one of them a drinking-water source, and a reservoir."""
    return [
        MonitoringSection.objects.create(
            code="S1", name="Upper", river_or_lake="River A", target_class="III"
        ),
        MonitoringSection.objects.create(
            code="S2",
            name="Middle",
            river_or_lake="River A",
            target_class="III",
            is_drinking_water_source=True,
        ),
        MonitoringSection.objects.create(code="S3", name="Lower", river_or_lake="River A", target_class="IV"),
        MonitoringSection.objects.create(
            code="R1",
            name="Reservoir",
            river_or_lake="Reservoir B",
            waterbody="lake",
            target_class="II",
            is_drinking_water_source=True,
        ),
    ]
