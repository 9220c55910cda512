"""The monthly briefing on the demo: Word and PDF in the reader's language, charts, refusal without CJK
fonts, the command and the download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from envplan.core import clock
from envplan.demo.loader import DemoResult, load_demo
from envplan.exports import briefing as briefings
from envplan.exports import pdf
from tests.commandline import envplan
from tests.wholedemo import whole_demo_fixture

living_demo = whole_demo_fixture("living_demo", "briefing-demo")


@pytest.fixture
def demo(living_demo: None, db: None) -> DemoResult:
    return load_demo()


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_the_word_briefing_is_in_chinese_with_charts(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "briefing.docx"
    code, stdout, stderr = envplan(
        "ledger", "briefing", "--month", "2025-10", "--lang", "zh-hans", "--format", "docx", "-o", str(out)
    )
    assert (code, stderr) == (0, "")
    assert f"{out}" in stdout
    document = Document(str(out))
    text = docx_text(out.read_bytes())
    assert "昆都仑区2025年污染防治行动计划" in text  # the plan's title in Chinese
    assert "修订重污染天气应急减排清单" in text  # an overdue task, in Chinese
    assert "地表水考核断面达到或优于III类比例" in text  # a target's indicator
    assert "逾期" in text and "正常推进" in text  # the statuses
    assert "Revise the heavy-pollution emergency reduction list" not in text
    assert len(document.inline_shapes) == 2  # tasks by status, and the month's daily AQI


def test_the_french_briefing(demo: DemoResult) -> None:
    made = briefings.build_briefing(
        demo.plan, clock.today().replace(day=1), today=clock.today(), language="fr"
    )
    text = docx_text(briefings.briefing_docx(made))
    assert "Plan d'action 2025 du district de Kundulun" in text
    assert "Réviser la liste de réduction d'urgence pour forte pollution" in text
    assert made.air and made.air[0].days == 20  # 1 … 20 October
    assert made.water


def test_the_pdf_briefing_carries_chinese_text(demo: DemoResult, tmp_path: Path) -> None:
    if not pdf.cjk_font_families():
        pytest.fail(
            "this test needs a CJK font (Debian fonts-noto-cjk, installed by scripts/ensure-test-system.sh)"
        )
    out = tmp_path / "briefing.pdf"
    code, _, stderr = envplan(
        "ledger", "briefing", "--month", "2025-10", "--lang", "zh-hans", "--format", "pdf", "-o", str(out)
    )
    assert (code, stderr) == (0, "")
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "昆都仑区2025年污染防治行动计划" in text
    assert "修订重污染天气应急减排清单" in text


def test_a_chinese_pdf_is_refused_without_cjk_fonts(
    demo: DemoResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "cjk_font_families", lambda: [])
    out = tmp_path / "briefing.pdf"
    code, _, stderr = envplan(
        "ledger", "briefing", "--month", "2025-10", "--lang", "zh-hans", "--format", "pdf", "-o", str(out)
    )
    assert code == 2
    assert "no Chinese (CJK) font is installed" in stderr
    assert "fonts-noto-cjk" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_bad_input_is_one_line_and_exit_2(demo: DemoResult, tmp_path: Path) -> None:
    cases = [
        (["--month", "October", "-o", str(tmp_path / "a.docx")], "expected YYYY-MM"),
        (["--month", "2025-12", "-o", str(tmp_path / "a.docx")], "has not begun yet"),
        (["--month", "2025-10", "-o", str(tmp_path / "a.pdf")], "must end in .docx"),
        (["--month", "2025-10", "--plan", "999", "-o", str(tmp_path / "a.docx")], "no such plan"),
        (["--month", "2024-10", "-o", str(tmp_path / "a.docx")], "no plan for 2024"),
    ]
    for arguments, message in cases:
        code, _, stderr = envplan("ledger", "briefing", *arguments)
        assert code == 2, arguments
        assert message in stderr
        assert len(stderr.strip().splitlines()) == 1


def test_the_district_office_downloads_the_briefing(demo: DemoResult, client: Client) -> None:
    client.force_login(
        User.objects.get(username="supervisor")
    )  # the module's demo was hashed before the test hasher
    page = client.get(reverse("exports:index", args=[demo.plan.pk]))
    assert 'data-testid="briefing-download"' in page.content.decode()
    url = reverse("exports:briefing", args=[demo.plan.pk])
    response = client.get(url, {"month": "2025-10", "format": "docx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == briefings.DOCX_TYPE
    assert "briefing-2025-10.docx" in response["Content-Disposition"]
    assert "昆都仑区2025年污染防治行动计划" in docx_text(response.content)
    refused = client.get(url, {"month": "2026-01", "format": "docx"})
    assert refused.status_code == 400
    assert "has not begun yet" in refused.content.decode()


def test_a_reporter_cannot_download_the_briefing(demo: DemoResult, client: Client) -> None:
    client.force_login(User.objects.get(username="ecology"))
    response = client.get(reverse("exports:briefing", args=[demo.plan.pk]), {"month": "2025-10"})
    assert response.status_code == 403


def test_the_assessment_pdf_is_refused_too_without_cjk_fonts(
    demo: DemoResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "cjk_font_families", lambda: [])
    out = tmp_path / "assessment.pdf"
    code, _, stderr = envplan("ledger", "assessment", "--plan", str(demo.plan.pk), "--pdf", str(out))
    assert code == 2
    assert "CJK" in stderr and "fonts-noto-cjk" in stderr  # in the assessment's language, Chinese by default
    assert not out.exists()
