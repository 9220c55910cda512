"""The `parse` command: JSON on stdout, one clear line on stderr and exit 2 for unusable input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.commandline import envplan

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "plantext"


def _run(argv: list[str]) -> tuple[int, str, str]:
    return envplan("plan", *argv)


def test_cli_parse_prints_the_draft_as_json() -> None:
    code, out, err = _run(["parse", str(DATA / "plan_en.txt"), "--lang", "en"])

    data = json.loads(out)
    assert (code, err) == (0, "")
    assert sorted(data) == ["chapters", "goals", "meta", "uncertain", "units", "warnings"]
    assert data["chapters"][2]["sections"][0]["tasks"][0]["units"][0] == {
        "unit": "u1",
        "role": "lead",
        "as_written": "County Ecology and Environment Bureau",
    }
    assert data["goals"][1] == {
        "indicator": "good-days ratio",
        "comparator": ">=",
        "value": 82.5,
        "unit_of_measure": "%",
        "deadline": "2025-12-31",
        "as_written": "the good-days ratio shall reach 82.5%",
        "kind": "value",
    }


def test_cli_parse_keeps_chinese_unescaped() -> None:
    code, out, _ = _run(["parse", str(DATA / "plan_zh.docx")])

    assert (code, '"language": "zh"' in out, "昆府办发〔2025〕9号" in out) == (0, True, True)


def test_cli_empty_file_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")

    code, out, err = _run(["parse", str(path)])

    assert (code, out, err) == (2, "", f"error: {path}: the document is empty\n")


def test_cli_text_without_tasks_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some notes\nwith no structure at all.\n", encoding="utf-8")

    code, _, err = _run(["parse", str(path)])

    assert (code, err.count("\n"), "no numbered tasks" in err) == (2, 1, True)


def test_cli_missing_file_and_bad_usage_exit_2(tmp_path: Path) -> None:
    missing = _run(["parse", str(tmp_path / "nope.txt")])
    bad_lang = _run(["parse", "x.txt", "--lang", "de"])
    no_command = _run([])

    assert [c for c, _, _ in (missing, bad_lang, no_command)] == [2, 2, 2]
    assert missing[2] == f"error: {tmp_path / 'nope.txt'}: no such file\n"
