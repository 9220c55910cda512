"""Evidence from the screening cases (envplan.cases, on the monitoring floor below): each case an
inspector confirmed as falsified automatic-monitoring data, judged within the rating's period.

The record reference is the case number: a case is never replaced, and an objection must find it again.
A case whose confirmation is withdrawn (back to "not checked" or judged a false alarm) is no longer
confirmed, so the next computation drops it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from envplan.cases.explain import detector_name
from envplan.cases.models import Case
from envplan.cases.queries import confirmed_cases
from envplan.credit.registry import Period, register_source
from envplan.sources.models import Enterprise
from envplan.standards.credit import Evidence

ZONE = ZoneInfo("Asia/Shanghai")
CODE = "screening_case_confirmed"


def case_record(case: Case) -> str:
    return f"cases.case:{case.pk}"


def _explanation(case: Case) -> str:
    findings = list(case.findings.all())
    detectors = sorted({detector_name(f.detector) for f in findings})
    outlets = sorted({f"{f.factor}-{f.field}" for f in findings})
    text = ngettext(
        "%(count)d finding (%(detectors)s) on %(channels)s",
        "%(count)d findings (%(detectors)s) on %(channels)s",
        len(findings),
    ) % {
        "count": len(findings),
        "detectors": ", ".join(detectors) or "—",
        "channels": ", ".join(outlets) or "—",
    }
    if case.first_start and case.last_end:
        text += "; " + _("suspicious values from %(start)s to %(end)s") % {
            "start": f"{case.first_start.astimezone(ZONE):%Y-%m-%d %H:%M}",
            "end": f"{case.last_end.astimezone(ZONE):%Y-%m-%d %H:%M}",
        }
    return text


def confirmed(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """One row per case confirmed (judged) in the period, dated on the day of the judgement."""
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=ZONE)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)
    cases = [c for c in confirmed_cases(enterprise, since=start) if c.judged_at and c.judged_at < end]
    return [
        Evidence(
            record=case_record(case),
            label=_("screening case #%(number)d, confirmed on %(day)s")
            % {"number": case.pk, "day": f"{case.judged_at.astimezone(ZONE):%Y-%m-%d}"},
            code=CODE,
            quantity=Decimal(1),
            on=case.judged_at.astimezone(ZONE).date(),
            explanation=_explanation(case),
            url=case.get_absolute_url(),
            generated=case.generated,
        )
        for case in sorted(cases, key=lambda c: (c.judged_at, c.pk))
        if case.judged_at is not None
    ]


def register() -> None:
    register_source(
        "cases.confirmed",
        label=gettext_lazy("Confirmed screening cases (falsified monitoring data)"),
        codes=(CODE,),
        collect=confirmed,
    )
