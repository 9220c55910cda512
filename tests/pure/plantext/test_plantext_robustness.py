"""Unusable input raises PlanTextError and nothing else, whatever the bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.plantext import Draft, PlanTextError, parse_file, parse_text


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\x00\x01\x02binary\x00", "\ufffd\ufffd\ufffd"])
def test_parse_text_empty_or_binary_raises_plan_text_error(text: str) -> None:
    with pytest.raises(PlanTextError):
        parse_text(text)


def test_parse_file_binary_file_raises_plan_text_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(bytes(range(256)) * 4)

    with pytest.raises(PlanTextError):
        parse_file(path)


def test_parse_file_broken_docx_raises_plan_text_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(PlanTextError, match="docx"):
        parse_file(path)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_parse_text_random_text_gives_draft_or_plan_text_error(text: str) -> None:
    try:
        result = parse_text(text)
    except PlanTextError:
        return
    assert isinstance(result, Draft)


_PIECES = st.sampled_from(
    ["I. ", "II. ", "一、", "(1) ", "（一）", "1. ", "2．", "Unités responsables : ", "责任单位：",
     "Lead unit: ", "Bureau A, Bureau B et divers quartiers", "（区财政局牵头，各街镇具体落实）",
     "plus de 85 %", "达到90%以上",
     "d'ici la fin septembre", "9月底前", "« six 100 % »", "\n", "\n", " ", "Tâche", "2025", "0,71", "à"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_parse_text_plan_shaped_noise_gives_draft_or_plan_text_error(pieces: list[str]) -> None:
    try:
        result = parse_text("".join(pieces))
    except PlanTextError:
        return
    # A partial document (goals, no task yet) is a draft too, and says so.
    partial = any(w.startswith("no numbered tasks found") for w in result.warnings)
    assert ([t.number for t in result.tasks()] != [] or partial) and result.to_json().startswith("{")
