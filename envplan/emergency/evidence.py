"""What heavy-pollution alerts say about an enterprise's environmental credit (envplan.credit.registry),
registered from EmergencyConfig.ready(): credit sits on this floor, so this app registers its own.

``emergency.compliance``: for each alert whose response started in the rating's period and whose
reduction list in force listed the enterprise, the compliance check of the alert's pages
(envplan.emergency.queries.compliance_report) over the online-monitoring data; one row
(``alert_noncompliance``, 1) per measure found not applied: a pollutant emitted above the allowance the
listed cut leaves, or an outlet whose lines were all to be stopped that emitted. An enterprise without
data during the alert has no row: no data is not a finding here (the alert's page lists it to check).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.core import clock
from envplan.credit.registry import Period, register_source
from envplan.emergency.models import Alert, ListEntry
from envplan.emergency.queries import compliance_report, list_in_force
from envplan.sources import lake as sources_lake
from envplan.sources.models import Enterprise
from envplan.standards.credit import Evidence


def _listed(enterprise: Enterprise, alert: Alert) -> bool:
    reduction_list = list_in_force(alert.response_start.astimezone(sources_lake.ZONE).date())
    return (
        reduction_list is not None
        and ListEntry.objects.filter(reduction_list=reduction_list, enterprise=enterprise).exists()
    )


def noncompliance(enterprise: Enterprise, period: Period) -> list[Evidence]:
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=sources_lake.ZONE)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=sources_lake.ZONE)
    now = clock.now()
    rows: list[Evidence] = []
    alerts = Alert.objects.filter(response_start__gte=start, response_start__lt=end, response_start__lte=now)
    for alert in alerts.order_by("response_start", "pk"):
        if not _listed(enterprise, alert):
            continue
        report = compliance_report(alert, now=now)
        result = next((r for r in report.results if r.entry.enterprise_id == enterprise.pk), None)
        if result is None or result.compliant is not False:
            continue
        day = alert.response_start.astimezone(sources_lake.ZONE).date()
        label = _("%(level)s alert from %(day)s") % {
            "level": alert.get_level_display(),
            "day": f"{day:%Y-%m-%d}",
        }
        # Every finding of this alert counts once, on its first day.
        finding = partial(
            Evidence,
            label=label,
            code="alert_noncompliance",
            quantity=Decimal(1),
            on=day,
            url=alert.get_absolute_url(),
            generated=alert.generated or report.generated,
        )
        for item in result.pollutants:
            if item["compliant"]:
                continue
            rows.append(
                finding(
                    record=f"emergency.alert:{alert.pk}:{item['pollutant']}",
                    explanation=_(
                        "%(pollutant)s: %(emitted).1f kg emitted over %(hours)d h against %(allowed).1f kg "
                        "allowed by the listed cut"
                    )
                    % {
                        "pollutant": item["pollutant"].upper(),
                        "emitted": item["emitted_kg"],
                        "hours": item["hours"],
                        "allowed": item["allowed_kg"],
                    },
                )
            )
        for item in result.stopped:
            rows.append(
                finding(
                    record=f"emergency.alert:{alert.pk}:stopped:{item['outlet_id']}",
                    explanation=_("outlet %(outlet)s, to be stopped, emitted %(kg).1f kg over %(hours)d h")
                    % {"outlet": item["outlet"], "kg": item["kg"], "hours": item["hours"]},
                )
            )
    return rows


def register() -> None:
    register_source(
        "emergency.compliance",
        label=gettext_lazy("Reduction measures applied during heavy-pollution alerts"),
        codes=("alert_noncompliance",),
        collect=noncompliance,
    )
