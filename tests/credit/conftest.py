"""The credit tests' world: the shared small world (users per role) and one enterprise with a monitored
outlet, rated in 2025."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from envplan.credit import services
from envplan.credit.models import ManualEvidence
from envplan.inspections import hazardous_waste as waste_scheme
from envplan.inspections.models import HazardousWasteAssessment, HazardousWasteRound
from envplan.inspections.services import hazardous_waste
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


def evidence(
    world: World,
    enterprise: Enterprise,
    code: str,
    quantity: int = 1,
    *,
    with_file: bool = True,
    **details: object,
) -> ManualEvidence:
    """A record of the enterprise's conduct filed by the bureau's officer, with a one-page PDF unless told
    otherwise (the service's answer: the record, or its refusal). `details`: `on` (TODAY unless given),
    `reference` and `description` ("x" and "y")."""
    written = {"on": TODAY, "reference": "x", "description": "y"} | details
    upload = pdf() if with_file else None
    return services.add_evidence(
        enterprise, code=code, quantity=quantity, upload=upload, by=world.officer, **written
    )


def waste_assessment(
    enterprise: Enterprise, *, on: dt.date, ledger: int = 0, veto: tuple[str, ...] = ()
) -> HazardousWasteAssessment:
    """A producer's hazardous-waste assessment in the enforcement app: with the ledger at 0 (and the
    labels and manifests at 1), 16 of 20 points, 基本达标; with the ledger at 2, 18 of 20, 达标 at 90 %."""
    round_ = HazardousWasteRound.objects.filter(year=on.year).first() or hazardous_waste.save_round(
        HazardousWasteRound(year=on.year, name=f"{on.year} assessment"), by=None
    )
    scores: dict[str, int | None] = {item.code: 2 for item in waste_scheme.checklist("producer")}
    scores.update({"utilisation": None, "disposal": None, "ledger": ledger, "labelling": 1, "transfer": 1})
    return hazardous_waste.assess(
        round_,
        enterprise=enterprise,
        role="producer",
        assessed_on=on,
        scores=scores,
        veto=veto,
        by=None,
        now=dt.datetime.combine(on, dt.time(12), tzinfo=ZONE),
    )


def bypass(world, enterprise) -> None:  # type: ignore[no-untyped-def]
    """A bypass pipe on record: Inner Mongolia's one-vote veto."""
    evidence(
        world,
        enterprise,
        "veto_bypass",
        1,
        on=dt.date(2025, 5, 5),
        reference="昆环罚〔2025〕9号",
        description="bypass pipe",
    )


def inner_mongolia_round(by):  # type: ignore[no-untyped-def]
    """A 2025 round under the Inner Mongolia 2024 scheme."""
    return services.create_round(
        title="2025 Inner Mongolia",
        scheme_id="inner-mongolia-2024",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=by,
    )
