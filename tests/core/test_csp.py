"""The Content-Security-Policy: sent on every page, and no template needs what it forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import envplan
from envplan.air import charts as air_charts
from envplan.air.templatetags.air_tags import aqi_class
from envplan.water import charts as water_charts
from envplan.water.templatetags.water_tags import class_css
from tests.progress.factories import PASSWORD, build_world

PACKAGE = Path(envplan.__file__).resolve().parent
CSS = (PACKAGE / "static" / "envplan" / "envplan.css").read_text()

# Rendered by WeasyPrint into a PDF, never served to a browser: its <style> is the PDF's stylesheet.
NOT_SERVED = {"exports/templates/exports/assessment_pdf.html", "exports/templates/exports/briefing_pdf.html"}
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "javascript: link": re.compile(r"javascript:", re.I),
}


def templates() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.html")
        if "templates" in path.parts and str(path.relative_to(PACKAGE)) not in NOT_SERVED
    )


def test_csp_header_is_on_every_page_and_allows_no_inline_code(db: None, client: Client):
    world = build_world()
    anonymous = client.get("/accounts/login/")
    assert client.login(username=world.supervisor.username, password=PASSWORD)
    pages = [
        anonymous,
        client.get("/"),
        client.get(f"/plans/{world.plan.pk}/tasks/"),
        client.get("/nowhere/"),
    ]

    policies = {response["Content-Security-Policy"] for response in pages}

    assert policies == {settings.CONTENT_SECURITY_POLICY}
    [policy] = policies
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert (directives["default-src"], directives["script-src"], directives["style-src"]) == (
        "'self'",
        "'self'",
        "'self'",
    )
    assert "unsafe" not in policy


@pytest.mark.parametrize("template", templates(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_csp_template_has_no_inline_script_handler_or_style(template: Path):
    text = template.read_text(encoding="utf-8")

    found = {name: pattern.findall(text) for name, pattern in INLINE.items()}

    assert {name: hits for name, hits in found.items() if hits} == {}


def test_csp_python_made_markup_has_no_style_attribute():
    # The charts are SVG built in Python; presentation attributes (fill=) are fine, style= is not.
    sources = [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]

    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sources
        if re.search(r"""\sstyle=['"\\{]""", path.read_text())
    ]

    assert offenders == []


@pytest.mark.parametrize("level", [None, 1, 2, 3, 4, 5, 6])
def test_aqi_category_class_has_the_hj633_colours(level: int | None):
    rule = re.search(rf"\.{aqi_class(level)} {{ background: (#\w+); color: (#\w+); }}", CSS)

    assert rule is not None
    assert rule.groups() == (air_charts.colour(level), air_charts.text_colour(level))


@pytest.mark.parametrize("label", [None, "I", "II", "III", "IV", "V", "劣V"])
def test_water_class_css_has_the_class_colours(label: str | None):
    rule = re.search(rf"\.{class_css(label)} {{ background: (#\w+); color: (#\w+); }}", CSS)

    assert rule is not None
    assert rule.groups() == (water_charts.colour(label), water_charts.text_colour(label))
