"""Real devices as they are, over loopback TCP (127.0.0.1 only, bounded in time): frames with known
deviations are stored and marked, or refused and visible when the device is strict; nothing is dropped
without being counted."""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import socket
import subprocess
from pathlib import Path

import polars as pl
from django.test import Client
from django.urls import reverse

from envplan.hj212.frame import decode_message
from envplan.sources.models import (
    Device,
    DeviceCounter,
    Outlet,
    QuarantinedDevice,
    RejectedSample,
    VariantCount,
)
from envplan.sources.services import ingest_landing
from tests.commandline import in_child, in_data_dir, in_group
from tests.pure.hj212.deviations import DEVIATIONS, MN, PASSWORD, framed, good, segment
from tests.sources.conftest import login
from tests.sources.loopback import (
    REPO,
    ask,
    exchange,
    migrated_data_dir,
    receiver_thread,
    reply_qns,
    start_serve,
    wait_until,
)
from tests.sources.test_receiver_e2e import export

hj212_main = in_group("hj212")

TIMEOUT = 20.0
NO_REPLY = {"no-flag"}  # no Flag, so no reply can be asked for


def send(port: int, frames: list[bytes], *, replies: list[bool]) -> list[bytes | None]:
    """One connection sending the frames one by one, reading the reply of those that expect one."""
    answers: list[bytes | None] = []
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        for frame, expected in zip(frames, replies, strict=True):
            if expected:
                answers.append(ask(sock, frame))
            else:
                sock.sendall(frame)
                answers.append(None)
    return answers


def header_counting_client(port: int, numbers: range, *, wait_for_replies: bool = True) -> list[bytes | None]:
    """A logger whose length field counts the ## and the four digits too (tang0-0/HJ212-Pack's Python test
    client does so; reference A.14), its CRC right over the data segment."""
    frames = [framed(segment(n), extra_length=6) for n in numbers]
    return send(port, frames, replies=[wait_for_replies] * len(frames))


