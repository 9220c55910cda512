"""Reads for the sources pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Max, Min, QuerySet, Sum

from envplan.sources import analytics
from envplan.sources import lake as sources_lake
from envplan.sources.models import (
    Device,
    DeviceCounter,
    Enterprise,
    FactorLimit,
    Outlet,
    QuarantinedDevice,
    RejectedSample,
    VariantCount,
)


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    frames: int


@dataclass
class DeviceRow:
    device: Device
    online: bool
    rejected: list[ReasonCount] = field(default_factory=list)  # refused frames per reason
    variants: list[VariantCount] = field(default_factory=list)  # frames stored with a known deviation


@dataclass
class Refusal:
    """Frames refused from one MN ("?": none could be read) for one reason, over the hours counted."""

    mn: str
    reason: str
    frames: int
    first_hour: dt.datetime
    last_hour: dt.datetime
    registered: bool
    samples: list[RejectedSample] = field(default_factory=list)


def is_online(device: Device, now: dt.datetime) -> bool:
    """Online when its last frame is at most twice its expected interval old."""
    if device.last_seen_at is None:
        return False
    return bool(now - device.last_seen_at <= dt.timedelta(seconds=2 * device.expected_interval))


def variants_by_mn(mns: Iterable[str] | None = None) -> dict[str, list[VariantCount]]:
    """Counts of frames stored with a known deviation, per MN."""
    rows = VariantCount.objects.order_by("mn", "variant")
    if mns is not None:
        rows = rows.filter(mn__in=list(mns))
    found: dict[str, list[VariantCount]] = {}
    for row in rows:
        found.setdefault(row.mn, []).append(row)
    return found


@dataclass
class DeviceStatus:
    """What the device status page shows."""

    rows: list[DeviceRow]
    quarantined: list[tuple[QuarantinedDevice, list[VariantCount]]]
    unknown_senders: list[Refusal]  # refused frames of MNs not registered, or unreadable ("?")


def device_status(now: dt.datetime, *, limit: int = 200) -> DeviceStatus:
    """Devices with their refused and deviating frames, the quarantine, and the refusals of unknown
    senders with their samples: a fixed number of queries whatever the number of devices."""
    devices = list(
        Device.objects.select_related("outlet__enterprise").order_by(
            "outlet__enterprise__name", "outlet__code", "mn"
        )
    )
    registered = {d.mn for d in devices}
    quarantined = list(QuarantinedDevice.objects.all()[:limit])
    variants = variants_by_mn(registered | {q.mn for q in quarantined})
    totals = _refusal_totals(DeviceCounter.objects.all())
    rejected: dict[str, list[ReasonCount]] = {}
    unknown: list[Refusal] = []
    for total in totals:
        if total.mn in registered:
            rejected.setdefault(total.mn, []).append(ReasonCount(total.reason, total.frames))
        elif len(unknown) < limit:
            unknown.append(total)
    _attach_samples(unknown)
    return DeviceStatus(
        rows=[
            DeviceRow(d, is_online(d, now), rejected.get(d.mn, []), variants.get(d.mn, [])) for d in devices
        ],
        quarantined=[(q, variants.get(q.mn, [])) for q in quarantined],
        unknown_senders=unknown,
    )


def _refusal_totals(counters: QuerySet[DeviceCounter]) -> list[Refusal]:
    totals = (
        counters.values("mn", "reason")
        .annotate(frames=Sum("count"), first_hour=Min("hour"), last_hour=Max("hour"))
        .order_by("mn", "reason")
    )
    return [
        Refusal(
            mn=total["mn"],
            reason=total["reason"],
            frames=int(total["frames"]),
            first_hour=total["first_hour"],
            last_hour=total["last_hour"],
            registered=False,
        )
        for total in totals
    ]


def _attach_samples(found: list[Refusal]) -> None:
    if not found:
        return
    samples: dict[tuple[str, str], list[RejectedSample]] = {}
    rows = RejectedSample.objects.filter(mn__in={r.mn for r in found}).order_by(
        "mn", "reason", "received_at", "pk"
    )
    for sample in rows:
        samples.setdefault((sample.mn, sample.reason), []).append(sample)
    for refusal in found:
        refusal.samples = samples.get((refusal.mn, refusal.reason), [])


def refusals(*, since: dt.datetime | None = None) -> list[Refusal]:
    """Refused frames per MN and reason, counted from the hour of `since`, with their samples."""
    counters = DeviceCounter.objects.all()
    if since is not None:
        hour = since.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        counters = counters.filter(hour__gte=hour)
    found = _refusal_totals(counters)
    known = set(Device.objects.filter(mn__in={r.mn for r in found}).values_list("mn", flat=True))
    for refusal in found:
        refusal.registered = refusal.mn in known
    _attach_samples(found)
    return found


@dataclass
class FactorSeries:
    factor: str
    field: str
    limit: FactorLimit | None
    points: list[tuple[dt.datetime, float | None]]
    generated: bool


def outlet_series(outlet: Outlet, *, start: dt.datetime, end: dt.datetime) -> list[FactorSeries]:
    """Hourly values of the outlet's devices per factor: the field of the factor's limit (ZsAvg or Avg) if
    it was sent, else Avg; when several devices send a factor, the highest value of the hour."""
    mns = [d.mn for d in outlet.devices.all()]
    limits = {lim.factor: lim for lim in outlet.limits.all()}
    hourly = sources_lake.scan("hourly", mns=mns, start=start, end=end).collect()
    if hourly.height == 0:
        return []
    wanted = pl.DataFrame(
        {"code2017": list(limits), "wanted": [lim.field for lim in limits.values()]},
        schema={"code2017": pl.Utf8, "wanted": pl.Utf8},
    )
    chosen = (
        hourly.join(wanted, on="code2017", how="left")
        .with_columns(pl.col("wanted").fill_null("Avg"))
        .with_columns(
            pl.col("field").eq(pl.col("wanted")).any().over("code2017").alias("has_wanted"),
        )
        .filter(
            pl.when(pl.col("has_wanted"))
            .then(pl.col("field") == pl.col("wanted"))
            .otherwise(pl.col("field") == "Avg")
        )
        .group_by("code2017", "field", "time")
        .agg(pl.col("value").max(), pl.col("generated").fill_null(False).any())
        .sort("code2017", "time")
    )
    result = []
    for (factor, field_name), part in chosen.partition_by(["code2017", "field"], as_dict=True).items():
        result.append(
            FactorSeries(
                factor=str(factor),
                field=str(field_name),
                limit=limits.get(str(factor)),
                points=list(
                    zip(part.get_column("time").to_list(), part.get_column("value").to_list(), strict=True)
                ),
                generated=bool(part.get_column("generated").any()),
            )
        )
    return sorted(result, key=lambda s: (s.limit is None, s.factor))


@dataclass
class EnterpriseFigures:
    flags: list[dict[str, Any]]
    validity: list[dict[str, Any]]


def enterprise_figures(enterprise: Enterprise, *, start: dt.datetime, end: dt.datetime) -> EnterpriseFigures:
    devices = analytics.devices_frame(enterprises=[enterprise.pk])
    limits = analytics.limits_frame(outlets=[o.pk for o in enterprise.outlets.all()])
    hourly = sources_lake.devices_hourly(devices, start=start, end=end)
    flags = analytics.flag_shares(hourly, devices=devices)
    validity = analytics.validity_rates(hourly, devices=devices, limits=limits, start=start, end=end)
    return EnterpriseFigures(flags=flags.to_dicts(), validity=validity.to_dicts())
