"""``envplan water classify|assess`` through main() with in-memory streams."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.commandline import in_group, on_terminal, piped

main = in_group("water")


DATA = Path(__file__).resolve().parents[2] / "data" / "water"


def _run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(argv, stdout=stdout, stderr=stderr, stdin=io.StringIO(stdin))
    return code, stdout.getvalue(), stderr.getvalue()


def _write(tmp_path: Path, text: str, name: str = "water.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_classify_worked_examples_w4_to_w7(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "section,time,waterbody,ph,do,codmn,cod,bod5,nh3n,tp\n"
        "W4,2024-05,river,7.5,6.5,3.5,14,2.5,0.4,0.15\n"
        "W5,2024-05,lake,7.5,6.5,3.5,14,2.5,0.4,0.15\n"
        "W6,2024-05,river,7.0,6.5,5.0,,,2.3,\n"
        "W7a,2024-05,river,,2.5,,,,,\n"
        "W7b,2024-05,river,,1.8,,,,,\n",
    )

    code, out, err = _run(["classify", str(path)])

    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "section,time,class,main_pollutants,exceedance"
    assert [
        (row["section"], row["class"], row["main_pollutants"], row["exceedance"]) for row in _csv_rows(out)
    ] == [
        ("W4", "III", "", ""),
        ("W5", "V", "tp", "tp:2.0"),
        ("W6", "劣V", "nh3n", "nh3n:1.3"),
        ("W7a", "V", "do", ""),
        ("W7b", "劣V", "do", ""),
    ]


def test_cli_classify_official_cnemc_rows_end_to_end(tmp_path: Path) -> None:
    with (DATA / "official_section_class_examples.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["source_id"] == "GOVCN2007W2"]
    lines = ["section,time,waterbody,ph,do,codmn,nh3n"] + [
        f"{row['section']},2007-01-08,river,{row['pH']},{row['DO_mg_L']},{row['CODMn_mg_L']},{row['NH3N_mg_L']}"
        for row in rows
    ]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    # Official labels use Roman numerals (Ⅳ, 劣Ⅴ); the output uses ASCII.
    roman = str.maketrans({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"})

    code, out, _ = _run(["classify", str(path)])

    assert code == 0
    assert [row["class"] for row in _csv_rows(out)] == [
        row["official_class"].translate(roman) for row in rows
    ]


def test_cli_classify_echoes_time_as_written_and_keeps_row_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "section,time,waterbody,nh3n\nb,2024-05-03 10:00,river,0.4\na,2024-05,river,0.4\n"
    )

    _, out, _ = _run(["classify", str(path)])

    assert [(row["section"], row["time"]) for row in _csv_rows(out)] == [
        ("b", "2024-05-03 10:00"),
        ("a", "2024-05"),
    ]


def test_cli_classify_warns_once_about_unknown_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "section,time,waterbody,nh3n,turbidity,remark\na,2024-05,river,0.4,3,x\nb,2024-05,river,1,4,y\n",
    )

    code, out, err = _run(["classify", str(path)])

    assert code == 0
    assert err == f"warning: {path}: ignoring unknown column(s): turbidity, remark\n"
    assert len(_csv_rows(out)) == 2


def test_cli_classify_detection_limit_values_are_data_not_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "section,time,waterbody,nh3n,cd\na,2024-05,river,<0.2,0.001L\n")

    code_half, out_half, _ = _run(["classify", str(path)])
    code_limit, out_limit, _ = _run(["classify", str(path), "--below-detection", "limit"])

    assert (code_half, code_limit) == (0, 0)
    assert (_csv_rows(out_half)[0]["class"], _csv_rows(out_limit)[0]["class"]) == ("I", "II")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("a,2024-05,river,abc,7", "nh3n", "not a number: 'abc'"),
        ("a,2024-05,river,0.4,15", "ph", "pH 15 outside 0-14"),
        ("a,2024-05,river,-0.4,7", "nh3n", "negative value -0.4"),
        ("a,2024-05,sea,0.4,7", "waterbody", "unknown water-body type 'sea'"),
    ],
)
def test_cli_bad_row_rejects_the_whole_file(tmp_path: Path, row: str, field: str, message: str) -> None:
    path = _write(tmp_path, f"section,time,waterbody,nh3n,ph\nok,2024-05,river,0.4,7\n{row}\n")

    code, out, err = _run(["classify", str(path)])

    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:3: {field}: {message}")
    assert err.splitlines()[-1] == f"{path}: rejected (1 error(s) on 1 line(s)); nothing was output"


def test_cli_assess_rejects_a_bad_file_without_output(tmp_path: Path) -> None:
    path = _write(tmp_path, "section,time,waterbody,nh3n\na,2024-05,river,0.4\nb,2024-05,lake,x\n")

    code, out, err = _run(["assess", str(path), "--period", "2024"])

    assert (code, out) == (2, "")
    assert f"{path}:3: nh3n: not a number" in err.splitlines()[0]


def test_cli_max_errors_limits_the_printed_errors(tmp_path: Path) -> None:
    rows = "".join(f"s{index},2024-05,river,x\n" for index in range(5))
    path = _write(tmp_path, "section,time,waterbody,nh3n\n" + rows)

    code, _, err = _run(["classify", str(path), "--max-errors", "2"])

    assert code == 2
    assert err.splitlines()[2:] == [
        "… and 3 more errors",
        f"{path}: rejected (5 error(s) on 5 line(s)); nothing was output",
    ]


def _assess(tmp_path: Path, text: str, *extra: str) -> dict[str, Any]:
    path = _write(tmp_path, text)
    code, out, err = _run(["assess", str(path), *extra])
    assert (code, err) == (0, ""), err
    document: dict[str, Any] = json.loads(out)
    return document


def test_cli_assess_w9_gives_both_dry_section_shares(tmp_path: Path) -> None:
    rows = [f"good{index},2024-0{index + 1},river,0.4,,Ⅲ" for index in range(6)]
    rows += ["bad1,2024-03,river,1.2,,III", "bad2,2024-03,river,1.8,,III", "dry1,2024-03,river,,1,III"]
    rows += ["dry2,2024-03,river,,1,III"]
    text = "section,time,waterbody,nh3n,dry,target_class\n" + "\n".join(rows) + "\n"

    document = _assess(tmp_path, text, "--period", "2024")

    assert document["share_iii_or_better"] == {"official": 75.0, "dry_counts_as_compliant": 80.0}
    assert document["status"] == "良好"  # 10 sections, 8 evaluated: share method, 6/8 = 75 %
    assert document["status_detail"]["method"] == "class_share"
    assert [section["section"] for section in document["sections"] if section["dry"]] == ["dry1", "dry2"]


def test_cli_assess_section_fields(tmp_path: Path) -> None:
    text = (
        "section,time,waterbody,nh3n,codmn,target_class\n"
        "a,2024-01,river,2.3,3,Ⅲ\n"
        "a,2024-02,river,0.3,3,Ⅲ\n"
        "b,2024-01,river,0.4,12,\n"
    )

    document = _assess(tmp_path, text, "--period", "2024")

    # a: NH3-N mean 1.3 -> IV (one month was 劣V); b: CODMn 12 -> V, no target.
    assert document["sections"] == [
        {
            "section": "a",
            "class": "IV",
            "target_class": "III",
            "meets_target": False,
            "dry": False,
            "main_pollutants": ["nh3n"],
        },
        {
            "section": "b",
            "class": "V",
            "target_class": None,
            "meets_target": None,
            "dry": False,
            "main_pollutants": ["codmn"],
        },
    ]
    assert document["period"] == "2024"


def test_cli_assess_month_period_uses_only_that_month(tmp_path: Path) -> None:
    text = "section,time,waterbody,nh3n\na,2024-01-10,river,2.3\na,2024-02-10,river,0.3\n"

    document = _assess(tmp_path, text, "--period", "2024-02")

    assert [(section["section"], section["class"]) for section in document["sections"]] == [("a", "II")]


def test_cli_assess_ph_outside_6_to_9_is_worse_than_v(tmp_path: Path) -> None:
    text = "section,time,waterbody,ph,nh3n\na,2024-05,river,5.5,0.4\n"

    document = _assess(tmp_path, text, "--period", "2024-05")

    assert document["sections"][0]["class"] == "劣V"
    assert document["sections"][0]["main_pollutants"] == ["ph"]


def test_cli_assess_empty_period_warns_and_reports_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "section,time,waterbody,nh3n\na,2023-05,river,0.4\n")

    code, out, err = _run(["assess", str(path), "--period", "2024"])

    assert code == 0
    assert err == "warning: no samples in period 2024\n"
    assert json.loads(out)["sections"] == []
    assert json.loads(out)["status"] is None


def test_cli_reads_standard_input_for_dash() -> None:
    code, out, _ = _run(["classify", "-"], stdin="section,time,waterbody,nh3n\na,2024-05,river,0.4\n")

    assert code == 0
    assert _csv_rows(out)[0]["class"] == "II"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frob"],
        ["classify"],
        ["assess", "x.csv"],
        ["assess", "x.csv", "--period", "2024-13"],
        ["classify", "x.csv", "--below-detection", "x"],
    ],
)
def test_cli_usage_errors_return_2(argv: list[str]) -> None:
    code, out, err = _run(argv)

    assert code == 2
    assert out == ""
    assert "error:" in err


def test_cli_missing_file_returns_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"

    code, out, err = _run(["classify", str(missing)])

    assert (code, out) == (2, "")
    assert err.startswith(f"{missing}: cannot open")


def test_cli_help_returns_0_and_prints_to_stdout() -> None:
    code, out, _ = _run(["classify", "--help"])

    assert code == 0
    assert out.startswith("usage: envplan water classify")


def test_cli_assess_quarter_period(tmp_path: Path) -> None:
    text = (
        "section,time,waterbody,nh3n\n"
        "a,2024-03-10,river,0.4\na,2024-04-10,river,2.3\na,2024-06-10,river,0.5\n"
    )

    document = _assess(tmp_path, text, "--period", "2024-q2")

    # Q2: NH3-N mean (2.3 + 0.5) / 2 = 1.4 -> IV; the March sample is outside the quarter.
    assert document["period"] == "2024-Q2"
    assert [(section["section"], section["class"]) for section in document["sections"]] == [("a", "IV")]


def test_cli_classify_accepts_assess_columns_without_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "section,time,waterbody,nh3n,target_class,dry\na,2024-05,river,0.4,Ⅲ,0\n")

    code, out, err = _run(["classify", str(path)])

    assert (code, err) == (0, "")
    assert _csv_rows(out)[0]["class"] == "II"


def test_cli_many_bad_rows_prints_a_thousand_errors_by_default(tmp_path: Path) -> None:
    rows = "".join(f"s{index},2024-05,river,x\n" for index in range(5_000))
    path = _write(tmp_path, "section,time,waterbody,nh3n\n" + rows)

    code, out, err = _run(["classify", str(path)])

    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert len(lines) == 1_002
    assert lines[999].startswith(f"{path}:1001: nh3n: not a number")
    assert lines[1000:] == [
        "… and 4,000 more errors",
        f"{path}: rejected (5000 error(s) on 5000 line(s)); nothing was output",
    ]


def test_cli_classify_on_a_terminal_shows_its_steps_then_the_warnings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "section,time,waterbody,nh3n,turbidity\na,2024-05,river,0.4,3\nb,2024-05,river,1,4\n",
    )

    code, out, shown = on_terminal("water", "classify", str(path))
    piped_code, piped_out, piped_err = piped("water", "classify", str(path))

    assert code == piped_code == 0 and out == piped_out
    assert "water classify" in shown and "3/3" in shown
    # The warning comes after the bar, on its own line; piped, the warning alone.
    assert shown.rstrip().endswith(f"warning: {path}: ignoring unknown column(s): turbidity")
    assert piped_err == f"warning: {path}: ignoring unknown column(s): turbidity\n"


def test_cli_classify_rejected_on_a_terminal_prints_its_errors_after_the_bar(tmp_path: Path) -> None:
    path = _write(tmp_path, "section,time,waterbody,nh3n\nok,2024-05,river,0.4\nbad,2024-05,river,x\n")

    code, out, shown = on_terminal("water", "classify", str(path))

    assert (code, out) == (2, "")
    lines = shown.replace("\r\n", "\n").rstrip("\n").split("\n")
    assert "water classify" in lines[0]
    assert lines[-1] == f"{path}: rejected (1 error(s) on 1 line(s)); nothing was output"
