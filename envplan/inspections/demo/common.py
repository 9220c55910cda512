"""What the parts of the enforcement demo share: its year, day, time zone, folder and helpers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from envplan.inspections.images import generated_photo

YEAR = 2025
TODAY = dt.date(2025, 10, 20)
ZONE = dt.timezone(dt.timedelta(hours=8))
OFFICER = "bureau-officer"
ROUND = "2025 regional environmental inspection: feedback to rectify (illustrative)"
SEED_PHRASE = "envplan demo: the office's seed for "
DEMO_FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoEnterprise:
    """A row of demo/enterprises.csv: an illustrative enterprise, its category in the register and its
    role in the hazardous-waste assessment (empty when it is not assessed)."""

    name: str
    name_zh: str
    industry: str
    category: str
    waste_role: str


def demo_enterprises() -> list[DemoEnterprise]:
    with (DEMO_FOLDER / "enterprises.csv").open(encoding="utf-8", newline="") as file:
        return [DemoEnterprise(**row) for row in csv.DictReader(file)]


SOURCES_KEY = (
    "Kundulun Thermal Power Co. (illustrative)",
    "Kundulun Wastewater Treatment Plant (illustrative)",
)

INSPECTORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("inspector1", "Wang (illustrative)", ("enforcement", "hazardous-waste")),
    ("inspector2", "Li (illustrative)", ("enforcement",)),
    ("inspector3", "Zhao (illustrative)", ("enforcement", "monitoring")),
    ("inspector4", "Liu (illustrative)", ("enforcement", "hazardous-waste")),
    ("inspector5", "Chen (illustrative)", ("enforcement",)),
    ("inspector6", "Zhang (illustrative)", ("enforcement", "radiation")),
)

QUARTERS = (
    ("Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 1, 9), dt.date(2025, 4, 8)),
    ("Q2", dt.date(2025, 4, 1), dt.date(2025, 6, 30), dt.date(2025, 4, 9), dt.date(2025, 7, 8)),
    ("Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), dt.date(2025, 7, 9), dt.date(2025, 10, 9)),
    ("Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), dt.date(2025, 10, 9), None),
)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


def demo_seed(label: str) -> bytes:
    return hashlib.sha256(f"{SEED_PHRASE}{label}".encode()).digest()


def photo(number: int, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, generated_photo(number), content_type="image/png")
