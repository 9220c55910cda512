"""End to end over loopback (127.0.0.1 only, bounded in time): the Django-backed receiver, ingest into the
lake, and `readings export` showing each value once."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from envplan.hj212.codes import QnRtn
from envplan.hj212.frame import decode_message
from envplan.hj212.receiver import ReceiverConfig
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.rows import KEY, frames_to_rows
from envplan.hj212.segment import SPLIT_WITHOUT_NUMBERS
from envplan.hj212.simulator import device_frames, device_mn
from envplan.sources.models import Device, DeviceCounter, QuarantinedDevice, SourcesRun
from envplan.sources.services import ingest_landing
from tests.commandline import in_group
from tests.sources.loopback import exchange, receiver_thread, reply_qns, wait_until

main = in_group("sources")
readings_main = in_group("readings")


def export(mn: str, kind: str, *options: str) -> pl.DataFrame:
    out, err = io.StringIO(), io.StringIO()
    argv = ["export", "--mn", mn, "--kind", kind, "--format", "csv", *options]
    assert readings_main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    overrides = {"time": pl.Utf8, "flag": pl.Utf8, "variants": pl.Utf8}
    return pl.read_csv(io.StringIO(out.getvalue()), schema_overrides=overrides)


def expected_rows(frames: list[bytes], kind: str) -> list[tuple[object, ...]]:
    rows, errors = frames_to_rows(frames)
    assert errors == []
    chosen = rows.filter(pl.col("kind") == kind).unique(list(KEY))
    return sorted(
        (r["mn"], kind, r["time"].isoformat(), r["factor"], r["field"], r["value"], r["flag"])
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
    for kind in ("realtime", "minute", "hourly"):
        assert exported_rows(export(device.mn, kind)) == expected_rows(frames, kind)
    assert exported_rows(export(device_mn(2), "hourly")) == expected_rows([f for _, f in unknown], "hourly")
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
        running.store_counters()
    result = ingest_landing(tmp_path / "landing")

    answers = [decode_message(reply)[1] for reply in replies]
    assert [(a.header.cn, a.cp.params.get("QnRtn")) for a in answers] == [
        ("9011", str(int(QnRtn.MN_ERROR)))
    ] * 3
    assert silent == []
    counters = {(c.mn, c.reason): (c.count, c.device_id) for c in DeviceCounter.objects.all()}
    assert counters == {(device_mn(2), "unknown-device"): (3, None), (device.mn, "crc"): (1, device.pk)}
    assert (result.frames, QuarantinedDevice.objects.count()) == (0, 0)


def test_answered_frames_reach_ingest_after_the_rotation_period_without_another_frame(
    device: Device, tmp_path: Path
):
    landing = tmp_path / "landing"
    frames = [frame for _, frame in device_frames(1, 3)]
    clock = [0.0]  # the landing log's clock, moved by hand: no waiting for a real minute
    config = ReceiverConfig(rotation_check_seconds=0.01)

    with receiver_thread(
        landing, accept_unknown=False, config=config, rotate=60, clock=lambda: clock[0]
    ) as running:
        replies = exchange(running.port, frames, expect=3)
        clock[0] = 59.0
        before = ingest_landing(landing)  # the frames are in the open .part file: not yet readable
        clock[0] = 60.0  # no other frame comes: the receiver's timer closes the file
        closed = wait_until(lambda: any(landing.glob("*.log")))
        after = ingest_landing(landing)

    assert len(replies) == 3
    assert (before.files, before.frames) == (0, 0)
    assert closed
    assert (after.files, after.frames) == (1, 3)
    assert exported_rows(export(device.mn, "realtime", "--lake-only")) == expected_rows(frames, "realtime")


def test_export_shows_answered_frames_before_ingest_and_each_value_once_after(device: Device, tmp_path: Path):
    landing = tmp_path / "landing"
    frames = [frame for _, frame in device_frames(1, 24)]
    kinds = ("realtime", "minute", "hourly")

    def exported(*options: str) -> dict[str, list[tuple[object, ...]]]:
        return {kind: exported_rows(export(device.mn, kind, *options)) for kind in kinds}

    expected = {kind: expected_rows(frames, kind) for kind in kinds}
    # a clock that stands still: the landing file stays open (.part) until the receiver stops
    other = [frame for _, frame in device_frames(2, 6)]  # another (quarantined) logger, not exported
    with receiver_thread(landing, accept_unknown=True, clock=lambda: 0.0) as running:
        exchange(running.port, frames, expect=len(frames))
        exchange(running.port, other, expect=len(other))
        exchange(running.port, frames[:6], expect=6)  # resent after lost replies
        files_while_open = sorted(p.name for p in landing.iterdir())
        while_open = exported("--landing", str(landing))  # read from the .part file being written
        lake_alone = exported("--lake-only")
    closed_not_ingested = exported("--landing", str(landing))
    ingest_landing(landing)
    after_ingest = exported("--landing", str(landing))
    with receiver_thread(landing, accept_unknown=False) as running:
        exchange(running.port, frames[:12], expect=12)  # landed again after ingest: lake and landing overlap
        overlapping = exported("--landing", str(landing))

    assert files_while_open == ["test-000000000001.part"]
    assert while_open == expected
    assert lake_alone == {kind: [] for kind in kinds}
    assert closed_not_ingested == expected
    assert after_ingest == expected
    assert overlapping == expected


def test_export_with_a_missing_landing_folder_is_an_error(db: None, tmp_path: Path):
    err = io.StringIO()

    code = readings_main(
        ["export", "--mn", "M", "--kind", "hourly", "--landing", str(tmp_path / "nope")],
        stdout=io.StringIO(),
        stderr=err,
    )

    assert code == 2
    assert err.getvalue() == f"envplan readings export: --landing {tmp_path / 'nope'}: no such folder\n"


def test_split_flag_without_packet_numbers_is_stored_whole_and_the_ingest_says_so(
    device: Device, tmp_path: Path
):
    landing = tmp_path / "landing"
    cp = data_cp("20240101000000", {"a21026": {"Avg": 12.5, "Flag": "N"}})
    frame = build_frame(qn="20240101000000001", st="31", cn="2061", mn=device.mn, flag=7, cp=cp)
    with receiver_thread(landing, accept_unknown=False) as running:
        replies = exchange(running.port, [frame], expect=1)
    out, err = io.StringIO(), io.StringIO()

    code = main(["ingest", "--landing", str(landing)], stdout=out, stderr=err)
    run = SourcesRun.objects.get()

    assert reply_qns(replies) == ["20240101000000001"]
    assert code == 0
    assert err.getvalue() == f"warning: frame 0 (MN {device.mn}): {SPLIT_WITHOUT_NUMBERS}\n"
    assert out.getvalue().splitlines()[-2:] == [
        "1 landing files, 1 frames, 1 values stored, 0 quarantined frames, 0 unusable frames, "
        "1 frames with warnings",
        "frames stored with known deviations (frames per deviation): split-unnumbered: 1",
    ]
    assert run.summary["warnings"] == [f"frame 0 (MN {device.mn}): {SPLIT_WITHOUT_NUMBERS}"]
    assert exported_rows(export(device.mn, "hourly", "--lake-only")) == [
        (device.mn, "hourly", "2024-01-01T00:00:00+08:00", "a21026", "Avg", 12.5, "N")
    ]
    assert export(device.mn, "hourly", "--lake-only")["variants"].to_list() == ["split-unnumbered"]


def test_export_includes_the_default_landing_folder_unless_lake_only(
    device: Device, tmp_path: Path, settings
):
    settings.DATA_DIR = str(tmp_path / "data")  # the default landing folder is <data dir>/landing
    frames = [frame for _, frame in device_frames(1, 4)]
    with receiver_thread(tmp_path / "data" / "landing", accept_unknown=False) as running:
        exchange(running.port, frames, expect=len(frames))

    by_default = exported_rows(export(device.mn, "realtime"))
    lake_only = exported_rows(export(device.mn, "realtime", "--lake-only"))

    assert (by_default, lake_only) == (expected_rows(frames, "realtime"), [])
