"""The sources demo: ILLUSTRATIVE enterprises, outlets and data loggers (made-up names, marked as such),
the real frames of envplan/sources/demo/frames.txt received through the receiver's core and ingested, and
two weeks of GENERATED hourly data (marked generated) so that the pages have something to show.

`load_doctored_demo()` adds a third illustrative enterprise whose generated data was DOCTORED the way
falsifiers do it (values pushed just under the limit for the last three weeks, and the NOx analyser's
output held for 30 hours), so that the screening has something to find. Its frames are also kept in the
landing folder's `moved/` (as a receiver and the ingest would have left them), so that a case shows them
as the logger sent them.

`load_sources_demo()` and `load_doctored_demo()` are called by the demo loader; running them again
changes nothing."""

from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from envplan.core import clock
from envplan.hj212.codes import Edition as WireEdition
from envplan.hj212.receiver import ReceiverCore, UnknownDevicePolicy
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import frames_to_rows
from envplan.hj212.segment import Flag
from envplan.lake.landing import LandingLog, mark_moved
from envplan.plans.models import Plan
from envplan.sources import services
from envplan.sources.models import Device, Enterprise, FactorLimit, Outlet
from envplan.sources.receiver import load_devices

DEMO_FOLDER = Path(__file__).resolve().parent / "demo"
GENERATED_DAYS = 14
POWER_MN = "150203A89000000000000101"  # illustrative MNs (24 characters, HJ 212-2017 §6.3.2)
WATER_MN = "150203A89000000000000201"
# Standard deviations of the generated hours' noise (units of each value).
GENERATED_NOISE = {"o2": 0.2, "so2": 1.5, "nox": 2.0, "dust": 0.4, "cod": 2.0, "nh3": 0.12, "ph": 0.04}

