"""Services: registry (audited), screening into events, landing recovery, counters, the registry snapshot."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from envplan.core.models import AuditEntry
from envplan.hj212.crc import CrcKind
from envplan.hj212.receiver import ReceiverService, Report, ServeOptions
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import frames_to_rows
from envplan.lake.landing import LandingLog, landing_prefix
from envplan.sources import indicators, services
from envplan.sources.models import Device, DeviceCounter, ExceedanceEvent, Outlet, QuarantinedDevice
from envplan.sources.receiver import DatabaseRegistry

CST = ZoneInfo("Asia/Shanghai")


def hourly_frame(mn: str, when: dt.datetime, values: dict[str, dict[str, object]]) -> bytes:
    stamp = when.strftime("%Y%m%d%H%M%S")
    return build_frame(
        qn=stamp + "000", st="31", cn="2061", pw="123456", mn=mn, flag=5, cp=data_cp(stamp, values)
    )


def store_so2(mn: str, start: dt.datetime, zs_values: list[float]) -> None:
    frames = [
        hourly_frame(mn, start + dt.timedelta(hours=i), {"a21026": {"Avg": v, "ZsAvg": v, "Flag": "N"}})
        for i, v in enumerate(zs_values)
    ]
    services.store_generated(frames_to_rows(frames)[0])


def test_detect_exceedances_replaces_events_of_the_window(device: Device):
    start = dt.datetime(2025, 3, 1, tzinfo=CST)
    store_so2(device.mn, start, [30, 36, 37, 20, 50])

    first = services.detect_exceedances(start=start, end=start + dt.timedelta(days=1))
    again = services.detect_exceedances(start=start, end=start + dt.timedelta(days=1))

    assert [(e.start, e.hours, e.max_value) for e in first] == [
        (start + dt.timedelta(hours=1), 2, 37.0),
        (start + dt.timedelta(hours=4), 1, 50.0),
    ]
    assert [(e.start, e.hours) for e in again] == [(e.start, e.hours) for e in first]
    assert ExceedanceEvent.objects.count() == 2
    assert AuditEntry.objects.filter(action="sources.exceedances_detected").count() == 2


def test_exceedance_hours_indicator_sums_hours_per_month(device: Device):
    start = dt.datetime(2025, 3, 1, tzinfo=CST)
    store_so2(device.mn, start, [36, 37, 20, 50])
    services.detect_exceedances(start=start, end=start + dt.timedelta(days=1))

    series = indicators.exceedance_hours({}, dt.date(2025, 4, 10))

    assert series == [
        (dt.date(2025, 1, 31), Decimal(0)),
        (dt.date(2025, 2, 28), Decimal(0)),
        (dt.date(2025, 3, 31), Decimal(3)),
        (dt.date(2025, 4, 10), Decimal(3)),
    ]


def test_validity_rate_indicator_from_the_lake(device: Device):
    start = dt.datetime(2025, 1, 1, tzinfo=CST)
    # 24 hours expected on 1 January (as_of); 18 hourly SO2 values flagged N arrived
    store_so2(device.mn, start, [20.0] * 18)

    series = indicators.transmission_validity_rate(
        {"enterprises": [device.outlet.enterprise_id]}, dt.date(2025, 1, 1)
    )

    assert series == [(dt.date(2025, 1, 1), Decimal("75.0"))]


def test_validity_rate_indicator_is_per_month(device: Device):
    store_so2(device.mn, dt.datetime(2025, 1, 1, tzinfo=CST), [20.0] * 18)

    series = indicators.transmission_validity_rate({}, dt.date(2025, 2, 1))

    # January: 18 of 31 × 24 = 744 expected hours; 1 February: none of 24
    assert series == [(dt.date(2025, 1, 31), Decimal("2.4")), (dt.date(2025, 2, 1), Decimal("0.0"))]


def test_save_device_normalises_crc_variants_audits_and_releases_quarantine(outlet: Outlet):
    now = dt.datetime(2025, 1, 1, tzinfo=CST)
    QuarantinedDevice.objects.create(mn="NEWMN", first_seen=now, last_seen=now, frames=3)
    DeviceCounter.objects.create(mn="NEWMN", reason="crc", hour=now, count=2)

    device = services.save_device(
        Device(outlet=outlet, mn="NEWMN", password="pw", crc_variants=["variant:modbus-swapped", "arc"]),
        by=None,
    )

    assert device.crc_variants == ["modbus-swapped", "arc"]
    assert QuarantinedDevice.objects.count() == 0
    assert DeviceCounter.objects.get().device_id == device.pk
    entry = AuditEntry.objects.get(action="sources.device_created")
    assert "password" not in entry.after


def test_save_device_refuses_an_unknown_crc_variant(outlet: Outlet):
    with pytest.raises(services.SourcesError, match="crc_variants"):
        services.save_device(Device(outlet=outlet, mn="X1", crc_variants=["crc32"]), by=None)


def test_snapshot_has_active_devices_with_their_crc_variants(outlet: Outlet):
    Device.objects.create(outlet=outlet, mn="A", password="", crc_variants=["modbus-swapped"])
    Device.objects.create(outlet=outlet, mn="B", password="x", active=False)

    registry = DatabaseRegistry()
    device = registry.lookup("A")

    assert device is not None
    assert (device.password, device.crc_variants, registry.lookup("B")) == (
        None,
        frozenset({CrcKind.MODBUS_SWAPPED}),
        None,
    )


def test_service_reports_store_only_the_increase_since_the_last_stored_report(device: Device, tmp_path: Path):
    failing = [True]

    def store(report: Report) -> None:
        if failing[0]:
            raise ConnectionError("the database is away")
        services.add_counters(report.rejected)

    registry = DatabaseRegistry(store=store)
    service = ReceiverService(registry, ServeOptions(host="127.0.0.1", port=0, landing=tmp_path, prefix="t"))

    lost = service.report({(device.mn, "crc"): 2})  # not stored: kept for the next report
    failing[0] = False
    first = service.report({(device.mn, "crc"): 2})
    second = service.report({(device.mn, "crc"): 5, ("?", "length"): 1})
    service.landing.close()

    assert [lost.rejected, first.rejected, second.rejected] == [
        {},
        {(device.mn, "crc"): 2},
        {(device.mn, "crc"): 3, ("?", "length"): 1},
    ]
    assert sorted(DeviceCounter.objects.values_list("mn", "reason", "count")) == [
        (device.mn, "crc", 5),
        ("?", "length", 1),
    ]


def test_orphan_part_of_a_dead_receiver_is_recovered_and_ingested(device: Device, tmp_path: Path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    log = LandingLog(tmp_path, prefix=landing_prefix(int(dead.stdout)))
    frame = hourly_frame(device.mn, dt.datetime(2025, 1, 1, tzinfo=CST), {"a21026": {"Avg": 1, "Flag": "N"}})
    log.append(frame, received_ns=1, peer="p", meta={"mn": device.mn, "cn": "2061", "status": "accepted"})
    log.flush_durable()  # never closed: the process "died"
    alive = LandingLog(tmp_path, prefix=landing_prefix(os.getpid()))
    alive.append(frame, received_ns=1, peer="p", meta={"mn": device.mn, "cn": "2061", "status": "accepted"})
    alive.flush_durable()

    result = services.ingest_landing(tmp_path)

    assert (result.files, result.frames, result.rows) == (1, 1, 1)
    assert [p.suffix for p in sorted(tmp_path.glob("*-*.*"))] == [".part"]  # the live receiver's file


def test_worker_jobs_are_registered_with_their_schedules():
    from envplan.core.worker import discover

    jobs = discover()

    assert (
        jobs["sources-ingest"].every,
        jobs["sources-exceedances"].every,
        jobs["sources-compact"].daily_at,
    ) == (
        dt.timedelta(minutes=1),
        dt.timedelta(hours=1),
        dt.time(3, 30),
    )


def test_compaction_keeps_each_value_once(device: Device, lake_folder: Path):
    from envplan.sources import lake as sources_lake

    start = dt.datetime(2025, 3, 1, tzinfo=CST)
    store_so2(device.mn, start, [30, 36])
    store_so2(device.mn, start, [30, 36])  # the same frames stored again (ingested twice after a crash)

    rewritten = sources_lake.compact()

    assert rewritten == 1
    assert len(list(lake_folder.rglob("*.parquet"))) == 1
    assert sources_lake.scan("hourly").collect().height == 4


def test_values_stored_under_the_old_kind_names_read_back_once_under_the_new(
    device: Device, lake_folder: Path
):
    """Lakes written before the data kinds had one name each hold `kind` = "hour"; the same value ingested
    again today (kind "hourly") is still one value, named today's way, and compaction keeps it once."""
    import polars as pl

    from envplan.sources import lake as sources_lake

    start = dt.datetime(2025, 3, 1, tzinfo=CST)
    store_so2(device.mn, start, [30, 36])
    today = sources_lake.scan("hourly").collect()
    old = today.with_columns(pl.lit("hour").alias("kind")).select(list(sources_lake.ROW_SCHEMA))
    sources_lake.lake().append("hj212_hourly", old, date_column="time")  # as an older envplan wrote them
    store_so2(device.mn, start, [30, 36])  # the same frames again, under today's name

    values = sources_lake.scan("hourly").collect()
    sources_lake.compact()

    assert (values.height, set(values["kind"])) == (today.height, {"hourly"})
    assert sources_lake.scan("hourly").collect().sort("time", "field").equals(today.sort("time", "field"))
