"""The durable landing log: append, flush, rotate, replay with a torn tail, pending and moved files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envplan.lake.landing import (
    MAGIC,
    LandingLog,
    RecordBuffer,
    batch_records,
    closed_files,
    encode_middle,
    encode_record,
    landing_prefix,
    mark_moved,
    recover_orphans,
    replay,
    unmoved_records,
    verify,
)


def fill(log: LandingLog, count: int, start: int = 0) -> list[bytes]:
    frames = [b"##0010frame%04d\r\n" % i for i in range(start, start + count)]
    for i, frame in enumerate(frames):
        log.append(frame, received_ns=1_700_000_000_000_000_000 + i, peer="127.0.0.1:4000", meta={"mn": "M1"})
    return frames


def test_landing_round_trip_after_flush_and_rotate(tmp_path: Path):
    log = LandingLog(tmp_path)
    frames = fill(log, 5)

    durable = log.flush_durable()
    closed = log.rotate()
    assert closed is not None
    records = list(replay(closed))

    assert durable == 5
    assert [r.frame for r in records] == frames
    assert (records[0].peer, records[0].meta, records[0].received_ns) == (
        "127.0.0.1:4000",
        {"mn": "M1"},
        1_700_000_000_000_000_000,
    )
    assert log.pending_files() == [closed]


def test_landing_replay_tolerates_a_torn_last_record_at_every_cut(tmp_path: Path):
    log = LandingLog(tmp_path)
    frames = fill(log, 3)
    log.flush_durable()
    closed = log.close()
    assert closed is not None
    data = closed.read_bytes()
    last = len(encode_record(frames[2], received_ns=0, peer="127.0.0.1:4000", meta={"mn": "M1"}))

    counts = []
    for cut in range(len(data) - last, len(data)):
        closed.write_bytes(data[:cut])
        counts.append(len(list(replay(closed))))

    assert counts == [2] * last
    assert verify(closed).torn_bytes == last - 1


def test_landing_replay_stops_at_a_corrupt_checksum(tmp_path: Path):
    log = LandingLog(tmp_path)
    fill(log, 3)
    closed = log.close()
    assert closed is not None
    data = bytearray(closed.read_bytes())
    data[-3] ^= 0xFF

    closed.write_bytes(bytes(data))

    assert [len(list(replay(closed))), verify(closed).records] == [2, 2]


def test_landing_unflushed_records_are_not_on_disk(tmp_path: Path):
    log = LandingLog(tmp_path)
    fill(log, 2)
    current = log.current_path
    assert current is not None

    on_disk = current.read_bytes()

    assert (on_disk, log.pending_records) == (MAGIC, 2)


def test_landing_restart_recovers_part_files_and_continues_numbering(tmp_path: Path):
    crashed = LandingLog(tmp_path)
    frames = fill(crashed, 4)
    crashed.flush_durable()
    # simulate a crash: the .part file stays, with half a record appended after the durable ones
    part = crashed.current_path
    assert part is not None
    with part.open("ab") as handle:
        handle.write(encode_record(b"##torn", received_ns=0, peer="p", meta={})[:9])

    restarted = LandingLog(tmp_path)
    pending = restarted.pending_files()

    assert [p.name for p in pending] == ["landing-000000000001.log"]
    assert [r.frame for r in replay(pending[0])] == frames
    assert restarted.current_path is not None
    assert restarted.current_path.name == "landing-000000000002.part"


def test_landing_rotates_by_size_and_marks_moved(tmp_path: Path):
    log = LandingLog(tmp_path, max_bytes=150)
    fill(log, 3)
    log.flush_durable()
    fill(log, 3, start=3)
    log.flush_durable()

    pending = log.pending_files()
    moved = log.mark_moved(pending[0])
    log.close()

    assert [p.name for p in pending] == ["landing-000000000001.log", "landing-000000000002.log"]
    assert log.pending_files() == pending[1:]
    assert moved == tmp_path / "moved" / pending[0].name
    assert LandingLog(tmp_path).current_path == tmp_path / "landing-000000000003.part"


def test_landing_prefixed_append_writes_the_same_record_as_append(tmp_path: Path):
    meta = {"mn": "M1", "cn": "2011", "crc": "standard", "status": "accepted"}
    plain = LandingLog(tmp_path / "plain")
    prefixed = LandingLog(tmp_path / "prefixed")
    frames = [b"##0010frame%04d\r\n" % i for i in range(3)]

    for frame in frames:
        plain.append(frame, received_ns=1_700_000_000_000_000_007, peer="10.0.0.5:40312", meta=meta)
    prefix, prefix_crc = prefixed.buffer.record_prefix(
        1_700_000_000_000_000_007, encode_middle("10.0.0.5:40312", meta)
    )
    for frame in frames:
        prefixed.buffer.append_prefixed(frame, prefix, prefix_crc)
    closed = [plain.close(), prefixed.close()]

    assert closed[0] is not None and closed[1] is not None
    assert closed[0].read_bytes() == closed[1].read_bytes()
    assert [r.frame for r in replay(closed[1])] == frames


def test_landing_write_batch_and_rotate_leaves_later_appends_for_the_next_file(tmp_path: Path):
    log = LandingLog(tmp_path, max_bytes=200)
    first = fill(log, 5)
    batch = log.take_batch()
    later = fill(log, 2, start=5)  # appended while the batch is being written

    written = log.write_batch_and_rotate(batch)
    after_rotation = log.pending_files()
    log.close()

    assert written == 5
    assert len(after_rotation) == 1
    assert [r.frame for r in replay(after_rotation[0])] == first
    assert [r.frame for p in log.pending_files() for r in replay(p)] == first + later


def test_landing_rotation_due_by_age_of_its_first_record_without_a_new_frame(tmp_path: Path):
    clock = [0.0]
    log = LandingLog(tmp_path, prefix="t", rotate_seconds=60, clock=lambda: clock[0])
    clock[0] = 500.0
    idle = log.rotation_due()  # a file without records is never due, however long it was open
    frames = fill(log, 2)
    log.write_batch_and_rotate(log.take_batch())  # its first record, at 500
    clock[0] = 559.0
    early = (log.rotation_due(), log.write_batch_and_rotate(log.take_batch()), log.pending_files())
    clock[0] = 560.0
    due = log.rotation_due()

    log.write_batch_and_rotate(log.take_batch())  # the receiver's timer: an empty batch, then the rotation
    closed = log.pending_files()

    assert (idle, early, due) == (False, (False, 0, []), True)
    assert [p.name for p in closed] == ["t-000000000001.log"]
    assert [r.frame for r in replay(closed[0])] == frames
    assert (log.current_path, log.rotation_due()) == (tmp_path / "t-000000000002.part", False)


def test_landing_rotate_if_due_closes_an_old_file_on_the_owner_thread(tmp_path: Path):
    clock = [0.0]
    log = LandingLog(tmp_path, prefix="t", rotate_seconds=60, clock=lambda: clock[0])
    fill(log, 1)
    log.write_batch(log.take_batch())

    early = log.rotate_if_due()
    clock[0] = 61.0
    late = log.rotate_if_due()

    assert (early, late) == (None, tmp_path / "t-000000000001.log")


def test_landing_rotation_period_must_be_positive(tmp_path: Path):
    with pytest.raises(ValueError, match="must be positive"):
        LandingLog(tmp_path, rotate_seconds=0)


# --------------------------------------------------------------------------- a landing folder's life


def dead_pid() -> int:
    """The id of a process that has ended."""
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(finished.stdout)


def test_landing_orphans_of_dead_receivers_of_this_host_are_closed_and_live_ones_left(tmp_path: Path):
    dead, dead_empty = dead_pid(), dead_pid()
    crashed = LandingLog(tmp_path, prefix=landing_prefix(dead))
    frames = fill(crashed, 2)
    crashed.flush_durable()  # never closed: its process "died"
    empty = LandingLog(tmp_path, prefix=landing_prefix(dead_empty))
    live = LandingLog(tmp_path, prefix=landing_prefix())
    fill(live, 1)
    live.flush_durable()
    other_host = tmp_path / "elsewhere_1-000000000001.part"
    other_host.write_bytes(MAGIC)

    recovered = recover_orphans(tmp_path)

    assert [p.name for p in recovered] == [f"{landing_prefix(dead)}-000000000001.log"]
    assert [r.frame for r in replay(recovered[0])] == frames
    assert empty.current_path is not None and not empty.current_path.exists()  # header only: deleted
    assert (live.current_path is not None and live.current_path.exists(), other_host.exists()) == (True, True)
    assert closed_files(tmp_path) == recovered


def test_landing_closed_files_of_every_writer_moved_once_each(tmp_path: Path):
    first, second = LandingLog(tmp_path, prefix="a"), LandingLog(tmp_path, prefix="b")
    fill(first, 1)
    fill(second, 1)
    closed = [first.close(), second.close()]

    pending = closed_files(tmp_path)
    moved = mark_moved(pending[0])

    assert pending == closed
    assert moved == tmp_path / "moved" / "a-000000000001.log"
    assert closed_files(tmp_path) == [closed[1]]
    assert closed_files(tmp_path, prefix="b") == [closed[1]]
    with pytest.raises(ValueError, match="not a closed landing file"):
        mark_moved(tmp_path / "b-000000000002.part")


def test_landing_unmoved_records_read_closed_and_open_files_but_not_moved_ones(tmp_path: Path):
    log = LandingLog(tmp_path, prefix="t")
    moved_frames = fill(log, 1)
    mark_moved(log.rotate())  # type: ignore[arg-type]  # the file held a record
    closed_frames = fill(log, 2, start=1)
    log.rotate()
    open_frames = fill(log, 2, start=3)
    log.flush_durable()  # durable in the .part file, not closed

    frames = [r.frame for r in unmoved_records(tmp_path)]
    log.close()

    assert moved_frames == [b"##0010frame0000\r\n"]
    assert frames == closed_frames + open_frames


def test_landing_batch_records_read_a_batch_as_its_file_would(tmp_path: Path):
    buffer = RecordBuffer()
    buffer.append(b"##0010frame0001\r\n", received_ns=5, peer="p", meta={"mn": "M1"})
    prefix, crc = buffer.record_prefix(6, encode_middle("q", {"mn": "M2"}))
    buffer.append_prefixed(b"##0010frame0002\r\n", prefix, crc)

    batch = buffer.take_batch()
    records = batch_records(batch.data)

    assert batch.records == 2
    assert [(r.frame, r.received_ns, r.peer, r.meta) for r in records] == [
        (b"##0010frame0001\r\n", 5, "p", {"mn": "M1"}),
        (b"##0010frame0002\r\n", 6, "q", {"mn": "M2"}),
    ]
    assert (buffer.pending_records, buffer.take_batch().data) == (0, bytearray())
