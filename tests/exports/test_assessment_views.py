from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.exports.factories import World


def embedded_fonts(document: bytes) -> list[tuple[str, bool]]:
    """(base font name, has an embedded font file) for every font the PDF's pages use."""
    found = []
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_assessment_page_ranks_units_for_supervisors(history: World, login: Callable[[User], Client]) -> None:
    response = login(history.supervisor).get(reverse("exports:assessment", args=[history.plan.pk]))

    assert response.status_code == 200
    rows = response.context["assessment"].rows
    assert [(row.unit.code, row.rank) for row in rows] == [
        ("town-a", 1),
        ("ecology", 2),
        ("housing", 3),
        ("town-b", 4),
        ("water", 5),
    ]


def test_assessment_page_is_open_to_bureau_officers(history: World, login: Callable[[User], Client]) -> None:
    response = login(history.officer).get(reverse("exports:assessment", args=[history.plan.pk]))

    assert response.status_code == 200


def test_assessment_page_and_pdf_are_forbidden_to_unit_reporters(
    history: World, login: Callable[[User], Client]
) -> None:
    client = login(history.ecology_reporter)

    statuses = [
        client.get(reverse("exports:assessment", args=[history.plan.pk])).status_code,
        client.get(reverse("exports:assessment_pdf", args=[history.plan.pk])).status_code,
    ]

    assert statuses == [403, 403]


def test_assessment_page_sends_anonymous_to_login(world: World, client: Client) -> None:
    response = client.get(reverse("exports:assessment", args=[world.plan.pk]))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


def test_assessment_pdf_in_chinese_embeds_a_cjk_font(history: World, login: Callable[[User], Client]) -> None:
    client = login(history.supervisor)

    response = client.get(
        reverse("exports:assessment_pdf", args=[history.plan.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    fonts = embedded_fonts(response.content)
    assert fonts, "the PDF uses no font"
    assert all(embedded for _name, embedded in fonts)
    assert any("Noto-Sans-CJK-SC" in name for name, _embedded in fonts)
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "单位年度考核" in text  # the title
    assert "生态环境局" in text  # a unit's Chinese name, extracted back from the glyphs


def test_assessment_pdf_says_what_is_missing_without_weasyprint(
    history: World, login: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as on a server without it
    client = login(history.supervisor)

    response = client.get(reverse("exports:assessment_pdf", args=[history.plan.pk]))

    assert response.status_code == 503
    assert response.context["pdf_error"].startswith("PDF output is not available on this server")
    assert "libpango-1.0-0" in response.context["pdf_error"]


def test_exports_index_lists_the_users_units_and_the_assessment(
    history: World, login: Callable[[User], Client]
) -> None:
    response = login(history.housing_reporter).get(reverse("exports:index", args=[history.plan.pk]))

    assert response.status_code == 200
    assert [unit.code for unit in response.context["units"]] == ["housing"]
    assert response.context["can_assess"] is False
