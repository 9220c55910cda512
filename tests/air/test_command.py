"""`envplan air …` sub-commands, called through envplan.cli.main."""

from __future__ import annotations

import io
import json

from envplan.air import lake as air_lake
from envplan.air.models import Station
from tests.air.conftest import DATA
from tests.commandline import in_group

main = in_group("air")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_stations_import_creates_the_demo_stations(db):
    from envplan.air.demo_data import DEMO_FOLDER

    code, out, _ = run(["stations", "import", str(DEMO_FOLDER / "stations.csv")])

    assert (code, out) == (0, "6 stations created or updated\n")
    assert Station.objects.get(code="1587A").district == "Donghe"


def test_stations_import_bad_kind_names_file_and_line(db, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("code,name,city,kind\nA1,One,Baotou,national\nA2,Two,Baotou,satellite\n")

    code, _, err = run(["stations", "import", str(path)])

    assert code == 2
    assert err == "s.csv, line 3: kind: 'satellite' is not one of national, provincial, municipal, micro\n"
    assert Station.objects.count() == 0


def test_import_strict_prints_errors_and_exits_2(stations, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("station_code,time,pm25,pm10,so2,no2,co,o3\n1585A,2025-10-20T01:00,x,1,1,1,0.1,1\n")

    code, out, err = run(["import", str(path), "--strict"])

    assert code == 2
    assert err == "h.csv, line 2, pm25: not a number: 'x'\n"
    assert out == "h.csv: rejected, 0 rows stored, 1 errors\n"


def test_import_cnemc_partial_exits_1(stations):
    code, out, _ = run(
        ["import", str(DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv"), "--format", "cnemc"]
    )

    assert code == 1
    assert out == "cnemc_selected_rows_baotou_and_edge_cases.csv: partial, 4 rows stored, 22 errors\n"
    assert air_lake.hourly().collect().height == 4


def test_unknown_sub_command_is_a_usage_error(db):
    code, _, err = run(["frobnicate"])

    assert code == 2
    assert err.startswith("envplan air: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert err.count("\n") == 1


def test_evaluate_bad_date_exits_2(db):
    code, _, err = run(["evaluate", "--date", "2025-13-01"])

    assert code == 2
    assert err.startswith("envplan air evaluate: --date:")


def test_aqi_is_delegated_to_the_pure_cli(db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("station_code,time,pm25,pm10,so2,no2,co,o3\n1585A,2025-10-20T01:00,36,1,1,1,0.1,1\n")

    code, out, _ = run(["aqi", str(path), "--kind", "realtime"])

    assert code == 0
    header, row = out.splitlines()[:2]
    assert row.split(",")[header.split(",").index("aqi")] == "52"


def test_import_json_summary_lists_refused_rows_and_exits_1(stations):
    code, out, err = run(
        ["import", str(DATA / "cnemc_selected_rows_baotou_and_edge_cases.csv"), "--format", "cnemc", "--json"]
    )

    summary = json.loads(out)
    assert (code, err) == (1, "")
    assert list(summary) == ["file", "status", "rows", "errors", "problems"]
    assert (summary["status"], summary["rows"], summary["errors"]) == ("partial", 4, 22)
    assert len(summary["problems"]) == 22
    assert set(summary["problems"][0]) == {"file", "line", "field", "message"}


def test_stations_import_and_evaluate_json(db):
    from envplan.air.demo_data import DEMO_FOLDER

    stations_code, stations_out, _ = run(["stations", "import", str(DEMO_FOLDER / "stations.csv"), "--json"])
    evaluate_code, evaluate_out, _ = run(["evaluate", "--json"])

    assert (stations_code, json.loads(stations_out)["stations"]) == (0, 6)
    assert (evaluate_code, json.loads(evaluate_out)) == (0, {"days": 0, "station_days": 0})
