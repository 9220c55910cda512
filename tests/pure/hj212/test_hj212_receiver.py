"""The receiver: its core with bytes, then end to end over loopback TCP (127.0.0.1 only, bounded)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind, crc_modbus, swap16
from envplan.hj212.frame import decode_message
from envplan.hj212.receiver import (
    Device,
    Receiver,
    ReceiverConfig,
    ReceiverCore,
    UnknownDevicePolicy,
)
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import KEY, deduplicate, frames_to_rows, segments_to_rows
from envplan.hj212.segment import SPLIT_WITHOUT_NUMBERS, parse_segment
from envplan.hj212.simulator import device_frames, device_mn
from envplan.lake.landing import Batch, LandingLog, LandingRecord, RecordBuffer, batch_records, replay
from tests.commandline import standalone_receiver

MN = device_mn(1)


def upload(qn_ms: int, *, mn: str = MN, flag: int = 5, cn: str = "2011", pw: str = "123456") -> bytes:
    qn = f"20240101000000{qn_ms:03d}" if qn_ms < 1000 else f"2024010100{qn_ms:07d}"
    cp = data_cp("20240101000000", {"a21026": {"Rtd": 1.5, "Flag": "N"}})
    return build_frame(qn=qn, st="31", cn=cn, pw=pw, mn=mn, flag=flag, cp=cp)


def landed_frames(directory: Path) -> list[bytes]:
    files = sorted(directory.glob("*.log")) + sorted(directory.glob("*.part"))
    return [record.frame for path in files for record in replay(path)]


# ------------------------------------------------------------------------------------------------ core


def core_for(
    registry: dict[str, Device], policy: UnknownDevicePolicy, config: ReceiverConfig | None = None
) -> ReceiverCore:
    return ReceiverCore(lookup=registry.get, policy=policy, buffer=RecordBuffer(), config=config)


def landed(core: ReceiverCore) -> list[LandingRecord]:
    """The records the core landed since the last call, as a landing file would give them back."""
    return batch_records(core.buffer.take_batch().data)


def test_core_lands_and_answers_a_good_frame():
    core = core_for({MN: Device(MN, password="123456")}, UnknownDevicePolicy.REFUSE)
    frame = upload(1)

    outcome = core.on_frame(frame, peer="p", received_ns=1, devices={})
    reply = decode_message(outcome.reply or b"")[1].header

    assert (outcome.landed, outcome.error, reply.cn, reply.qn) == (True, None, "9014", "20240101000000001")
    assert [(r.frame, r.received_ns, r.peer) for r in landed(core)] == [(frame, 1, "p")]


def test_core_bad_crc_gets_no_reply_and_is_counted_per_device():
    core = core_for({MN: Device(MN)}, UnknownDevicePolicy.REFUSE)
    frame = upload(1)
    corrupt = frame[:-6] + (b"0000" if frame[-6:-2] != b"0000" else b"0001") + b"\r\n"

    outcome = core.on_frame(corrupt, peer="p", received_ns=1, devices={})
    short = core.on_frame(b"##0999" + frame[6:], peer="p", received_ns=1, devices={}, known_mn=MN)

    assert (outcome.reply, outcome.landed, short.reply) == (None, False, None)
    assert dict(core.stats.rejected) == {(MN, "crc"): 1, (MN, "length"): 1}
    assert landed(core) == []


def test_core_crc_variant_accepted_only_for_configured_device():
    other = device_mn(2)
    registry = {MN: Device(MN, crc_variants=frozenset({CrcKind.MODBUS_SWAPPED})), other: Device(other)}
    core = core_for(registry, UnknownDevicePolicy.REFUSE)

    def swapped(mn: str) -> bytes:
        frame = upload(1, mn=mn)
        segment = frame[6:-6]
        return frame[:-6] + b"%04X\r\n" % swap16(crc_modbus(segment))

    accepted = core.on_frame(swapped(MN), peer="p", received_ns=1, devices={})
    refused = core.on_frame(swapped(other), peer="p", received_ns=1, devices={})

    assert (accepted.landed, refused.landed, refused.error) == (True, False, "crc")
    assert [r.meta["crc"] for r in landed(core)] == ["variant:modbus-swapped"]


def test_core_unknown_device_refused_with_mn_error_or_quarantined():
    refusing = core_for({}, UnknownDevicePolicy.REFUSE)
    quarantining = core_for({}, UnknownDevicePolicy.QUARANTINE)

    refused = refusing.on_frame(upload(1), peer="p", received_ns=1, devices={})
    quarantined = quarantining.on_frame(upload(1), peer="p", received_ns=1, devices={})
    refusal = decode_message(refused.reply or b"")[1]

    assert (refused.landed, refusal.header.cn, refusal.cp.params) == (
        False,
        "9011",
        {"QnRtn": str(QnRtn.MN_ERROR)},
    )
    assert (quarantined.landed, quarantining.stats.frames_quarantined) == (True, 1)
    assert [r.meta["status"] for r in landed(quarantining)] == ["quarantine"]


def test_core_lands_split_flag_without_packet_numbers_with_its_warning():
    core = core_for({MN: Device(MN, password="123456")}, UnknownDevicePolicy.REFUSE)

    outcome = core.on_frame(upload(1, flag=7), peer="p", received_ns=1, devices={})
    records = landed(core)

    assert (outcome.landed, outcome.error, decode_message(outcome.reply or b"")[1].header.cn) == (
        True,
        None,
        "9014",
    )
    meta = {
        "mn": MN,
        "cn": "2011",
        "crc": "standard",
        "status": "accepted",
        "variants": "split-unnumbered",
        "warning": SPLIT_WITHOUT_NUMBERS,
    }
    assert [(r.frame, r.meta) for r in records] == [(upload(1, flag=7), meta)]
    assert (core.stats.frames_with_warnings, core.stats.frames_with_variants, dict(core.stats.rejected)) == (
        1,
        1,
        {},
    )


def test_core_wrong_password_refused_with_pw_error():
    core = core_for({MN: Device(MN, password="654321")}, UnknownDevicePolicy.REFUSE)

    outcome = core.on_frame(upload(1), peer="p", received_ns=1, devices={})

    assert (outcome.landed, decode_message(outcome.reply or b"")[1].cp.params) == (False, {"QnRtn": "3"})
    assert dict(core.stats.rejected) == {(MN, "password"): 1}


# --------------------------------------------------------------------------------- sessions, with bytes


def reply_qns(replies: list[bytes]) -> list[str]:
    return [decode_message(reply)[1].header.qn or "" for reply in replies]


def test_session_answers_frames_cut_anywhere_across_reads_with_each_reads_time():
    core = core_for({MN: Device(MN, password="123456")}, UnknownDevicePolicy.REFUSE)
    session = core.open("10.0.0.5:4000", now=0.0)
    assert session is not None
    frames = [upload(i) for i in range(3)]
    stream = b"".join(frames)

    first = session.feed(stream[:100], now=1.0, received_ns=11)
    second = session.feed(stream[100:300], now=2.0, received_ns=22)
    third = session.feed(stream[300:], now=3.0, received_ns=33)
    records = landed(core)

    assert [reply_qns(f.replies) for f in (first, second, third)] == [
        [],
        ["20240101000000000"],
        ["20240101000000001", "20240101000000002"],
    ]
    assert [(f.landed, f.close) for f in (first, second, third)] == [(0, None), (1, None), (2, None)]
    assert [(r.frame, r.received_ns, r.peer) for r in records] == [
        (frames[0], 22, "10.0.0.5:4000"),
        (frames[1], 33, "10.0.0.5:4000"),
        (frames[2], 33, "10.0.0.5:4000"),
    ]


def test_session_past_its_frame_budget_is_told_to_close_for_flood():
    config = ReceiverConfig(frames_per_second=1.0, burst=3.0)
    core = core_for({}, UnknownDevicePolicy.QUARANTINE, config)
    session = core.open("p", now=0.0)
    assert session is not None

    fed = session.feed(b"".join(upload(i) for i in range(5)), now=0.0, received_ns=1)
    later = core.open("q", now=0.0)
    assert later is not None
    refilled = later.feed(b"".join(upload(i) for i in range(3)), now=0.0, received_ns=1)
    again = later.feed(upload(9), now=1.0, received_ns=2)  # one second later: one more frame allowed

    assert (fed.landed, fed.close, reply_qns(fed.replies)) == (
        3,
        "flood",
        ["20240101000000000", "20240101000000001", "20240101000000002"],
    )
    # the frames of that read past the budget are counted, not dropped unseen
    assert (core.stats.rejected[(MN, "flood")], session.rejected) == (2, {"flood": 2})
    assert [(f.landed, f.close) for f in (refilled, again)] == [(3, None), (1, None)]


def test_session_with_too_many_bad_frames_in_a_row_is_told_to_close():
    config = ReceiverConfig(max_consecutive_errors=2)
    core = core_for({}, UnknownDevicePolicy.QUARANTINE, config)
    session = core.open("p", now=0.0)
    assert session is not None
    bad = upload(1)[:-6] + b"0000\r\n" if upload(1)[-6:-2] != b"0000" else upload(1)[:-6] + b"0001\r\n"

    tolerated = session.feed(bad + bad + upload(2) + bad + bad, now=0.0, received_ns=1)
    cut = session.feed(bad, now=0.0, received_ns=1)

    assert (tolerated.landed, tolerated.close, cut.close) == (1, None, "errors")
    # an unregistered MN failing its CRC is not trusted: counted under the connection's last good MN
    assert dict(core.stats.rejected) == {("?", "crc"): 2, (MN, "crc"): 3}


def test_session_sees_a_registry_change_after_its_device_cache_period():
    registry: dict[str, Device] = {}
    core = core_for(registry, UnknownDevicePolicy.REFUSE, ReceiverConfig(device_cache_seconds=60.0))
    session = core.open("p", now=0.0)
    assert session is not None

    before = session.feed(upload(1), now=1.0, received_ns=1)
    registry[MN] = Device(MN, password="123456")
    cached = session.feed(upload(2), now=30.0, received_ns=2)
    refreshed = session.feed(upload(3), now=61.5, received_ns=3)

    assert [decode_message(f.replies[0])[1].header.cn for f in (before, cached, refreshed)] == [
        "9011",
        "9011",
        "9014",
    ]
    assert [r.frame for r in landed(core)] == [upload(3)]


def test_session_idle_past_the_timeout():
    core = core_for({}, UnknownDevicePolicy.QUARANTINE, ReceiverConfig(idle_timeout=10.0))
    session = core.open("p", now=0.0)
    assert session is not None
    session.feed(upload(1), now=5.0, received_ns=1)

    assert (session.idle(15.0), session.idle(15.5)) == (False, True)


def test_core_refuses_sessions_past_the_maximum_and_says_so_once_per_period():
    config = ReceiverConfig(max_connections=2, refusal_log_seconds=60.0)
    core = core_for({}, UnknownDevicePolicy.QUARANTINE, config)
    first, second = core.open("a", now=0.0), core.open("b", now=0.0)

    refused = [core.open("c", now=1.0), core.open("d", now=2.0)]
    notices = core.take_notices()
    assert first is not None
    first.close()
    freed = core.open("e", now=3.0)
    late = core.open("f", now=70.0)
    final = core.take_notices(final=True)

    assert (second is not None, refused, freed is not None, late) == (True, [None, None], True, None)
    assert (core.stats.connections_refused, core.stats.connections_opened, core.stats.connections_open) == (
        3,
        3,
        2,
    )
    assert notices == ["connection limit of 2 reached: 1 new connections refused since the last message"]
    assert final == [
        "connection limit of 2 reached: 2 new connections refused since the last message",
    ]


def test_rows_keyed_and_deduplicated():
    frames = device_frames(3, 24)  # i % 12 == 11 hourly, else i % 4 == 3 minute (Avg, Min, Max), else Rtd
    segments = [decode_message(f)[1] for _, f in frames]
    hourly = sum(1 for i in range(24) if i % 12 == 11)
    minute = sum(1 for i in range(24) if i % 12 != 11 and i % 4 == 3)
    factors = 4

    rows = segments_to_rows(segments + segments[:3])  # frames 0-2 are real-time data, resent
    unique = deduplicate(rows)

    expected = {
        "realtime": (24 - hourly - minute) * factors,
        "minute": minute * factors * 3,
        "hourly": hourly * factors * 3,
    }
    assert rows.height == sum(expected.values()) + 3 * factors
    assert dict(unique.group_by("kind").len().rows()) == expected
    assert unique.select(KEY).is_duplicated().sum() == 0


# -------------------------------------------------------------------------------------------- loopback


async def _serve(tmp_path: Path, config: ReceiverConfig, policy=UnknownDevicePolicy.QUARANTINE):
    landing = LandingLog(tmp_path / "landing")
    receiver = Receiver(lookup=lambda mn: None, policy=policy, landing=landing, config=config)
    _host, port = await receiver.start("127.0.0.1", 0)
    return receiver, landing, port


async def _device(port: int, frames: list[bytes], *, chunk: int) -> set[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    stream = b"".join(frames)
    for i in range(0, len(stream), chunk):
        writer.write(stream[i : i + chunk])
        await writer.drain()
    qns: set[bytes] = set()
    while len(qns) < len(frames):
        line = await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
        qns.add(decode_message(line)[1].header.qn.encode())  # type: ignore[union-attr]  # replies carry QN
    writer.close()
    return qns


def test_loopback_many_devices_every_frame_answered_and_landed_once(tmp_path: Path):
    devices, per_device = 100, 12  # each device: 9 real-time, 2 minute and 1 hourly upload
    prepared = {d: device_frames(d, per_device) for d in range(devices)}

    async def run() -> tuple[list[set[bytes]], Receiver]:
        receiver, landing, port = await _serve(tmp_path, ReceiverConfig())
        answered = await asyncio.wait_for(
            asyncio.gather(
                *(_device(port, [f for _, f in prepared[d]], chunk=97 + d) for d in range(devices))
            ),
            20,
        )
        await receiver.stop()
        landing.close()
        return answered, receiver

    answered, receiver = asyncio.run(run())
    landed = landed_frames(tmp_path / "landing")
    rows, errors = frames_to_rows(landed)

    assert answered == [{qn for qn, _ in prepared[d]} for d in range(devices)]
    assert Counter(landed) == Counter(f for d in range(devices) for _, f in prepared[d])
    assert max(Counter(landed).values()) == 1
    assert errors == []
    assert rows.height == deduplicate(rows).height == devices * (9 * 4 + 2 * 4 * 3 + 1 * 4 * 3)
    assert sorted(set(rows["kind"])) == ["hourly", "minute", "realtime"]
    assert receiver.stats.fsyncs <= receiver.stats.replies_sent


def test_loopback_flooding_device_cut_off_others_unaffected(tmp_path: Path):
    config = ReceiverConfig(frames_per_second=50, burst=100)

    async def flood(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"".join(upload(i, mn=device_mn(8)) for i in range(300)))
        data = await asyncio.wait_for(reader.read(), 5)  # until the receiver closes the connection
        writer.close()
        return data

    async def run() -> tuple[set[bytes], bytes, Receiver]:
        receiver, landing, port = await _serve(tmp_path, config)
        flood_task = asyncio.create_task(flood(port))
        answered = await _device(port, [f for _, f in device_frames(9, 30)], chunk=500)
        flooded = await flood_task
        await receiver.stop()
        landing.close()
        return answered, flooded, receiver

    answered, flooded, receiver = asyncio.run(run())

    assert len(answered) == 30
    assert flooded.count(b"\r\n") <= 100  # at most the burst was answered before the cut
    assert receiver.stats.closed["flood"] == 1
    stats = receiver.stats
    # the flooding device's frames past its budget, in the reads that got it closed, are counted
    assert stats.rejected[(device_mn(8), "flood")] >= 1
    assert stats.frames_received == stats.frames_landed + sum(stats.rejected.values())


def test_loopback_device_not_reading_replies_cut_off_others_unaffected(tmp_path: Path):
    config = ReceiverConfig(frames_per_second=1e6, burst=1e6, send_buffer=4096, write_buffer_limit=8192)

    async def slow(port: int) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        _, writer = await asyncio.open_connection(sock=sock)
        frames = b"".join(upload(i % 1000, mn=device_mn(7)) for i in range(90))
        try:
            for _ in range(40):  # never reads its replies
                writer.write(frames)
                await asyncio.sleep(0.01)
        except ConnectionError:
            pass
        writer.close()

    async def run() -> tuple[set[bytes], Receiver]:
        receiver, landing, port = await _serve(tmp_path, config)
        slow_task = asyncio.create_task(slow(port))
        answered = await _device(port, [f for _, f in device_frames(9, 30)], chunk=500)
        await slow_task
        deadline = time.monotonic() + 5
        while receiver.stats.closed["slow-reader"] == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await receiver.stop()
        landing.close()
        return answered, receiver

    answered, receiver = asyncio.run(run())

    assert len(answered) == 30
    assert receiver.stats.closed["slow-reader"] == 1


def test_loopback_idle_connection_closed(tmp_path: Path):
    async def run() -> tuple[bytes, Receiver]:
        receiver, landing, port = await _serve(tmp_path, ReceiverConfig(idle_timeout=0.2))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        await receiver.stop()
        landing.close()
        return data, receiver

    data, receiver = asyncio.run(run())

    assert (data, receiver.stats.closed["idle"]) == (b"", 1)


def _start_server(landing: Path) -> tuple[subprocess.Popen[str], int]:
    return standalone_receiver(landing, "--frames-per-second", "100000")


def test_loopback_sigkill_loses_no_answered_frame(tmp_path: Path):
    landing = tmp_path / "landing"
    process, port = _start_server(landing)
    answered: set[bytes] = set()
    sent: list[bytes] = []

    async def device(d: int, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)

        async def read_replies() -> None:
            try:
                while True:
                    answered.add(await reader.readuntil(b"\r\n"))
            except (ConnectionError, asyncio.IncompleteReadError):
                pass

        replies = asyncio.create_task(read_replies())
        frames = [f for _, f in device_frames(d, 2000)]
        try:
            for i in range(0, len(frames), 20):  # pipelined: the receiver always has frames in flight
                if stop.is_set():
                    break
                writer.write(b"".join(frames[i : i + 20]))
                sent.extend(frames[i : i + 20])
                await writer.drain()
                await asyncio.sleep(0.002)
        except ConnectionError:
            pass
        await replies
        writer.close()

    async def killer(stop: asyncio.Event) -> None:
        while len(answered) < 400:
            await asyncio.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        stop.set()

    async def run() -> None:
        stop = asyncio.Event()
        await asyncio.wait_for(asyncio.gather(killer(stop), *(device(d, stop) for d in range(10))), 20)

    asyncio.run(run())
    process.wait(5)
    restarted, _ = _start_server(landing)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(5)

    landed_keys = {(h.mn, h.qn) for h in (parse_segment(f[6:-6]).header for f in landed_frames(landing))}
    answered_keys = {(h.mn, h.qn) for h in (decode_message(line)[1].header for line in answered)}

    assert process.returncode == -signal.SIGKILL
    assert len(answered_keys) >= 400
    # Killed mid-stream: the devices had not sent all they had (whether a few frames were in flight at
    # that instant depends on the scheduler, so it is not asserted).
    assert len(sent) < 10 * 2000
    assert answered_keys - landed_keys == set()


class FailingDisk(LandingLog):
    """A landing log whose disk fails: nothing becomes durable."""

    def write_batch(self, batch: Batch) -> int:
        raise OSError(28, "No space left on device")


def test_loopback_no_reply_when_landing_is_not_durable(tmp_path: Path):
    async def run() -> tuple[bytes, Receiver]:
        landing = FailingDisk(tmp_path / "landing")
        receiver = Receiver(lookup=lambda mn: None, policy=UnknownDevicePolicy.QUARANTINE, landing=landing)
        _host, port = await receiver.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"".join(upload(i) for i in range(5)))
        try:
            data = await asyncio.wait_for(reader.read(1), 0.5)
        except TimeoutError:
            data = b""
        writer.close()
        await receiver.stop()
        return data, receiver

    data, receiver = asyncio.run(run())

    assert data == b""
    assert (receiver.stats.replies_sent, receiver.stats.replies_dropped) == (0, 5)
    assert receiver.stats.landing_errors >= 1


def test_loopback_registry_change_reaches_a_live_connection(tmp_path: Path):
    registry: dict[str, Device] = {}

    async def run() -> list[bytes]:
        landing = LandingLog(tmp_path / "landing")
        config = ReceiverConfig(device_cache_seconds=0.0)
        receiver = Receiver(
            lookup=registry.get, policy=UnknownDevicePolicy.REFUSE, landing=landing, config=config
        )
        _host, port = await receiver.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        replies = []
        for i in range(2):
            writer.write(upload(i))
            replies.append(await asyncio.wait_for(reader.readuntil(b"\r\n"), 5))
            registry[MN] = Device(MN, password="123456")
            await asyncio.sleep(0.01)
        writer.close()
        await receiver.stop()
        landing.close()
        return replies

    replies = asyncio.run(run())

    assert [decode_message(r)[1].header.cn for r in replies] == ["9011", "9014"]
    assert len(landed_frames(tmp_path / "landing")) == 1


def test_loopback_connections_past_the_maximum_are_refused_cleanly_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    config = ReceiverConfig(max_connections=3, refusal_log_seconds=3600)

    async def answer(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], qn: int) -> str:
        reader, writer = connection
        writer.write(upload(qn))
        reply = await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
        return decode_message(reply)[1].header.qn or ""

    async def refused() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = await asyncio.wait_for(reader.read(), 5)  # until the receiver closes it
        writer.close()
        return data

    async def run() -> tuple[list[str], list[bytes], list[str], str, Receiver]:
        nonlocal port
        receiver, landing, port = await _serve(tmp_path, config)
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        first = [await answer(connection, i) for i, connection in enumerate(held)]
        turned_away = [await refused(), await refused()]
        again = [await answer(connection, 10 + i) for i, connection in enumerate(held)]
        held[0][1].close()
        await held[0][1].wait_closed()
        for _ in range(500):  # until the receiver has seen the close (bounded)
            if receiver.stats.connections_open == 2:
                break
            await asyncio.sleep(0.01)
        newcomer = await asyncio.open_connection("127.0.0.1", port)
        freed_slot = await answer(newcomer, 20)
        for _, writer in [*held[1:], newcomer]:
            writer.close()
        await receiver.stop()
        landing.close()
        return first, turned_away, again, freed_slot, receiver

    port = 0
    with caplog.at_level(logging.WARNING, logger="envplan.hj212.receiver"):
        first, turned_away, again, freed_slot, receiver = asyncio.run(run())
    messages = [r.getMessage() for r in caplog.records if r.name == "envplan.hj212.receiver"]

    assert first == [f"2024010100000000{i}" for i in range(3)]
    assert turned_away == [b"", b""]
    assert again == [f"202401010000000{10 + i}" for i in range(3)]
    assert freed_slot == "20240101000000020"
    assert (receiver.stats.connections_refused, receiver.stats.connections_opened) == (2, 4)
    # one line at the first refusal, the second refusal within the period only counted, summed at stop
    assert messages == [
        "connection limit of 3 reached: 1 new connections refused since the last message",
        "connection limit of 3 reached: 1 new connections refused since the last message",
    ]


def test_loopback_landing_file_closed_after_the_period_without_another_frame(tmp_path: Path):
    clock = [0.0]  # the landing log's clock, moved by hand: no waiting for a real minute
    folder = tmp_path / "landing"

    async def run() -> tuple[str, list[str], list[str], Receiver]:
        landing = LandingLog(folder, prefix="t", rotate_seconds=60, clock=lambda: clock[0])
        receiver = Receiver(
            lookup=lambda mn: None,
            policy=UnknownDevicePolicy.QUARANTINE,
            landing=landing,
            config=ReceiverConfig(rotation_check_seconds=0.01),
        )
        _host, port = await receiver.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(upload(1))
        reply = decode_message(await asyncio.wait_for(reader.readuntil(b"\r\n"), 5))[1].header.qn or ""
        clock[0] = 59.9
        await asyncio.sleep(0.05)  # timer ticks before the period: the file stays open
        before = sorted(p.name for p in folder.iterdir())
        clock[0] = 60.0
        for _ in range(500):  # until the timer has closed the file and opened the next one (bounded)
            if any(folder.glob("*.log")) and any(folder.glob("*.part")):
                break
            await asyncio.sleep(0.01)
        after = sorted(p.name for p in folder.iterdir())
        writer.close()
        await receiver.stop()
        landing.close()
        return reply, before, after, receiver

    reply, before, after, receiver = asyncio.run(run())

    assert reply == "20240101000000001"
    assert before == ["t-000000000001.part"]
    assert after == ["t-000000000001.log", "t-000000000002.part"]
    assert [r.frame for r in replay(folder / "t-000000000001.log")] == [upload(1)]
    assert receiver.stats.replies_sent == 1


def test_loopback_refusals_are_logged_once_per_device_and_reason_and_counted_per_connection(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    strict = {MN: Device(MN, password="123456", strict=True)}
    counting_header = [b"##%04d%b" % (len(upload(i)) - 12 + 6, upload(i)[6:]) for i in range(5)]

    async def run() -> tuple[Receiver, list[dict[str, int]]]:
        landing = LandingLog(tmp_path / "landing")
        receiver = Receiver(lookup=strict.get, policy=UnknownDevicePolicy.REFUSE, landing=landing)
        _host, port = await receiver.start("127.0.0.1", 0)
        writers = []
        for stream in (b"".join(counting_header) + upload(9), b"hello\r\n" * 3 + upload(10)):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(stream)
            await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)  # the reply to the good frame that ends it
            writers.append(writer)
        per_connection = [dict(c.session.rejected) for c in receiver.connections if c.session is not None]
        for writer in writers:
            writer.close()
        await receiver.stop()
        landing.close()
        return receiver, per_connection

    with caplog.at_level(logging.WARNING, logger="envplan.hj212.receiver"):
        receiver, per_connection = asyncio.run(run())
    lines = [r.getMessage() for r in caplog.records if r.name == "envplan.hj212.receiver"]

    assert receiver.stats.rejected == {(MN, "length+6"): 5, ("?", "garbage"): 3}
    assert sorted(per_connection, key=str) == [{"garbage": 3}, {"length+6": 5}]
    assert [line.split(": ")[1] for line in lines] == ["length+6", "garbage"]
    assert receiver.stats.frames_landed == 2
