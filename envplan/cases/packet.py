"""The evidence packet: a case as an A4 PDF for the inspectors who visit the enterprise (the enterprise,
each finding in the reader's language with its numbers, the series with the suspicious spans marked, and
the frames behind the strongest finding of each channel).

WeasyPrint is imported only when a packet is asked for, so a server without Pango serves every page and
the packet view says what is missing. The fonts are Debian's Noto CJK (embedded, so the PDF reads the
same everywhere); the stylesheet is `packet.css` next to this module, passed to WeasyPrint rather than
written into the page.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from envplan.cases.charts import ChannelChart, case_charts
from envplan.cases.explain import detector_name, explain
from envplan.cases.frames import RawFrame, frames_for
from envplan.cases.models import Case, Finding
from envplan.cases.queries import case_view
from envplan.lake import Lake

STYLESHEET: Final = Path(__file__).resolve().parent / "packet.css"
FRAMES_PER_CHANNEL: Final = 24


class PacketUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are missing, or the PDF could not be made."""


@dataclass
class ExplainedFinding:
    finding: Finding
    detector: str
    sentence: str
    precision: float


@dataclass
class ChannelEvidence:
    chart: ChannelChart
    frames: list[RawFrame]


def explained(case: Case) -> tuple[list[ExplainedFinding], list[tuple[str, float, float]], float]:
    """The case's findings in the active language with their detector's precision, and the parts of
    its risk (detector name, best score, precision)."""
    view = case_view(case)
    rows = [
        ExplainedFinding(
            finding=f,
            detector=detector_name(f.detector),
            sentence=explain(f),
            precision=view.precision[f.detector].estimate if f.detector in view.precision else 0.5,
        )
        for f in view.findings
    ]
    parts = [(detector_name(p.detector), p.score, p.precision) for p in view.parts]
    return rows, parts, case.risk


def channel_evidence(
    case: Case, *, lake: Lake | None = None, width: int = 720, frames: int = FRAMES_PER_CHANNEL
) -> list[ChannelEvidence]:
    """Each channel's chart, and the frames of its strongest finding's span (the first `frames`)."""
    found = []
    for chart in case_charts(list(case.findings.all()), lake=lake, width=width):
        top = chart.findings[0]
        found.append(ChannelEvidence(chart, frames_for(top.mn, top.start, top.end, lake=lake, limit=frames)))
    return found


def packet_html(case: Case, *, now: dt.datetime, lake: Lake | None = None) -> str:
    findings, parts, risk = explained(case)
    return render_to_string(
        "cases/packet.html",
        {
            "case": case,
            "enterprise": case.enterprise,
            "findings": findings,
            "parts": parts,
            "risk": risk,
            "channels": channel_evidence(case, lake=lake, width=680),
            "now": now,
            "title": _("Evidence packet, case %(number)s") % {"number": case.pk},
        },
    )


def load_weasyprint() -> ModuleType:
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        raise PacketUnavailable(
            _(
                "PDF output is not available on this server: WeasyPrint or the system libraries it needs "
                "are missing (Debian packages libpango-1.0-0, libpangoft2-1.0-0, fonts-noto-cjk). "
                "Detail: %(reason)s"
            )
            % {"reason": str(error).splitlines()[0] if str(error) else type(error).__name__}
        ) from None


def evidence_packet(case: Case, *, now: dt.datetime, lake: Lake | None = None) -> bytes:
    """The case as an A4 PDF in the active language, fonts embedded."""
    weasyprint = load_weasyprint()
    html = packet_html(case, now=now, lake=lake)
    try:
        document: bytes = weasyprint.HTML(string=html).write_pdf(
            stylesheets=[weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))]
        )
    except OSError as error:
        raise PacketUnavailable(
            _("The PDF could not be made: %(reason)s") % {"reason": str(error) or type(error).__name__}
        ) from None
    return document
