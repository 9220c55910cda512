"""envplan.archives: zip-based files refused before they are opened."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from envplan.archives import ArchiveError, ZipLimits, check_zip_archive
from tests.pure.plantext.zipbombs import GIB, MB, claiming, expanding


def test_check_zip_archive_refuses_a_member_that_really_expands_past_the_limit() -> None:
    bomb = expanding("word/document.xml", 101)

    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(bomb, name="plan.docx")

    assert len(bomb) < 200_000
    assert caught.value.reason == "size"
    assert str(caught.value) == (
        "plan.docx would expand to 101.0 MB, more than the 100 MB allowed; it was refused before opening"
    )
    assert caught.value.params == {"size": 101 * MB, "limit": 100 * MB}


def test_check_zip_archive_refuses_a_few_kilobytes_that_claim_a_gibibyte() -> None:
    bomb = claiming({"xl/worksheets/sheet1.xml": b"<x/>"}, member="xl/worksheets/sheet1.xml", size=GIB)

    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(bomb, name="ledger.xlsx")

    assert len(bomb) < 4_000
    assert (caught.value.reason, caught.value.name) == ("size", "ledger.xlsx")
    assert str(caught.value).startswith("ledger.xlsx would expand to 1,024.0 MB")


def test_check_zip_archive_refuses_an_absurd_compression_ratio_under_the_size_limit() -> None:
    bomb = expanding("word/document.xml", 2)

    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(bomb, name="plan.docx")

    assert caught.value.reason == "ratio"
    assert str(caught.value).startswith("plan.docx: member word/document.xml is compressed ")
    assert str(caught.value).endswith("more than any real document (200 to 1); it was refused before opening")


def test_check_zip_archive_refuses_too_many_members_from_the_end_record() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(51):
            archive.writestr(f"part{number}.xml", b"")

    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(buffer.getvalue(), name="many.xlsx", limits=ZipLimits(max_members=50))

    assert caught.value.reason == "members"
    assert str(caught.value) == (
        "many.xlsx holds 51 files, more than the 50 a document may hold; it was refused before opening"
    )


def test_check_zip_archive_reads_the_member_count_of_a_zip64_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    # zipfile writes the zip64 end records past this many entries: lower it to get one cheaply.
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(12):
            archive.writestr(f"part{number}.xml", b"<x/>")
    monkeypatch.undo()

    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(buffer.getvalue(), name="big.xlsx", limits=ZipLimits(max_members=10))

    assert b"PK\x06\x06" in buffer.getvalue()
    assert caught.value.params == {"members": 12, "limit": 10}
    check_zip_archive(buffer.getvalue(), name="big.xlsx", limits=ZipLimits(max_members=12))


def test_check_zip_archive_accepts_an_ordinary_document_from_bytes_path_or_file(tmp_path: Path) -> None:
    docx = Path(__file__).resolve().parents[2] / "data" / "plantext" / "plan_zh.docx"
    handle = io.BytesIO(b"prefix" + docx.read_bytes())
    handle.seek(6)

    check_zip_archive(docx.read_bytes(), name="plan_zh.docx")
    check_zip_archive(docx, name="plan_zh.docx")
    check_zip_archive(handle, name="plan_zh.docx")

    assert handle.tell() == 6


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04 not really a zip", b"plain text, no archive at all"],
    ids=["empty", "torn", "text"],
)
def test_check_zip_archive_calls_a_non_archive_damaged(content: bytes) -> None:
    with pytest.raises(ArchiveError) as caught:
        check_zip_archive(content, name="upload.xlsx")

    assert caught.value.reason == "damaged"
    assert str(caught.value).startswith("upload.xlsx is a damaged zip archive")
