"""Evidence entered by hand (envplan.credit.models.ManualEvidence), for the codes no app computes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from envplan.credit.models import ManualEvidence
from envplan.credit.registry import MANUAL, Period, manual_codes, register_source
from envplan.sources.models import Enterprise
from envplan.standards.credit import CODES, Evidence


def entered(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """The enterprise's entries dated in the period and not withdrawn. An entry whose code has since
    become computed by an app no longer counts (it would count twice); its page says so."""
    codes = manual_codes()
    rows = ManualEvidence.objects.filter(
        enterprise=enterprise,
        on__gte=period.start,
        on__lte=period.end,
        withdrawn_on__isnull=True,
        code__in=codes,
    ).order_by("on", "pk")
    return [
        Evidence(
            record=entry.record,
            label=f"{entry.reference}",
            code=entry.code,
            quantity=entry.quantity,
            on=entry.on,
            explanation=entry.description,
            url=reverse("credit:evidence_file", args=[entry.pk]) if entry.file else "",
            generated=entry.generated,
        )
        for entry in rows
    ]


def register() -> None:
    register_source(
        MANUAL, label=gettext_lazy("Entered by hand with a document"), codes=tuple(CODES), collect=entered
    )
