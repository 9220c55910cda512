"""End to end over loopback (127.0.0.1 only, bounded in time): the Django-backed receiver, ingest into the
lake, and `readings export` showing each value once."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from envplan.hj212.codes import QnRtn
from envplan.hj212.frame import decode_message
from envplan.hj212.rows import KEY, frames_to_rows
from envplan.hj212.simulator import device_frames, device_mn
from envplan.sources.command import readings_main
from envplan.sources.models import Device, DeviceCounter, QuarantinedDevice
from envplan.sources.services import ingest_landing
from tests.sources.loopback import exchange, receiver_thread, reply_qns

KINDS = {"rtd": "realtime", "minute": "minute", "hour": "hourly", "day": "daily"}


def export(mn: str, kind: str) -> pl.DataFrame:
    out, err = io.StringIO(), io.StringIO()
    assert (
        readings_main(["export", "--mn", mn, "--kind", kind, "--format", "csv"], stdout=out, stderr=err) == 0
    )
    return pl.read_csv(io.StringIO(out.getvalue()), schema_overrides={"time": pl.Utf8, "flag": pl.Utf8})


def expected_rows(frames: list[bytes], kind: str) -> list[tuple[object, ...]]:
    rows, errors = frames_to_rows(frames)
    assert errors == []
    chosen = rows.filter(pl.col("kind") == kind).unique(list(KEY))
    return sorted(
        (r["mn"], KINDS[kind], r["time"].isoformat(), r["factor"], r["field"], r["value"], r["flag"])
        for r in chosen.to_dicts()
    )


def exported_rows(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return sorted(
        tuple(row) for row in frame.select("mn", "kind", "time", "factor", "field", "value", "flag").rows()
    )


def test_every_frame_answered_and_each_value_stored_once_even_when_sent_twice(device: Device, tmp_path: Path):
    registered = device_frames(1, 24)  # real-time, minute and hourly uploads, Flag=5 (reply requested)
    unknown = device_frames(2, 6)
    frames = [frame for _, frame in registered]

    with receiver_thread(tmp_path / "landing", accept_unknown=True) as running:
        first = exchange(running.port, frames, expect=len(frames))
        again = exchange(running.port, frames[:12], expect=12)  # the logger resends (reply lost)
        strangers = exchange(running.port, [frame for _, frame in unknown], expect=len(unknown))
    result = ingest_landing(tmp_path / "landing")

    assert reply_qns(first) == [qn.decode() for qn, _ in registered]
    assert reply_qns(again) == [qn.decode() for qn, _ in registered[:12]]
    assert reply_qns(strangers) == [qn.decode() for qn, _ in unknown]
    assert result.frames == 24 + 12 + 6
    for kind in ("rtd", "minute", "hour"):
        assert exported_rows(export(device.mn, KINDS[kind])) == expected_rows(frames, kind)
    assert exported_rows(export(device_mn(2), "hourly")) == expected_rows([f for _, f in unknown], "hour")
    quarantined = QuarantinedDevice.objects.get()
    assert (quarantined.mn, quarantined.frames) == (device_mn(2), 6)
    device.refresh_from_db()
    assert (device.last_frame_kind, device.last_seen_at is not None) == ("hourly", True)


def test_ingest_twice_stores_nothing_new(device: Device, tmp_path: Path, lake_folder: Path):
    frames = [frame for _, frame in device_frames(1, 12)]
    with receiver_thread(tmp_path / "landing", accept_unknown=False) as running:
        exchange(running.port, frames, expect=len(frames))

    first = ingest_landing(tmp_path / "landing")
    files_after_first = sorted(lake_folder.rglob("*.parquet"))
    second = ingest_landing(tmp_path / "landing")

    assert (first.frames, second.frames, second.files) == (12, 0, 0)
    assert sorted(lake_folder.rglob("*.parquet")) == files_after_first


def test_unknown_device_refused_with_mn_error_and_counted(device: Device, tmp_path: Path):
    unknown = [frame for _, frame in device_frames(2, 3)]
    good = device_frames(1, 1)[0][1]
    corrupt = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"0001") + b"\r\n"

    with receiver_thread(tmp_path / "landing", accept_unknown=False) as running:
        replies = exchange(running.port, unknown, expect=3)
        silent = exchange(running.port, [corrupt], expect=1, timeout=0.5)
        running.sink.flush(dict(running.receiver.stats.rejected))
    result = ingest_landing(tmp_path / "landing")

    answers = [decode_message(reply)[1] for reply in replies]
    assert [(a.header.cn, a.cp.params.get("QnRtn")) for a in answers] == [
        ("9011", str(int(QnRtn.MN_ERROR)))
    ] * 3
    assert silent == []
    counters = {(c.mn, c.reason): (c.count, c.device_id) for c in DeviceCounter.objects.all()}
    assert counters == {(device_mn(2), "unknown-device"): (3, None), (device.mn, "crc"): (1, device.pk)}
    assert (result.frames, QuarantinedDevice.objects.count()) == (0, 0)
