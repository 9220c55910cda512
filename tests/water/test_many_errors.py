"""A sample file with thousands of bad rows: rejected whole, with the first 1,000 errors and their count in
the command's output, the import record and its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from envplan.water import lake as water_lake
from envplan.water.models import ImportStatus, WaterImport
from envplan.water.services import import_samples
from tests.commandline import envplan
from tests.fixtures import assert_lists_a_thousand_of_5000_errors, import_pages
from tests.water.conftest import HEADER


@pytest.fixture
def many_bad_rows(tmp_path: Path) -> Path:
    """One good row, then 5,000 rows whose CODMn is not a number (one error each)."""
    good = "S1,2025-01-10,river,7.5,6.5,4,0.4,0.15,\n"
    bad = "".join(
        f"S1,2025-01-{1 + number % 28:02d} 00:{number % 60:02d},river,7.5,6.5,x{number},0.4,0.15,\n"
        for number in range(5_000)
    )
    path = tmp_path / "samples.csv"
    path.write_text(HEADER + good + bad, encoding="utf-8")
    return path


def test_water_import_command_prints_a_thousand_errors_and_the_count(monitoring_sections, many_bad_rows):
    code, out, err = envplan("water", "import", str(many_bad_rows))

    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert len(lines) == 1_002
    assert lines[0].startswith("samples.csv, line 3, codmn: not a number: 'x0'")
    assert lines[1000] == "… and 4,000 more errors"
    assert lines[1001] == "samples.csv: rejected, 5000 errors, nothing stored"
    assert water_lake.samples().height == 0


def test_water_import_stores_a_thousand_errors_the_count_and_no_sample(monitoring_sections, many_bad_rows):
    record = import_samples(many_bad_rows, by=None)

    stored = WaterImport.objects.get(pk=record.pk)
    assert (stored.status, stored.rows, stored.error_count, len(stored.errors)) == (
        ImportStatus.REJECTED,
        0,
        5_000,
        1_000,
    )
    assert stored.errors[-1]["line"] == 1_002
    assert water_lake.samples().height == 0


def test_water_import_page_lists_a_thousand_errors_and_counts_the_others(
    monitoring_sections, many_bad_rows, client: Client
):
    record = import_samples(many_bad_rows, by=None)

    detail, listing = import_pages(client, "water", record.pk)

    assert_lists_a_thousand_of_5000_errors(detail, listing, "not a number: &#x27;x")
