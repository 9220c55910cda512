"""The one reading rule of a plan file (plan_text): .docx after an archive check, else UTF-8, else
GB18030, else a clear refusal; and `plan parse` applying it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from envplan.plantext import PlanTextError, UnreadableDocument, parse_file, plan_text
from tests.commandline import envplan
from tests.pure.plantext.zipbombs import GIB, claiming, expanding, word_document

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "plantext"


def _run(argv: list[str]) -> tuple[int, str, str]:
    return envplan("plan", *argv)


@pytest.fixture(scope="module")
def zh_text() -> str:
    return (DATA / "plan_zh.txt").read_text(encoding="utf-8")


def test_plan_text_reads_gb18030_like_utf8(zh_text: str) -> None:
    assert plan_text(zh_text.encode("gb18030"), name="plan.txt") == zh_text
    assert plan_text(zh_text.encode("utf-8"), name="plan.txt") == zh_text
    assert plan_text(b"\xef\xbb\xbf" + zh_text.encode("utf-8"), name="plan.txt") == zh_text


@pytest.mark.parametrize(
    "content",
    [b"caf\xe9 au lait\n" * 10, b"\x7fELF\x02\x01\x01\x00\x00\x00", b"1. task\x00\n"],
    ids=["latin1", "binary", "nul-byte"],
)
def test_plan_text_refuses_what_is_neither_utf8_nor_gb18030(content: bytes) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        plan_text(content, name="notes.txt")

    assert caught.value.reason == "not_text"
    assert str(caught.value) == (
        "notes.txt is neither UTF-8 nor GB18030 text: save it as UTF-8 text or as a Word .docx file"
    )


def test_plan_text_refuses_old_word_files_by_content() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        plan_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), name="plan.bin")

    assert caught.value.reason == "old_word"
    assert str(caught.value) == "plan.bin: old Word .doc files are not supported; save it as .docx or .txt"


def test_plan_text_refuses_a_docx_bomb_before_opening_it() -> None:
    members = word_document()
    bomb = claiming(members, member="word/document.xml", size=GIB)

    with pytest.raises(UnreadableDocument) as caught:
        plan_text(bomb, name="plan.docx")

    assert len(bomb) < 4_000
    assert caught.value.reason == "archive_size"
    assert caught.value.params["size"] == GIB + len(members["[Content_Types].xml"])
    assert str(caught.value) == (
        "plan.docx would expand to 1,024.0 MB, more than the 100 MB allowed; it was refused before opening"
    )


def test_plan_text_refuses_a_zip_without_a_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n")

    with pytest.raises(UnreadableDocument) as caught:
        plan_text(buffer.getvalue(), name="data.docx")

    assert (caught.value.reason, str(caught.value)) == (
        "not_docx",
        "data.docx is a zip archive but not a Word .docx document",
    )


def test_plan_text_reads_a_real_docx_as_before(zh_text: str) -> None:
    from_docx = plan_text((DATA / "plan_zh.docx").read_bytes(), name="plan_zh.docx")

    assert from_docx.splitlines()[:6] == zh_text.splitlines()[:6]


def test_parse_file_gb18030_gives_the_same_draft_as_utf8(tmp_path: Path, zh_text: str) -> None:
    path = tmp_path / "plan_gb.txt"
    path.write_bytes(zh_text.encode("gb18030"))

    assert parse_file(path).to_dict() == parse_file(DATA / "plan_zh.txt").to_dict()


def test_cli_parse_gb18030_prints_the_same_json_as_utf8(tmp_path: Path, zh_text: str) -> None:
    path = tmp_path / "plan_gb.txt"
    path.write_bytes(zh_text.encode("gb18030"))

    code, out, err = _run(["parse", str(path)])

    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(_run(["parse", str(DATA / "plan_zh.txt")])[1])


def test_cli_parse_binary_file_exits_2_with_the_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")

    code, out, err = _run(["parse", str(path)])

    assert (code, out) == (2, "")
    assert err == (
        f"error: {path} is neither UTF-8 nor GB18030 text: save it as UTF-8 text or as a Word .docx file\n"
    )


def test_cli_parse_docx_bomb_exits_2_before_expanding_it(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    types = {"[Content_Types].xml": word_document()["[Content_Types].xml"]}
    path.write_bytes(expanding("word/document.xml", 101, others=types))

    code, out, err = _run(["parse", str(path)])

    assert (code, out) == (2, "")
    assert err == (
        f"error: {path} would expand to 101.0 MB, more than the 100 MB allowed; "
        "it was refused before opening\n"
    )


def test_unreadable_document_is_a_plan_text_error() -> None:
    with pytest.raises(PlanTextError):
        plan_text(b"\x00", name="x.txt")
