"""Issue 18 in Chromium: every main page in Chinese, French and English fits a 360 px phone, passes
axe-core without a serious or critical violation, and (in Chinese and French) shows no English interface
text; the login page's language switch, the top bar at 1366 px, the error pages and the dashboard's
numbers.

axe-core comes from npm at a pinned version (scripts/ensure-axe.sh, `make browser-deps`, which
`make test-browser` runs first). The phone screenshots are saved under pytest's temporary directory; the
test prints where.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from envplan.air.demo_data import load_air_demo
from envplan.demo.activity import DEMO_TODAY
from envplan.demo.loader import load_demo
from envplan.demo.logins import DEMO_PASSWORD
from envplan.indicators.services import ensure_indicators, evaluate_computed
from envplan.plans.models import Plan
from envplan.water.demo_data import load_water_demo
from tests.browsing import log_in

pytestmark = pytest.mark.browser

LANGUAGES = ("zh-hans", "fr", "en")
PHONE_WIDTH = 360
DESKTOP_WIDTH = 1366
# Left out of the axe-core check: the air station map, which the map work of issue 18 (another helper)
# replaces with a base layer; remove it from this list when that lands.
AXE_EXCLUDE = [["[data-testid=station-map]"]]
AXE = Path(__file__).resolve().parents[2] / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"


def main_pages(plan: Plan) -> list[str]:
    """The pages a person meets first: the top bar's links and the pages one click below them."""
    pk = plan.pk
    return [
        reverse("plans:plan", args=[pk]),
        reverse("plans:tasks", args=[pk]),
        reverse("plans:task", args=[pk, 1]),
        reverse("plans:units"),
        reverse("dashboard:plan", args=[pk]),
        reverse("exports:index", args=[pk]),
        reverse("air:stations"),
        "/air/cities/Baotou/",
        reverse("water:monitoring_sections"),
        reverse("water:indicators"),
        reverse("sources:devices"),
        reverse("emergency:index"),
        reverse("inspections:home"),
        reverse("credit:index"),
        reverse("corrections:inbox"),
        reverse("cases:list"),
        reverse("imports:list"),
        reverse("progress:mine"),
        reverse("progress:notifications"),
        reverse("portal:home"),
    ]


@pytest.fixture
def demo(transactional_db, live_server) -> Plan:  # type: ignore[no-untyped-def]
    plan = load_demo().plan
    load_air_demo(plan=plan, generated_from=dt.date(2025, 10, 1))
    load_water_demo(plan=plan)
    ensure_indicators(plan)
    evaluate_computed(plan, as_of=DEMO_TODAY)
    return plan


@pytest.fixture
def signed_in(browser, live_server):  # type: ignore[no-untyped-def]
    """A factory of pages signed in as the supervisor, in one language and at one width."""
    contexts = []

    def make(language: str, width: int, *, inject: bool = False):  # type: ignore[no-untyped-def]
        # `inject`: the page's Content-Security-Policy lets the test add axe-core (the site's own pages
        # stay under it: test_csp_pages.py).
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="en-US", bypass_csp=inject
        )
        contexts.append(context)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        log_in(page, live_server.url, "supervisor")
        return page

    yield make
    for context in contexts:
        context.close()


