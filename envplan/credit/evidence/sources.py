"""Evidence from envplan.sources: exceedance events, each monitored outlet's compliance, and the
transmission-validity rate of online monitoring with its data flags.

Record references use natural keys (outlet, factor, start hour), not row ids: exceedance screening
replaces its events when it runs again, and an objection must still find the record it contested.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import polars as pl
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from envplan.core import clock
from envplan.credit.registry import Period, register_source
from envplan.sources import analytics
from envplan.sources import lake as sources_lake
from envplan.sources.models import Device, Enterprise, ExceedanceEvent, Outlet
from envplan.standards.credit import Evidence

ZONE = ZoneInfo(analytics.TZ)
HUNDRED = Decimal(100)


def _window(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=ZONE)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)
    return start, end


def exceedance_record(event: ExceedanceEvent) -> str:
    start = event.start.astimezone(ZONE)
    return f"sources.exceedance:{event.outlet_id}:{event.factor}-{event.field}:{start:%Y%m%dT%H%M}"


def exceedances(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """One row per exceedance event starting in the period (its hours), and one per outlet with a limit
    and data in the period (100 when it had no exceedance, 0 when it had any)."""
    start, end = _window(period)
    events = list(
        ExceedanceEvent.objects.filter(outlet__enterprise=enterprise, start__gte=start, start__lt=end)
        .select_related("outlet")
        .order_by("start", "outlet__code", "factor")
    )
    rows = []
    per_outlet: Counter[int] = Counter()
    hours_per_outlet: Counter[int] = Counter()
    for event in events:
        per_outlet[event.outlet_id] += 1
        hours_per_outlet[event.outlet_id] += event.hours
        local = event.start.astimezone(ZONE)
        rows.append(
            Evidence(
                record=exceedance_record(event),
                label=_("%(outlet)s %(factor)s-%(field)s from %(start)s, %(hours)d h")
                % {
                    "outlet": event.outlet.code,
                    "factor": event.factor,
                    "field": event.field,
                    "start": f"{local:%Y-%m-%d %H:%M}",
                    "hours": event.hours,
                },
                code="exceedance_hours",
                quantity=Decimal(event.hours),
                on=local.date(),
                explanation=_("maximum %(max)s against a limit of %(limit)s")
                % {"max": f"{event.max_value:.2f}", "limit": format(event.limit.normalize(), "f")},
                url=reverse("sources:outlet", args=[event.outlet_id]),
                generated=event.generated,
            )
        )
    with_data = _outlets_with_data(enterprise, start, end)
    monitored = [
        outlet
        for outlet in Outlet.objects.filter(enterprise=enterprise, limits__isnull=False)
        .distinct()
        .order_by("code")
        if outlet.pk in per_outlet or outlet.pk in with_data
    ]
    for outlet in monitored:
        count = per_outlet[outlet.pk]
        rows.append(
            Evidence(
                record=f"sources.outlet-compliance:{outlet.pk}:{period.start:%Y%m%d}-{period.end:%Y%m%d}",
                label=_("outlet %(outlet)s over the period") % {"outlet": outlet.code},
                code="outlet_compliance",
                quantity=Decimal(0) if count else HUNDRED,
                on=period.end,
                explanation=(
                    ngettext(
                        "%(events)d exceedance event, %(hours)d h: not compliant",
                        "%(events)d exceedance events, %(hours)d h: not compliant",
                        count,
                    )
                    % {"events": count, "hours": hours_per_outlet[outlet.pk]}
                    if count
                    else _("no exceedance: compliant")
                ),
                url=reverse("sources:outlet", args=[outlet.pk]),
                generated=any(e.generated for e in events if e.outlet_id == outlet.pk),
            )
        )
    return rows


def _outlets_with_data(enterprise: Enterprise, start: dt.datetime, end: dt.datetime) -> set[int]:
    """Outlets whose loggers stored an hourly value in [start, end): an outlet without data is not
    compliant, it is unmeasured, and says nothing about the enterprise."""
    devices = analytics.devices_frame(enterprises=[enterprise.pk])
    if devices.height == 0:
        return set()
    seen = (
        sources_lake.scan("hourly", mns=devices.get_column("mn").to_list(), start=start, end=end)
        .select("mn")
        .unique()
        .collect()
    )
    return set(seen.join(devices, on="mn").get_column("outlet_id").to_list())


def validity(enterprise: Enterprise, period: Period) -> list[Evidence]:
    """The enterprise's transmission-validity rate over the period (envplan.sources.analytics) for its
    active loggers, counted from the first day one of them sent an hourly value (a logger installed
    mid-year is not blamed for the months before it) up to the current hour. The explanation counts the
    expected values and the flags of those received."""
    start, end = _window(period)
    # Hours after the present cannot have arrived yet: the running day counts up to the current hour.
    end = min(end, clock.now().replace(minute=0, second=0, microsecond=0))
    active = list(
        Device.objects.filter(outlet__enterprise=enterprise, active=True).values_list("mn", flat=True)
    )
    devices = analytics.devices_frame(enterprises=[enterprise.pk]).filter(pl.col("mn").is_in(active))
    limits = analytics.limits_frame(outlets=list(enterprise.outlets.values_list("pk", flat=True)))
    if devices.height == 0 or limits.height == 0 or end <= start:
        return []
    hourly = sources_lake.devices_hourly(devices, start=start, end=end)
    first = sources_lake.first_time(hourly)
    if first is None:
        return []
    counted_from = dt.datetime.combine(first.astimezone(ZONE).date(), dt.time(), tzinfo=ZONE)
    rates = analytics.validity_rates(hourly, devices=devices, limits=limits, start=counted_from, end=end)
    expected = int(rates.get_column("expected").sum())
    valid = int(rates.get_column("valid").sum())
    if not expected:
        return []
    pairs = devices.join(limits.select("outlet_id", "factor").unique(), on="outlet_id").select("mn", "factor")
    received = (
        hourly.filter(pl.col("field") == "Avg")
        .join(pairs, left_on=["mn", "code2017"], right_on=["mn", "factor"], how="inner")
        .unique(["mn", "code2017", "time"])
    )
    flags = Counter(flag or "none" for flag in received.get_column("flag").to_list())
    flag_text = ", ".join(f"{flag} {count}" for flag, count in sorted(flags.items()))
    rate = (Decimal(valid) * HUNDRED / Decimal(expected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    generated = bool(hourly.get_column("generated").fill_null(False).any())
    return [
        Evidence(
            record=f"sources.validity:{enterprise.pk}:{counted_from:%Y%m%d}-{period.end:%Y%m%d}",
            label=_("transmission validity from %(start)s to %(end)s")
            % {"start": f"{counted_from:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"},
            code="transmission_validity",
            quantity=rate,
            on=period.end,
            explanation=_(
                "%(valid)d valid hourly values of %(expected)d expected from %(loggers)d active logger(s); "
                "received by flag: %(flags)s"
            )
            % {
                "valid": valid,
                "expected": expected,
                "loggers": pairs.get_column("mn").n_unique(),
                "flags": flag_text or "—",
            },
            url=reverse("sources:enterprise", args=[enterprise.pk]),
            generated=generated,
        )
    ]


def register() -> None:
    register_source(
        "sources.exceedances",
        label=gettext_lazy("Exceedances at monitored outlets"),
        codes=("exceedance_hours", "outlet_compliance"),
        collect=exceedances,
    )
    register_source(
        "sources.validity",
        label=gettext_lazy("Transmission validity of online monitoring"),
        codes=("transmission_validity",),
        collect=validity,
    )
