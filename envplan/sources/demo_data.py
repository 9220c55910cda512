"""The sources demo: ILLUSTRATIVE enterprises, outlets and data loggers (made-up names, marked as such),
the real frames of envplan/sources/demo/frames.txt received through the receiver's core and ingested, and
two weeks of GENERATED hourly data (marked generated) so that the pages have something to show.

`load_sources_demo()` is called by the demo loader; running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from envplan.core import clock
from envplan.hj212.codes import Edition as WireEdition
from envplan.hj212.receiver import ReceiverCore, UnknownDevicePolicy
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import frames_to_rows
from envplan.hj212.segment import Flag
from envplan.lake.landing import LandingLog
from envplan.sources import services
from envplan.sources.models import Device, Enterprise, FactorLimit, Outlet
from envplan.sources.receiver import load_devices

DEMO_FOLDER = Path(__file__).resolve().parent / "demo"
GENERATED_DAYS = 14
POWER_MN = "150203A89000000000000101"  # illustrative MNs (24 characters, HJ 212-2017 §6.3.2)
WATER_MN = "150203A89000000000000201"

ENTERPRISES: tuple[dict[str, Any], ...] = (
    {
        "name": "Kundulun Thermal Power Co. (illustrative)",
        "name_zh": "昆都仑热电有限公司（示例）",
        "credit_code": "91150203MA0000000X",
        "district": "Kundulun",
        "industry": "thermal power",
        "address": "illustrative address, Kundulun District, Baotou",
    },
    {
        "name": "Kundulun Wastewater Treatment Plant (illustrative)",
        "name_zh": "昆都仑污水处理厂（示例）",
        "credit_code": "12150203MB0000000Y",
        "district": "Kundulun",
        "industry": "wastewater treatment",
        "address": "illustrative address, Kundulun District, Baotou",
    },
)


def _limits() -> list[tuple[str, str, str, Decimal, str, str, Decimal | None]]:
    """(outlet code, factor, field, limit, unit, standard, reference O2)."""
    ultra_low = "ultra-low emission (环发〔2015〕164号), at 6 % O2"
    return [
        # 环发〔2015〕164号: particulate 10, SO2 35, NOx 50 mg/m³ at the 6 % O2 of GB 13223-2011 Table 3
        ("DA001", "a21026", "ZsAvg", Decimal("35"), "mg/m³", ultra_low, Decimal("6")),
        ("DA001", "a21002", "ZsAvg", Decimal("50"), "mg/m³", ultra_low, Decimal("6")),
        ("DA001", "a34013", "ZsAvg", Decimal("10"), "mg/m³", ultra_low, Decimal("6")),
        # GB 18918-2002 Table 1, class 1 A: COD 50 mg/L, NH3-N 5 mg/L (water above 12 °C)
        ("DW001", "w01018", "Avg", Decimal("50"), "mg/L", "GB 18918-2002 class 1 A", None),
        ("DW001", "w21003", "Avg", Decimal("5"), "mg/L", "GB 18918-2002 class 1 A", None),
    ]


def load_sources_demo(*, plan: Any = None, now: dt.datetime | None = None) -> dict[str, int]:
    if Enterprise.objects.filter(name=ENTERPRISES[0]["name"]).exists():
        return {"enterprises": 0}
    moment = (now or clock.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        power, water = (
            services.save_enterprise(Enterprise(illustrative=True, **fields), by=None)
            for fields in ENTERPRISES
        )
        stack = services.save_outlet(
            Outlet(
                enterprise=power,
                code="DA001",
                name="Boiler 1 stack",
                kind="gas",
                latitude=Decimal("40.6560"),
                longitude=Decimal("109.8120"),
            ),
            by=None,
        )
        second = services.save_outlet(
            Outlet(enterprise=power, code="DA002", name="Boiler 2 stack", kind="gas"), by=None
        )
        discharge = services.save_outlet(
            Outlet(
                enterprise=water,
                code="DW001",
                name="Treated effluent",
                kind="water",
                latitude=Decimal("40.6200"),
                longitude=Decimal("109.8000"),
            ),
            by=None,
        )
        outlets = {"DA001": stack, "DA002": second, "DW001": discharge}
        for code, factor, field, limit, unit, standard, o2 in _limits():
            services.save_limit(
                FactorLimit(
                    outlet=outlets[code],
                    factor=factor,
                    field=field,
                    limit=limit,
                    unit=unit,
                    standard=standard,
                    reference_o2=o2,
                ),
                by=None,
            )
        devices = [
            Device(outlet=stack, mn=POWER_MN, password="123456"),
            Device(outlet=discharge, mn=WATER_MN, password="123456"),
            # the MNs of the real frames
            Device(outlet=second, mn="88888880000001", password="123456", crc_variants=["modbus-swapped"]),
            Device(outlet=discharge, mn="ZLDSZ20210127", password="123456"),
            Device(outlet=stack, mn="Z13401000010301", password="BF470F88957588DE902D1A52", active=False),
        ]
        for device in devices:
            services.save_device(device, by=None)
    real = receive_real_frames()
    generated = store_generated_hours(moment)
    Device.objects.filter(mn__in=[POWER_MN, WATER_MN]).update(
        last_seen_at=moment + dt.timedelta(minutes=2), last_frame_kind="hourly"
    )
    Device.objects.filter(mn="88888880000001").update(
        last_seen_at=moment - dt.timedelta(days=2), last_frame_kind="minute"
    )
    events = services.detect_exceedances(start=moment - dt.timedelta(days=GENERATED_DAYS + 1), end=moment)
    return {"enterprises": 2, "real_frames": real, "generated_values": generated, "exceedances": len(events)}


def receive_real_frames() -> int:
    """The real frames, judged by the receiver's core against the registry (CRC variant, PW), landed and
    ingested as any received frame. The active-device snapshot decides: the 2061 frame's logger is
    registered inactive, so it is stored as quarantined, as a live receiver would do."""
    lines = (DEMO_FOLDER / "frames.txt").read_bytes().splitlines()
    stream = b"".join(line + b"\r\n" for line in lines if line.startswith(b"##"))
    with tempfile.TemporaryDirectory(prefix="envplan-demo-landing-") as folder:
        log = LandingLog(folder, prefix="demo")
        core = ReceiverCore(
            lookup=load_devices().get, policy=UnknownDevicePolicy.QUARANTINE, buffer=log.buffer
        )
        session = core.open("demo", now=0.0)
        assert session is not None  # no connection limit
        fed = session.feed(stream, now=0.0, received_ns=int(clock.now().timestamp() * 1e9))
        session.close()
        log.close()
        services.ingest_landing(folder)
    return fed.landed


def _wave(i: int, period: float, phase: float = 0.0) -> float:
    return math.sin(2 * math.pi * i / period + phase)


def generated_frames(moment: dt.datetime) -> list[bytes]:
    """Hourly uploads (2061) of the two illustrative loggers for the last GENERATED_DAYS days, with a few
    exceedances, hours in maintenance (M) or fault (D), and missing hours."""
    flag = Flag.build(WireEdition.HJ212_2017, reply_requested=True)
    hours = GENERATED_DAYS * 24
    first = moment - dt.timedelta(hours=hours)
    frames = []
    for i in range(hours):
        when = first + dt.timedelta(hours=i)
        if i % 97 == 50:  # a missing hour now and then
            continue
        state = "M" if i % 120 == 7 else "D" if i % 150 == 30 else "N"
        o2 = 8.0 + 0.8 * _wave(i, 24)
        to_measured = (21 - o2) / (21 - 6)  # inverse of HJ 212-2017 Annex D's conversion to 6 % O2
        so2 = 22 + 6 * _wave(i, 24, 1.0) + (24 if hours - 60 <= i < hours - 57 else 0)
        nox = 36 + 7 * _wave(i, 30, 0.5)
        dust = 4.5 + 1.5 * _wave(i, 40)
        gas: dict[str, dict[str, object]] = {"a19001": {"Avg": f"{o2:.2f}", "Flag": state}}
        for code, value in (("a21026", so2), ("a21002", nox), ("a34013", dust)):
            gas[code] = {"Avg": f"{value * to_measured:.2f}", "ZsAvg": f"{value:.2f}", "Flag": state}
        stamp = when.strftime("%Y%m%d%H%M%S")
        qn = when.strftime("%Y%m%d%H%M%S") + "000"
        frames.append(
            build_frame(
                qn=qn, st="31", cn="2061", pw="123456", mn=POWER_MN, flag=flag, cp=data_cp(stamp, gas)
            )
        )
        cod = 30 + 8 * _wave(i, 24, 2.0) + (25 if hours - 100 <= i < hours - 98 else 0)
        water = {
            "w01018": {"Avg": f"{cod:.1f}", "Flag": "N"},
            "w21003": {"Avg": f"{1.8 + 0.6 * _wave(i, 24):.2f}", "Flag": "N"},
            "w01001": {"Avg": f"{7.2 + 0.2 * _wave(i, 12):.2f}", "Flag": "N"},
        }
        frames.append(
            build_frame(
                qn=qn, st="32", cn="2061", pw="123456", mn=WATER_MN, flag=flag, cp=data_cp(stamp, water)
            )
        )
    return frames


def store_generated_hours(moment: dt.datetime) -> int:
    rows, errors = frames_to_rows(generated_frames(moment))
    assert not errors, errors
    return services.store_generated(rows)
