"""Reads for the sources pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Prefetch

from envplan.sources import analytics
from envplan.sources import lake as sources_lake
from envplan.sources.models import Device, DeviceCounter, Enterprise, FactorLimit, Outlet


@dataclass
class DeviceRow:
    device: Device
    online: bool
    counters: list[DeviceCounter] = field(default_factory=list)


def is_online(device: Device, now: dt.datetime) -> bool:
    """Online when its last frame is at most twice its expected interval old."""
    if device.last_seen_at is None:
        return False
    return bool(now - device.last_seen_at <= dt.timedelta(seconds=2 * device.expected_interval))


def device_rows(now: dt.datetime) -> list[DeviceRow]:
    devices = (
        Device.objects.select_related("outlet__enterprise")
        .prefetch_related(Prefetch("counters", queryset=DeviceCounter.objects.order_by("reason")))
        .order_by("outlet__enterprise__name", "outlet__code", "mn")
    )
    return [DeviceRow(d, is_online(d, now), list(d.counters.all())) for d in devices]


def unregistered_counters() -> list[DeviceCounter]:
    return list(DeviceCounter.objects.filter(device__isnull=True).order_by("mn", "reason"))


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
    hourly = sources_lake.scan("hour", mns=mns, start=start, end=end).collect()
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
    hourly = sources_lake.scan("hour", mns=devices.get_column("mn").to_list(), start=start, end=end).collect()
    flags = analytics.flag_shares(hourly, devices=devices)
    validity = analytics.validity_rates(hourly, devices=devices, limits=limits, start=start, end=end)
    return EnterpriseFigures(flags=flags.to_dicts(), validity=validity.to_dicts())