def envplan(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_child(*args, env=in_data_dir(data_dir), cwd=REPO)


def test_a_client_counting_the_header_in_its_length_is_stored_marked_then_refused_and_listed_when_strict(
    db: None, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
):
    data = migrated_data_dir(tmp_path / "data")
    landing = tmp_path / "landing"
    process, port = start_serve(data, landing)  # with --accept-unknown-devices
    processes.append(process)
    answered = header_counting_client(port, range(10))
    process.send_signal(signal.SIGTERM)
    assert process.wait(TIMEOUT) == 0
    ingested = envplan(data, "sources", "ingest", "--landing", str(landing))
    exported = envplan(
        data, "readings", "export", "--mn", MN, "--kind", "realtime", "--landing", str(landing)
    )
    register = (
        "from envplan.sources import services\n"
        "from envplan.sources.models import Device, Enterprise, Outlet\n"
        "enterprise = services.save_enterprise(Enterprise(name='A plant with an MCU logger'), by=None)\n"
        "outlet = services.save_outlet(Outlet(enterprise=enterprise, code='DA001', name='Stack'), by=None)\n"
        f"device = Device(outlet=outlet, mn='{MN}', password='{PASSWORD}', strict=True)\n"
        "services.save_device(device, by=None)\n"
    )
    registered = envplan(data, "shell", "-c", register)
    process, port = start_serve(data, landing)
    processes.append(process)
    silence = header_counting_client(port, range(10, 20), wait_for_replies=False)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as probe:  # still serving: answered
        probe.sendall(good(30))
        assert decode_message(probe.recv(4096))[1].header.cn == "9014"
    process.send_signal(signal.SIGTERM)  # the counters and samples are stored on the way out
    assert process.wait(TIMEOUT) == 0
    listed = envplan(data, "hj212", "rejected", "--format", "json")
    text = envplan(data, "hj212", "rejected")
    envplan(data, "sources", "ingest", "--landing", str(landing))
    after = envplan(data, "readings", "export", "--mn", MN, "--kind", "realtime", "--lake-only")

    assert [decode_message(a or b"")[1].header.cn for a in answered] == ["9014"] * 10
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.splitlines()[-1] == (
        "frames stored with known deviations (frames per deviation): length+6: 10"
    )
    rows = pl.read_csv(io.StringIO(exported.stdout), schema_overrides={"time": pl.Utf8})
    assert rows.height == 10
    assert rows["value"].to_list() == [n + 0.5 for n in range(10)]
    assert rows["variants"].to_list() == ["length+6"] * 10
    assert registered.returncode == 0, registered.stderr
    assert silence == [None] * 10
    assert listed.returncode == 1
    refusals = json.loads(listed.stdout)["rejected"]
    assert [(r["mn"], r["reason"], r["frames"], r["registered"]) for r in refusals] == [
        (MN, "length+6", 10, True)
    ]
    assert [s["frame"] for s in refusals[0]["samples"]] == [
        framed(segment(n), extra_length=6).decode().replace("\r\n", "\\r\\n") for n in range(10, 13)
    ]
    assert refusals[0]["samples"][0]["message"].startswith("the length field counts 6 characters more")
    assert text.stdout.splitlines()[0].startswith(f"{MN}  length+6  10 frames  ")
    # nothing of the refused frames was stored: the ten values of before, and the good frame
    stored = pl.read_csv(io.StringIO(after.stdout), schema_overrides={"time": pl.Utf8})
    assert stored["value"].to_list() == [n + 0.5 for n in range(10)] + [30.5]


def test_each_deviation_is_stored_and_marked_and_the_strict_setting_refuses_each_visibly(
    outlet: Outlet, tmp_path: Path, client: Client, users: dict[str, object]
):
    device = Device.objects.create(outlet=outlet, mn=MN, password=PASSWORD, crc_variants=["modbus-swapped"])
    names = list(DEVIATIONS)
    landing = tmp_path / "landing"

    frames = [DEVIATIONS[name](i) for i, name in enumerate(names)]
    with receiver_thread(landing, accept_unknown=True) as running:
        answers = send(running.port, frames, replies=[name not in NO_REPLY for name in names])
    result = ingest_landing(landing)
    tolerant_stats = running.receiver.stats
    device.strict = True
    device.save()
    strict_frames = [DEVIATIONS[name](100 + i) for i, name in enumerate(names)]
    with receiver_thread(landing, accept_unknown=True) as running:
        # all at once, then a standard frame: the replies that come before its own are the only ones sent
        strict_replies = exchange(running.port, [*strict_frames, good(200)], expect=2)
        garbage = send(running.port, [b"+CSQ: 23,99\r\n"], replies=[False])
        wait_until(lambda: sum(running.receiver.stats.rejected.values()) == len(names) - 1 + 1)
        running.store_counters()
    ingest_landing(landing)
    values = export(MN, "realtime", "--lake-only")
    login(client, "reader")
    page = client.get(reverse("sources:devices"))

    # tolerant: every frame answered that asked to be, every one landed and ingested with its name
    assert [a is not None and decode_message(a)[1].header.qn is not None for a in answers] == [
        name not in NO_REPLY | {"no-qn"} for name in names
    ]
    assert (tolerant_stats.frames_landed, sum(tolerant_stats.rejected.values())) == (len(names), 0)
    assert result.variants == {name: 1 for name in names}
    by_value = {row["value"]: row["variants"] for row in values.to_dicts()}
    expected = {i + 0.5: name for i, name in enumerate(names) if name not in ("mn-length", "vendor-cn")}
    assert by_value == {**expected, 200.5: None}  # the refused frames (values 100.5 to 112.5) are not there
    other = export("88888880000001", "realtime", "--lake-only")  # quarantined, tolerated in both rounds
    position = names.index("mn-length")
    assert other.select("value", "variants").rows() == [
        (position + 0.5, "mn-length"),
        (position + 100.5, "mn-length"),
    ]
    assert dict(VariantCount.objects.filter(mn=MN).values_list("variant", "frames")) == {
        name: 1 for name in names if name != "mn-length"
    }
    # strict: the same deviations refused with their names, counted and sampled; the frame of another
    # (unknown, not strict) MN is still quarantined
    assert reply_qns(strict_replies) == [
        decode_message(strict_frames[names.index("mn-length")])[1].header.qn,
        decode_message(good(200))[1].header.qn,
    ]
    assert garbage == [None]
    counters = dict(DeviceCounter.objects.filter(mn=MN).values_list("reason", "count"))
    assert counters == {name: 1 for name in names if name != "mn-length"}
    assert set(DeviceCounter.objects.filter(mn=MN).values_list("device_id", flat=True)) == {device.pk}
    assert RejectedSample.objects.filter(mn=MN).count() == len(names) - 1
    assert RejectedSample.objects.get(mn="?").frame == "+CSQ: 23,99\\r\\n"
    assert QuarantinedDevice.objects.get().mn == "88888880000001"
    html = page.content.decode()
    assert page.status_code == 200
    for name in names:
        if name != "mn-length":
            assert f"{name}: 1</span>" in html  # refused (strict) and stored (before), on the device's row
    assert 'data-testid="strict"' in html
    assert "+CSQ: 23,99\\r\\n" in html  # the unknown sender's sample frame
    assert "mn-length: 2</span>" in html  # the quarantined MN's deviation, in both rounds


def test_hj212_rejected_filters_by_hour_and_says_when_nothing_was_refused(db: None):
    from envplan.sources.services import add_counters

    add_counters({("?", "garbage"): 2}, at=dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC))
    add_counters({("?", "garbage"): 5}, at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC))

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        code = hj212_main(["rejected", *args], stdout=out, stderr=io.StringIO())
        return code, out.getvalue()

    everything = run("--format", "json")
    short = run("--json")
    since = run("--since", "2026-03-02T18:00+08:00", "--format", "json")  # 10:00 UTC: that hour counts
    none = run("--since", "2026-03-03")
    bad = run("--since", "yesterday")

    assert [(r["reason"], r["frames"]) for r in json.loads(everything[1])["rejected"]] == [("garbage", 7)]
    assert short == everything
    assert [(r["frames"], r["first_hour"]) for r in json.loads(since[1])["rejected"]] == [
        (5, "2026-03-02T18:00:00+08:00")
    ]
    assert (everything[0], since[0], none) == (1, 1, (0, "no refused frames since 2026-03-03 00:00\n"))
    assert bad[0] == 2