def visit(page, url: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


def test_main_pages_fit_a_phone_in_each_language(demo, signed_in, live_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    shots = tmp_path_factory.mktemp(f"phone-{PHONE_WIDTH}")
    print(f"screenshots at {PHONE_WIDTH} px: {shots}")
    too_wide: dict[str, int] = {}
    for language in LANGUAGES:
        page = signed_in(language, PHONE_WIDTH)
        for path in main_pages(demo):
            visit(page, f"{live_server.url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            page.screenshot(path=str(shots / f"{language}-{name}.png"), full_page=True)
            if width > PHONE_WIDTH:
                too_wide[f"{language} {path}"] = width
    assert too_wide == {}
    assert len(list(shots.glob("*.png"))) == len(LANGUAGES) * len(main_pages(demo))


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules and best practice)."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        f"async () => await axe.run({{exclude: {json.dumps(AXE_EXCLUDE)}}}, {{resultTypes: ['violations']}})"
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser-deps` (installs axe-core from npm)")
    return AXE


def test_main_pages_have_no_serious_accessibility_violation(demo, signed_in, live_server, axe_source):  # type: ignore[no-untyped-def]
    found: dict[str, list[dict[str, object]]] = {}
    for language in LANGUAGES:
        for width in (DESKTOP_WIDTH, PHONE_WIDTH):
            page = signed_in(language, width, inject=True)
            # The error page too: it is the first page some people see.
            for path in [*main_pages(demo), "/no-such-page/"]:
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status in (200, 404), path
                violations = axe_violations(page)
                if violations:
                    found[f"{language} {width} {path}"] = violations
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_keyboard_focus_is_visible(demo, signed_in, live_server):  # type: ignore[no-untyped-def]
    page = signed_in("en", DESKTOP_WIDTH)
    visit(page, f"{live_server.url}{reverse('dashboard:plan', args=[demo.pk])}")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline[0] != "none" and outline[1] != "0px"


# --- No English on Chinese and French pages ----------------------------------------------------------------
#
# ALLOW-LIST. Text that is not interface text and is left out of the check:
# 1. PLAN CONTENT AND REGISTER NAMES, read from the database (`content_strings`): the plan's titles,
#    chapters, sections, tasks, targets and unit names (their translations are the other half of issue 18,
#    done in the plan-content work), and the names of stations, sections, enterprises, outlets, people and
#    what people wrote (report narratives, comments). Remove a model from CONTENT_MODELS once its text is
#    shown in the reader's language.
# 2. PROPER NOUNS, CODES AND SYMBOLS: ALLOWED_WORDS below (product and standard names, file formats,
#    chemical symbols, the language selector's own names); anything with a digit; code, kbd and samp
#    elements; elements marked translate="no".
CONTENT_MODELS = (
    "plans.Plan",
    "plans.Chapter",
    "plans.Section",
    "plans.Task",
    "plans.Target",
    "plans.Assignment",
    "plans.Unit",
    "auth.User",
    "air.Station",
    "water.MonitoringSection",
    "sources.Enterprise",
    "sources.Outlet",
    "progress.ProgressReport",
    "progress.ReportEvent",
    "progress.Notification",
    "emergency.Alert",
    "inspections.SupervisionObject",
    "inspections.Inspector",
    "cases.Case",
    "portal.CorrectionRequest",
)
# Fields of those models that hold codes shown through a translated label, not content.
CODE_FIELDS = {"kind", "state", "status", "action", "role", "language", "content_hash", "password"}
ALLOWED_WORDS = {
    "envplan", "AQI", "IAQI", "HJ", "GB", "CSV", "XLSX", "Excel", "PDF", "Word", "API", "JSON", "XML",
    "DCAT", "CAP", "Atom", "MN", "CRC", "ID", "URL", "HTTP", "HTTPS", "OK", "SVG", "PNG",
    "English", "Français", "VOCs", "NOx", "CO", "O3", "SO2", "NO2", "PM", "pH", "BOD5", "COD",
    "Modbus", "Polars", "Parquet", "Spark", "Playwright", "Django", "txt", "docx", "xlsx", "html", "csv",
    "UTF", "MB", "KB", "CC", "BY",
}  # fmt: skip
# English words that are not French (for French pages): interface text left in English.
ENGLISH_ONLY = {
    "the", "and", "of", "with", "from", "is", "are", "was", "has", "have", "this", "that", "which",
    "been", "will", "by", "for", "its", "their", "your", "you", "none", "each", "into", "any", "only",
    "when", "where", "who", "what", "there", "these", "those", "should", "must", "can", "may", "not",
    "set", "computed", "hourly", "minute", "realtime", "dashboard", "reports", "report", "tasks",
    "task", "units", "unit", "target", "targets", "latest", "status", "show", "search", "filter",
    "credit", "cases", "import", "log", "out", "edit", "save", "submit", "due", "overdue",
    "done", "generated", "online", "offline", "enterprise", "enterprises", "open", "data", "rounds",
}  # fmt: skip

TEXT_NODES = """() => {
  const skip = "script, style, noscript, code, kbd, samp, svg, [translate=no]";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (text && !node.parentElement.closest(skip)) out.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (el.closest(skip)) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  return out;
}"""


def content_strings() -> list[str]:
    """Every text of the CONTENT_MODELS in the database, longest first (so that a longer text goes before
    a shorter one it contains)."""
    found: set[str] = set()
    for label in CONTENT_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and f.name not in CODE_FIELDS
        ]
        for row in model.objects.values_list(*fields):
            found.update(str(value).strip() for value in row if value and len(str(value).strip()) >= 2)
    return sorted(found, key=len, reverse=True)


def english_left(texts: list[str], language: str, content: list[str]) -> list[str]:
    findings = []
    for text in texts:
        rest = text
        for item in content:
            if item in rest:
                rest = rest.replace(item, " ")
        # Words, codes with digits (scheme names like national-2013, MN numbers) left aside.
        words = [w for w in re.findall(r"[\w'’-]+", rest) if not re.search(r"[\d_]", w)]
        words = [w.strip("-'’") for w in words if re.fullmatch(r"[A-Za-zÀ-ÿ'’-]{2,}", w)]
        if language.startswith("zh"):
            english = [w for w in words if w not in ALLOWED_WORDS and re.fullmatch(r"[A-Za-z'’-]+", w)]
        else:
            english = [w for w in words if w.lower() in ENGLISH_ONLY and w not in ALLOWED_WORDS]
        if english:
            findings.append(f"{' '.join(english)}  ←  {text[:120]}")
    return findings


def test_chinese_and_french_pages_show_no_english_interface_text(demo, signed_in, live_server):  # type: ignore[no-untyped-def]
    content = content_strings()
    found: dict[str, list[str]] = {}
    for language in ("zh-hans", "fr"):
        page = signed_in(language, DESKTOP_WIDTH)
        for path in [*main_pages(demo), "/no-such-page/"]:
            page.goto(f"{live_server.url}{path}")
            findings = english_left(page.evaluate(TEXT_NODES), language, content)
            if findings:
                found[f"{language} {path}"] = sorted(set(findings))
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


# --- The items of the issue, one by one ---------------------------------------------------------------------


def test_language_switch_on_the_login_page_then_logging_in(demo, live_server, page):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    assert "/accounts/login/" in page.url
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert "setlang" not in page.url and "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{live_server.url}{demo.get_absolute_url()}"
    assert page.locator("html").get_attribute("lang") == "zh-hans"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_top_bar_keeps_its_navigation_on_one_line_at_1366_px(demo, signed_in, live_server, language):  # type: ignore[no-untyped-def]
    page = signed_in(language, DESKTOP_WIDTH)
    visit(page, f"{live_server.url}{reverse('dashboard:plan', args=[demo.pk])}")
    top = "e => e.getBoundingClientRect().top"
    tops = page.evaluate(f"[...document.querySelectorAll('.mainnav a')].map({top})")
    tools = page.evaluate(f"[...document.querySelectorAll('.tools > *')].map({top})")
    assert len(set(tops)) == 1 and max(tools) - min(tools) < 8


def test_error_pages_are_ours_in_the_readers_language(demo, signed_in, live_server):  # type: ignore[no-untyped-def]
    page = signed_in("zh-hans", PHONE_WIDTH)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    assert page.get_by_test_id("error-404").count() == 1 and page.locator(".topbar").count() == 1
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_dashboard_numbers_carry_units_and_the_french_decimal_mark(demo, signed_in, live_server):  # type: ignore[no-untyped-def]
    page = signed_in("fr", DESKTOP_WIDTH)
    visit(page, f"{live_server.url}{reverse('dashboard:plan', args=[demo.pk])}")
    cells = page.get_by_test_id("target-value").all_inner_texts()
    latest = [t for t in page.get_by_test_id("target-latest").all_inner_texts() if t.strip() != "—"]
    assert cells and latest
    # No English decimal point in a French number (dates are written 2025-10-20 and are left aside).
    for text in cells + latest:
        first_line = text.splitlines()[0]
        assert not re.search(r"\d\.\d", first_line), first_line
    assert any("µg/m³" in t or "%" in t for t in latest)
