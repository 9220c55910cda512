"""A file with thousands of bad rows: the first 1,000 errors and their count, in the command's output, the
import record and its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from envplan.air import lake as air_lake
from envplan.air.models import AirImport, ImportStatus
from envplan.air.services import import_hourly
from tests.commandline import envplan
from tests.fixtures import assert_lists_a_thousand_of_5000_errors, import_pages

HEADER = "station_code,time,pm25,pm10,so2,no2,co,o3\n"
GOOD = "1585A,2025-10-20T01:00,35,60,8,30,0.6,40\n1586A,2025-10-20T01:00,36,61,8,30,0.6,40\n"


@pytest.fixture
def many_bad_rows(tmp_path: Path) -> Path:
    """Two good rows, then 5,000 rows naming stations nobody registered (one error each)."""
    bad = "".join(f"X{number},2025-10-20T01:00,35,60,8,30,0.6,40\n" for number in range(5_000))
    path = tmp_path / "hours.csv"
    path.write_text(HEADER + GOOD + bad, encoding="utf-8")
    return path


def test_air_import_command_prints_a_thousand_errors_and_the_count(stations, many_bad_rows):
    code, out, err = envplan("air", "import", str(many_bad_rows))

    lines = err.splitlines()
    assert code == 1  # some rows stored, others had errors
    assert len(lines) == 1_001
    assert lines[0] == "hours.csv, line 4, station_code: unknown station X0"
    assert lines[999] == "hours.csv, line 1003, station_code: unknown station X999"
    assert lines[1000] == "… and 4,000 more errors"
    assert out == "hours.csv: partial, 2 rows stored, 5000 errors\n"


def test_air_import_stores_a_thousand_errors_and_the_count(stations, many_bad_rows):
    record = import_hourly(many_bad_rows, by=None)

    stored = AirImport.objects.get(pk=record.pk)
    assert (stored.status, stored.rows, stored.error_count, len(stored.errors)) == (
        ImportStatus.PARTIAL,
        2,
        5_000,
        1_000,
    )
    assert stored.errors[-1] == {
        "file": "hours.csv",
        "line": 1003,
        "field": "station_code",
        "message": "unknown station X999",
    }
    assert air_lake.hourly().collect().height == 2


def test_air_import_page_lists_a_thousand_errors_and_counts_the_others(
    stations, many_bad_rows, client: Client
):
    record = import_hourly(many_bad_rows, by=None)

    detail, listing = import_pages(client, "air", record.pk)

    assert_lists_a_thousand_of_5000_errors(detail, listing, "unknown station X")
