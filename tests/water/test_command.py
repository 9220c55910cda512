"""`envplan water …`: sections import, sample import, evaluation, and the pure classify/assess."""

from __future__ import annotations

import io
import json

import polars as pl

from envplan.water import lake as water_lake
from envplan.water.demo_data import DEMO_FOLDER
from envplan.water.models import MonitoringSection
from tests.commandline import in_group
from tests.water.conftest import HEADER, write

main = in_group("water")


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_water_monitoring_sections_import_creates_the_registry(db):
    code, out, err = run(["sections", "import", str(DEMO_FOLDER / "sections.csv")])

    assert (code, out, err) == (0, "6 monitoring sections created or updated\n", "")
    assert MonitoringSection.objects.filter(is_drinking_water_source=True).count() == 2


def test_water_monitoring_sections_import_bad_row_names_file_line_and_field(db, tmp_path):
    path = write(
        tmp_path, "code,name,river_or_lake,waterbody\nA,Alpha,River,river\nB,Beta,River,sea\n", "sections.csv"
    )

    code, out, err = run(["sections", "import", str(path)])

    assert (code, out) == (2, "")
    assert err == (
        "sections.csv, line 3: waterbody: unknown water-body type 'sea' (expected river or lake)\n"
    )
    assert MonitoringSection.objects.count() == 0


def test_water_import_bad_file_prints_errors_and_exits_2(monitoring_sections, tmp_path):
    path = write(tmp_path, HEADER + "S1,2025-01-10,river,7.5,6.5,lots,0.4,0.15,\n", "bad.csv")

    code, out, err = run(["import", str(path)])

    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "bad.csv, line 2, codmn: not a number: 'lots' "
        "(write a value below a detection limit as <0.01 or 0.01L)",
        "bad.csv: rejected, 1 errors, nothing stored",
    ]


def test_water_import_json_of_a_rejected_then_a_stored_file(monitoring_sections, tmp_path):
    bad = write(tmp_path, HEADER + "S1,2025-01-10,river,7.5,6.5,lots,0.4,0.15,\n", "bad.csv")
    good = write(tmp_path, HEADER + "S1,2025-01-10,river,7.5,6.5,4,0.4,0.15,\n", "good.csv")

    rejected = run(["import", str(bad), "--json"])
    stored = run(["import", str(good), "--json"])

    assert (rejected[0], rejected[2], stored[0], stored[2]) == (2, "", 0, "")
    assert json.loads(rejected[1]) == {
        "file": "bad.csv",
        "status": "rejected",
        "rows": 0,
        "new": 0,
        "errors": 1,
        "problems": [
            {
                "file": "bad.csv",
                "line": 2,
                "field": "codmn",
                "message": "not a number: 'lots' (write a value below a detection limit as <0.01 or 0.01L)",
            }
        ],
    }
    assert json.loads(stored[1]) == {
        "file": "good.csv", "status": "stored", "rows": 1, "new": 1, "errors": 0, "problems": []
    }  # fmt: skip


def test_water_import_good_file_then_evaluate(monitoring_sections, tmp_path):
    path = write(tmp_path, HEADER + "S1,2025-01-10,river,7.5,6.5,4,0.4,0.15,\nS3,2025-02-10,river,,,,,,1\n")

    imported = run(["import", str(path)])
    evaluated = run(["evaluate", "--period", "2025-02"])

    stored = water_lake.evaluations()
    assert imported == (0, "samples.csv: stored, 2 rows, 2 new\n", "")
    assert evaluated == (0, "2 sections, 1 months, 3 results stored\n", "")
    assert stored is not None
    assert stored.sort("basis", "monitoring_section").select(
        "basis", "monitoring_section", "class", "dry"
    ).rows() == [
        ("month", "S3", None, True),
        ("ytd", "S1", "III", False),
        ("ytd", "S3", None, True),
    ]


def test_water_evaluate_twice_keeps_one_result_per_key(monitoring_sections, tmp_path):
    run(["import", str(write(tmp_path, HEADER + "S1,2025-01-10,river,7.5,6.5,4,0.4,0.15,\n"))])

    first = run(["evaluate", "--period", "2025"])
    second = run(["evaluate", "--period", "2025"])

    stored = water_lake.evaluations()
    assert first == second
    # A past year runs through December: January's month, and the year to date through each month.
    assert stored is not None
    assert stored.group_by("basis").len().sort("basis").rows() == [("month", 1), ("ytd", 12)]


def test_water_evaluate_bad_period_exits_2(db):
    assert run(["evaluate", "--period", "2025-13"]) == (2, "", "--period: '2025-13' is not YYYY or YYYY-MM\n")


def test_water_unknown_sub_command_exits_2(db):
    code, _, err = run(["bogus"])

    assert code == 2
    assert "invalid choice" in err


def test_water_classify_is_delegated_to_the_pure_command(tmp_path):
    path = write(tmp_path, "section,time,waterbody,do,codmn,nh3n\nW1,2007-01-08,river,5.85,6.3,0.32\n")

    code, out, err = run(["classify", str(path)])

    assert (code, err) == (0, "")
    assert pl.read_csv(io.StringIO(out)).select("section", "class").rows() == [("W1", "IV")]