ENTERPRISES: tuple[dict[str, str], ...] = (
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


def _limits() -> list[Limit]:
    """(outlet code, factor, field, limit, unit of measure, standard, reference O2)."""
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


Limit = tuple[str, str, str, Decimal, str, str, Decimal | None]


def _save_outlet(
    enterprise: Enterprise, code: str, name: str, kind: str, *, at: tuple[str, str] | None = None
) -> Outlet:
    """An outlet of the demo, `at` its latitude and longitude when it has them."""
    latitude, longitude = (Decimal(at[0]), Decimal(at[1])) if at else (None, None)
    outlet = Outlet(
        enterprise=enterprise, code=code, name=name, kind=kind, latitude=latitude, longitude=longitude
    )
    return services.save_outlet(outlet, by=None)


def _save_limits(outlets: dict[str, Outlet], limits: list[Limit]) -> None:
    """The `limits` (see `_limits()`) of the outlets, by outlet code."""
    for code, factor, field, limit, unit_of_measure, standard, o2 in limits:
        services.save_limit(
            FactorLimit(
                outlet=outlets[code],
                factor=factor,
                field=field,
                limit=limit,
                unit_of_measure=unit_of_measure,
                standard=standard,
                reference_o2=o2,
            ),
            by=None,
        )


def _store_frames(frames: list[bytes]) -> int:
    """The values of generated frames, stored (marked generated)."""
    rows, errors = frames_to_rows(frames)
    assert not errors, errors
    return services.store_generated(rows)


def load_sources_demo(*, plan: Plan | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    if Enterprise.objects.filter(name=ENTERPRISES[0]["name"]).exists():
        return {"enterprises": 0}
    moment = (now or clock.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        power, water = (
            services.save_enterprise(Enterprise(illustrative=True, **fields), by=None)
            for fields in ENTERPRISES
        )
        stack = _save_outlet(power, "DA001", "Boiler 1 stack", "gas", at=("40.6560", "109.8120"))
        second = _save_outlet(power, "DA002", "Boiler 2 stack", "gas")
        discharge = _save_outlet(water, "DW001", "Treated effluent", "water", at=("40.6200", "109.8000"))
        _save_limits({"DA001": stack, "DA002": second, "DW001": discharge}, _limits())
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


class _Drift:
    """Autocorrelated noise (an AR(1) process, seeded): what makes generated hours look measured rather
    than drawn by a formula. A pure sine repeats itself exactly every period, which is what a replayed
    segment looks like to the screening."""

    def __init__(self, seed: int, sigma: float, memory: float = 0.7) -> None:
        self.random = random.Random(seed)
        self.sigma = sigma
        self.memory = memory
        self.value = 0.0

    def __call__(self) -> float:
        self.value = self.memory * self.value + self.random.gauss(0.0, self.sigma)
        return self.value


def _hourly_frame(mn: str, st: str, when: dt.datetime, values: Mapping[str, Mapping[str, object]]) -> bytes:
    """An hourly upload (2061, HJ 212-2017, reply requested) of `values` for the hour `when`."""
    stamp = when.strftime("%Y%m%d%H%M%S")
    flag = Flag.build(WireEdition.HJ212_2017, reply_requested=True)
    return build_frame(
        qn=stamp + "000", st=st, cn="2061", pw="123456", mn=mn, flag=flag, cp=data_cp(stamp, values)
    )


def _flue_gas(values: dict[str, float], *, to_measured: float, flag: str) -> dict[str, dict[str, object]]:
    """Flue-gas factors: the measured value (Avg) and the value converted to 6 % O2 (ZsAvg)."""
    return {
        code: {"Avg": f"{value * to_measured:.2f}", "ZsAvg": f"{value:.2f}", "Flag": flag}
        for code, value in values.items()
    }


def generated_frames(moment: dt.datetime) -> list[bytes]:
    """Hourly uploads (2061) of the two illustrative loggers for the last GENERATED_DAYS days, with a few
    exceedances, hours in maintenance (M, in working hours) or fault (D), and missing hours."""
    hours = GENERATED_DAYS * 24
    first = moment - dt.timedelta(hours=hours)
    noise = {name: _Drift(seed, sigma) for seed, (name, sigma) in enumerate(GENERATED_NOISE.items())}
    frames = []
    for i in range(hours):
        when = first + dt.timedelta(hours=i)
        if i % 97 == 50:  # a missing hour now and then
            continue
        state = "M" if i % 120 == 2 else "D" if i % 150 == 30 else "N"
        o2 = 8.0 + 0.8 * _wave(i, 24) + noise["o2"]()
        to_measured = (21 - o2) / (21 - 6)  # inverse of HJ 212-2017 Annex D's conversion to 6 % O2
        so2 = 22 + 6 * _wave(i, 24, 1.0) + noise["so2"]() + (24 if hours - 60 <= i < hours - 57 else 0)
        nox = 36 + 7 * _wave(i, 30, 0.5) + noise["nox"]()
        dust = 4.5 + 1.5 * _wave(i, 40) + noise["dust"]()
        gas: dict[str, dict[str, object]] = {"a19001": {"Avg": f"{o2:.2f}", "Flag": state}}
        gas.update(
            _flue_gas({"a21026": so2, "a21002": nox, "a34013": dust}, to_measured=to_measured, flag=state)
        )
        frames.append(_hourly_frame(POWER_MN, "31", when, gas))
        cod = 30 + 8 * _wave(i, 24, 2.0) + noise["cod"]() + (25 if hours - 100 <= i < hours - 98 else 0)
        water = {
            "w01018": {"Avg": f"{cod:.1f}", "Flag": "N"},
            "w21003": {"Avg": f"{1.8 + 0.6 * _wave(i, 24) + noise['nh3']():.2f}", "Flag": "N"},
            "w01001": {"Avg": f"{7.2 + 0.2 * _wave(i, 12) + noise['ph']():.2f}", "Flag": "N"},
        }
        frames.append(_hourly_frame(WATER_MN, "32", when, water))
    return frames


def store_generated_hours(moment: dt.datetime) -> int:
    return _store_frames(generated_frames(moment))


# --- the doctored enterprise ---------------------------------------------------------------------------

DOCTORED_MN = "150203A89000000000000901"
DOCTORED_DAYS = 60
HUGGING_DAYS = 20  # the last days, values pushed just under the NOx limit
HELD_HOURS = 30  # the NOx analyser's output held at one value
HELD_VALUE = "35.20"
HELD_START_HOURS_AGO = 9 * 24 + 4  # the held run starts this many hours before the demo's moment
DOCTORED_ENTERPRISE: dict[str, str] = {
    "name": "Kundulun Heating Co. (illustrative)",
    "name_zh": "昆都仑供热有限公司（示例）",
    "credit_code": "91150203MA0000002W",
    "district": "Kundulun",
    "industry": "heat supply",
    "address": "illustrative address, Kundulun District, Baotou",
}
NOX_LIMIT = 50.0  # 环发〔2015〕164号 ultra-low emission NOx at 6 % O2, as _limits()
SQUEEZE_FROM = 45.0  # doctored values above this are lowered to just under the limit


def _squeezed(value: float) -> float:
    """A value above SQUEEZE_FROM lowered into [SQUEEZE_FROM, limit): the limit-hugging recipe, in which
    an analyser's output is scaled down only when it approaches the limit."""
    if value < SQUEEZE_FROM:
        return value
    room = NOX_LIMIT - 0.4 - SQUEEZE_FROM
    return SQUEEZE_FROM + room * (1.0 - math.exp(-(value - SQUEEZE_FROM) / 4.0))


def doctored_frames(moment: dt.datetime) -> list[bytes]:
    """Hourly uploads (2061) of the doctored logger for the last DOCTORED_DAYS days: a boiler whose NOx
    (converted to 6 % O2) often exceeds its limit of 50, until, for the last HUGGING_DAYS days, every value
    that would come near the limit is reported just under it; HELD_HOURS of those hours the NOx analyser's
    measured value is held at HELD_VALUE. O2, flue-gas flow and temperature, SO2 and particulate are
    honest throughout."""
    hours = DOCTORED_DAYS * 24
    first = moment - dt.timedelta(hours=hours)
    hugging_from = hours - HUGGING_DAYS * 24
    held_from = hours - HELD_START_HOURS_AGO
    noise = {
        name: _Drift(100 + seed, sigma)
        for seed, (name, sigma) in enumerate({"o2": 0.15, "temperature": 1.5, "flow": 3000.0}.items())
    }
    nox_noise = _Drift(200, 2.6, memory=0.6)
    so2_noise, dust_noise = _Drift(201, 1.2), _Drift(202, 0.3)
    frames = []
    for i in range(hours):
        when = first + dt.timedelta(hours=i)
        o2 = 7.6 + 0.6 * _wave(i, 24, 0.3) + noise["o2"]()
        to_measured = (21 - o2) / (21 - 6)  # inverse of HJ 212-2017 Annex D's conversion to 6 % O2
        nox = 44.5 + 5 * _wave(i, 24, 2.2) + nox_noise()
        if i >= hugging_from:
            nox = _squeezed(nox)
        nox_measured = f"{nox * to_measured:.2f}"
        if held_from <= i < held_from + HELD_HOURS:
            nox_measured = HELD_VALUE
            nox = float(HELD_VALUE) / to_measured
        so2 = 18 + 4 * _wave(i, 24, 0.9) + so2_noise()
        dust = 3.8 + 0.8 * _wave(i, 36) + dust_noise()
        gas: dict[str, dict[str, object]] = {
            "a19001": {"Avg": f"{o2:.2f}", "Flag": "N"},
            "a01012": {"Avg": f"{128 + 6 * _wave(i, 24, 1.1) + noise['temperature']():.1f}", "Flag": "N"},
            "a00000": {"Avg": f"{182000 + 15000 * _wave(i, 24, 0.8) + noise['flow']():.0f}", "Flag": "N"},
            "a21002": {"Avg": nox_measured, "ZsAvg": f"{nox:.2f}", "Flag": "N"},
        }
        gas.update(_flue_gas({"a21026": so2, "a34013": dust}, to_measured=to_measured, flag="N"))
        frames.append(_hourly_frame(DOCTORED_MN, "31", when, gas))
    return frames


def load_doctored_demo(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The doctored enterprise, its outlet, limits and logger, and its DOCTORED_DAYS of generated hours
    (marked generated; the frames also kept in the landing folder's moved/). Running it again changes
    nothing."""
    if Enterprise.objects.filter(name=DOCTORED_ENTERPRISE["name"]).exists():
        return {"enterprises": 0}
    moment = (now or clock.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        enterprise = services.save_enterprise(Enterprise(illustrative=True, **DOCTORED_ENTERPRISE), by=None)
        stack = _save_outlet(enterprise, "DA001", "Boiler house stack", "gas", at=("40.6410", "109.8330"))
        _save_limits({"DA001": stack}, _limits()[:3])  # the flue-gas limits
        services.save_device(Device(outlet=stack, mn=DOCTORED_MN, password="123456"), by=None)
    frames = doctored_frames(moment)
    keep_as_received(frames, received=moment)
    stored = _store_frames(frames)
    Device.objects.filter(mn=DOCTORED_MN).update(
        last_seen_at=moment + dt.timedelta(minutes=3), last_frame_kind="hourly"
    )
    events = services.detect_exceedances(
        start=moment - dt.timedelta(days=DOCTORED_DAYS + 1), end=moment, outlets=[stack.pk]
    )
    return {"enterprises": 1, "generated_values": stored, "exceedances": len(events)}


def keep_as_received(frames: list[bytes], *, received: dt.datetime) -> Path | None:
    """Land the frames in the landing folder and move the file to moved/ at once (their values are
    stored by the caller, marked generated): what a receiver and the ingest leave behind, each frame
    received two minutes after its hour."""
    log = LandingLog(services.landing_dir(), prefix="demo_doctored")
    hours = len(frames)
    for index, frame in enumerate(frames):
        at = received - dt.timedelta(hours=hours - index) + dt.timedelta(minutes=2)
        log.append(
            frame,
            received_ns=int(at.timestamp() * 1e9),
            peer="demo",
            meta={"mn": DOCTORED_MN, "cn": "2061", "crc": "standard", "status": "accepted"},
        )
    closed = log.close()
    return None if closed is None else mark_moved(closed)
