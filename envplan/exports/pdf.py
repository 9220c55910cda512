"""The assessment as a PDF, through WeasyPrint with Debian's Pango and the Noto CJK fonts.

WeasyPrint is imported only when a PDF is asked for: a server without Pango still serves every page,
and the PDF view says what is missing instead of failing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from envplan.exports.assessment import COMPONENTS, Assessment
from envplan.exports.xlsx import bilingual

# Debian fonts-noto-cjk; the family name as fontconfig knows it.
CJK_FONT_FAMILY = "Noto Sans CJK SC"


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are missing; the message says what to install."""


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
    weasyprint = load_weasyprint()
    html = assessment_html(assessment)
    try:
        document: bytes = weasyprint.HTML(string=html).write_pdf()
    except OSError as error:
        raise PdfUnavailable(
            _("The PDF could not be made: %(reason)s") % {"reason": str(error) or type(error).__name__}
        ) from None
    return document
