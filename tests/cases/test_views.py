"""Case pages: supervisors and bureau officers see and judge cases; a unit's users get 403."""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.urls import reverse
from pypdf import PdfReader

from envplan.cases.models import Case
from envplan.core.models import AuditEntry
from envplan.sources.demo_data import DOCTORED_MN
from tests.cases.conftest import login


@pytest.fixture
def case(screened) -> Case:
    return Case.objects.get()


@pytest.mark.parametrize("name", ["list", "precision", "case", "packet"])
def test_case_pages_are_forbidden_to_a_units_user(client, users, case, name):
    login(client, "reporter")
    args = [case.pk] if name in ("case", "packet") else []

    response = client.get(reverse(f"cases:{name}", args=args))

    assert response.status_code == 403


def test_case_outcome_cannot_be_posted_by_a_units_user(client, users, case):
    login(client, "reporter")

    response = client.post(reverse("cases:case", args=[case.pk]), {"outcome": "false_alarm"})

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).outcome == "not_checked"


def test_case_list_ranks_the_open_cases(client, users, case, django_assert_max_num_queries):
    login(client, "officer")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:list"))

    assert response.status_code == 200
    rows = response.context["open_cases"]
    assert [row.case for row in rows] == [case]
    assert rows[0].labels == ["held value", "values hugging the limit", "variance collapse"]
    assert response.content.count(b'data-testid="case-row"') == 1
    assert b'href="/cases/"' in response.content  # the main navigation shows cases to officers


def test_case_link_is_not_in_a_units_users_navigation(client, users):
    login(client, "reporter")

    response = client.get(reverse("sources:devices"))

    assert b'href="/cases/"' not in response.content


def test_case_page_shows_the_series_with_the_spans_marked_and_the_frames(client, users, case):
    login(client, "chief")

    response = client.get(reverse("cases:case", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="case-chart"') == 2  # NOx Avg (held, collapsed) and ZsAvg (hugging)
    assert html.count('data-testid="marked-span"') == 3
    assert 'data-testid="limit-line"' in html  # on the ZsAvg chart, whose field the limit is set for
    sentences = re.findall(r'data-testid="finding-explanation">([^<]*)<', html)
    assert any("held at 35.2 for 30 values in a row" in s for s in sentences)
    assert any("below the limit 50 but only 0 at or above" in s for s in sentences)
    frames = response.context["channels"][0].frames
    assert len(frames) == 24
    assert all(frame.as_received for frame in frames)  # from the landing folder's moved/ files
    assert f"MN={DOCTORED_MN}" in frames[0].text
    assert "PW=******;" in frames[0].text
    assert "123456" not in html.split('data-testid="frames"')[1]
    assert 'data-testid="generated-label"' in html


def test_case_page_writes_the_numbers_for_a_french_reader(client, users, case):
    login(client, "chief")

    response = client.get(reverse("cases:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    sentences = re.findall(r'data-testid="finding-explanation">([^<]*)<', response.content.decode())
    assert any("35,2" in s for s in sentences)  # the French decimal comma


def test_case_page_renders_for_a_chinese_reader(client, users, case):
    login(client, "chief")

    response = client.get(reverse("cases:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_case_outcome_is_recorded_by_an_officer(client, users, case):
    login(client, "officer")

    response = client.post(
        reverse("cases:case", args=[case.pk]), {"outcome": "confirmed", "note": "logger output frozen"}
    )

    assert (response.status_code, response["Location"]) == (302, case.get_absolute_url())
    judged = Case.objects.get(pk=case.pk)
    assert (judged.outcome, judged.judged_by) == ("confirmed", users["officer"])
    assert AuditEntry.objects.filter(action="cases.outcome_recorded", actor=users["officer"]).count() == 1
    page = client.get(case.get_absolute_url())
    assert [(j.by, j.outcome, j.note) for j in page.context["judgements"]] == [
        ("officer", "confirmed", "logger output frozen")
    ]


def test_case_outcome_form_refuses_an_unknown_outcome(client, users, case):
    login(client, "chief")

    response = client.post(reverse("cases:case", args=[case.pk]), {"outcome": "guilty"})

    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert Case.objects.get(pk=case.pk).outcome == "not_checked"


def test_precision_page_lists_every_detector(client, users, screened):
    login(client, "chief")

    response = client.get(reverse("cases:precision"))

    assert response.status_code == 200
    assert response.content.count(b'data-testid="precision-row"') == 16


def test_evidence_packet_shows_the_case_with_a_cjk_font(client, users, case):
    login(client, "chief")

    response = client.get(reverse("cases:packet", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "昆都仑供热有限公司" in text  # the enterprise's Chinese name, read back from the glyphs
    assert "保持在 35.2" in text.replace("\n", "")  # the held-value finding, explained in Chinese
    assert DOCTORED_MN in text
    assert "PW=******" in text.replace(" ", "")
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-CJK-SC" in str(name) for name in fonts)


def test_evidence_packet_says_what_is_missing_without_weasyprint(client, users, case, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as on a server without it
    login(client, "chief")

    response = client.get(reverse("cases:packet", args=[case.pk]))

    assert response.status_code == 503
    assert "libpango-1.0-0" in response.context["error"]
