from __future__ import annotations

from pathlib import Path

import pytest

from envplan.water.models import MonitoringSection
from tests.fixtures import demo_login as login
from tests.fixtures import own_lake, plan_demo

__all__ = ["login", "own_lake", "plan_demo"]  # the fixtures lake_folder and demo; the tests' login

HEADER = "section,time,waterbody,ph,do,codmn,nh3n,tp,dry\n"


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
