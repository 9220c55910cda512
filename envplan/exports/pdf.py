"""The assessment as a PDF, through WeasyPrint with Debian's Pango and the Noto CJK fonts.

WeasyPrint is imported only when a PDF is asked for: a server without Pango still serves every page,
and the PDF view says what is missing instead of failing.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
from types import ModuleType

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from envplan.core.spreadsheets import bilingual
from envplan.exports.assessment import COMPONENTS, Assessment
from envplan.plans.content import has_cjk

# Debian fonts-noto-cjk; the family name as fontconfig knows it.
CJK_FONT_FAMILY = "Noto Sans CJK SC"


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are missing; the message says what to install."""


class FontsMissing(PdfUnavailable):
    """The PDF would need Chinese glyphs and no CJK font is installed: refused, never printed as boxes."""


def load_weasyprint() -> ModuleType:
    try:
        weasyprint = importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _(
                "PDF output is not available on this server: WeasyPrint or the system libraries it needs "
                "are missing (Debian packages libpango-1.0-0, libpangoft2-1.0-0, fonts-noto-cjk). "
                "Detail: %(reason)s"
            )
            % {"reason": str(error).splitlines()[0] if str(error) else type(error).__name__}
        ) from None
    return weasyprint


def cjk_font_families() -> list[str]:
    """The installed font families that cover Chinese, as fontconfig lists them (none without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()})


def require_glyphs(text: str) -> None:
    """Raise FontsMissing when `text` has Chinese characters and no installed font can draw them."""
    if has_cjk(text) and not cjk_font_families():
        raise FontsMissing(
            _(
                "This PDF needs Chinese characters but no Chinese (CJK) font is installed, so they would "
                "print as empty boxes; no PDF was made. Install one (Debian: apt-get install "
                "fonts-noto-cjk) or ask for the Word document."
            )
        )


def assessment_title() -> str:
    return bilingual("单位年度考核", _("Year-end assessment of units"))


def assessment_html(assessment: Assessment) -> str:
    return render_to_string(
        "exports/assessment_pdf.html",
        {
            "assessment": assessment,
            "title": assessment_title(),
            "components": COMPONENTS,
            "font_family": CJK_FONT_FAMILY,
        },
    )


def assessment_pdf(assessment: Assessment) -> bytes:
    """The ranking and its breakdown as an A4 PDF in the active language, with the CJK font embedded."""
    return html_to_pdf(assessment_html(assessment))


def html_to_pdf(html: str, *, text: str = "") -> bytes:
    """A document's HTML as PDF. Refused (FontsMissing) when it holds Chinese (in `html` or the plain
    `text` it was made from) and no CJK font is installed; PdfUnavailable when WeasyPrint cannot run."""
    require_glyphs(text + html)
    weasyprint = load_weasyprint()
    try:
        document: bytes = weasyprint.HTML(string=html).write_pdf()
    except OSError as error:
        raise PdfUnavailable(
            _("The PDF could not be made: %(reason)s") % {"reason": str(error) or type(error).__name__}
        ) from None
    return document
