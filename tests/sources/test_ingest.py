"""`ingest_landing` streams the backlog: bounded chunks, each committed with its audit entry, files moved
only once nothing of theirs is still needed, and a crash in the middle loses nothing."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from envplan.core.models import AuditEntry
from envplan.hj212.replies import build_frame, data_cp
from envplan.hj212.simulator import device_frames, device_mn
from envplan.lake import Lake
from envplan.lake.landing import LandingLog
from envplan.sources import services
from envplan.sources.models import Device, DeviceCounter, RejectedSample, SourcesRun
from tests.commandline import in_group

readings_main = in_group("readings")

MN = device_mn(1)


def landing_files(folder: Path, files: list[list[bytes]]) -> list[Path]:
    """Closed landing files holding these frames, in order."""
    log = LandingLog(folder, prefix="t")
    closed = []
    for frames in files:
        for frame in frames:
            log.append(frame, received_ns=1, peer="p", meta={"mn": MN, "cn": "2061", "status": "accepted"})
        path = log.rotate()
        assert path is not None
        closed.append(path)
    log.close()
    return closed


def split_part(pno: int, value: float) -> bytes:
    cp = data_cp("20260101080000", {f"a2102{pno}": {"Avg": value, "Flag": "N"}})
    return build_frame(qn=f"2026010108000000{pno}", st="31", cn="2061", mn=MN, flag=7, pnum=2, pno=pno, cp=cp)


def exported(mn: str, kind: str) -> pl.DataFrame:
    out = io.StringIO()
    assert readings_main(["export", "--mn", mn, "--kind", kind, "--lake-only"], stdout=out) == 0
    overrides = {"time": pl.Utf8, "flag": pl.Utf8, "variants": pl.Utf8}
    return pl.read_csv(io.StringIO(out.getvalue()), schema_overrides=overrides)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few frames, so that a small landing folder takes several of them."""
    monkeypatch.setattr(services, "DECODE_FRAMES", 2)
    monkeypatch.setattr(services, "STORE_ROWS", 10)


def test_ingest_in_bounded_chunks_stores_every_value_once_with_an_audit_entry_each(
    device: Device, tmp_path: Path, small_chunks: None
):
    frames = [frame for _, frame in device_frames(1, 36)]
    files = landing_files(tmp_path / "landing", [frames[:12], frames[12:24], frames[24:]])

    result = services.ingest_landing(tmp_path / "landing")
    entries = AuditEntry.objects.filter(action="sources.landing_ingested").count()

    assert (result.files, result.frames, result.rows) == (3, 36, 27 * 4 + 6 * 4 * 3 + 3 * 4 * 3)
    assert entries > 3  # one per committed chunk
    assert SourcesRun.objects.get().summary["frames"] == 36
    assert [p.exists() for p in files] == [False, False, False]
    assert sorted(p.name for p in (tmp_path / "landing" / "moved").iterdir()) == [p.name for p in files]
    assert exported(MN, "realtime").height == 27 * 4


def test_ingest_completes_a_split_packet_whose_parts_are_in_different_chunks_and_files(
    device: Device, tmp_path: Path, small_chunks: None
):
    others = [frame for _, frame in device_frames(1, 24)]
    landing_files(
        tmp_path / "landing", [[split_part(1, 1.5), *others[:12]], [*others[12:], split_part(2, 2.5)]]
    )

    services.ingest_landing(tmp_path / "landing")
    hourly = exported(MN, "hourly").filter(pl.col("time") == "2026-01-01T08:00:00+08:00")

    assert sorted(hourly.select("factor", "value").rows()) == [("a21021", 1.5), ("a21022", 2.5)]


class FailingLake(Lake):
    """A lake whose disk fails after a number of appends (the ingest is cut short, as by a crash)."""

    def __init__(self, root: Path, *, appends: int) -> None:
        super().__init__(root)
        self.appends = appends

    def append(self, kind: str, frame: pl.DataFrame, *, date_column: str = "date") -> list[Path]:
        if self.appends == 0:
            raise OSError(28, "No space left on device")
        self.appends -= 1
        return super().append(kind, frame, date_column=date_column)


def test_ingest_cut_short_keeps_the_files_still_needed_and_the_next_run_loses_nothing(
    device: Device, tmp_path: Path, lake_folder: Path, small_chunks: None
):
    others = [frame for _, frame in device_frames(1, 36)]
    plain, split = tmp_path / "plain", tmp_path / "split"
    plain_files = landing_files(plain, [others[:12], others[12:24], others[24:]])
    split_files = landing_files(
        split, [[split_part(1, 1.5), *others[:12]], others[12:24], [*others[24:], split_part(2, 2.5)]]
    )

    for folder in (plain, split):
        with pytest.raises(OSError, match="No space"):
            services.ingest_landing(folder, lake=FailingLake(lake_folder, appends=8))
    left = {
        name: [p.exists() for p in files] for name, files in (("plain", plain_files), ("split", split_files))
    }
    services.ingest_landing(plain)
    services.ingest_landing(split)
    hourly = exported(MN, "hourly").filter(pl.col("time") == "2026-01-01T08:00:00+08:00")

    # Without split packets the files whose values were committed are moved as the ingest goes; the
    # first file of the other folder holds a part of a split packet still waiting for its second part: it
    # stays, and so do the files after it.
    assert left == {"plain": [False, True, True], "split": [True, True, True]}
    assert sorted(hourly.select("factor", "value").rows()) == [("a21021", 1.5), ("a21022", 2.5)]
    assert exported(MN, "realtime").height == 27 * 4
    assert [p.exists() for p in plain_files + split_files] == [False] * 6


def test_ingest_counts_and_samples_a_landed_frame_whose_values_cannot_be_read(device: Device, tmp_path: Path):
    cp = "DataTime=20260101250000;a21026-Avg=1.5,a21026-Flag=N"  # hour 25: not a time
    broken = build_frame(qn="20260101080000001", st="31", cn="2061", mn=MN, flag=5, cp=cp)
    landing_files(tmp_path / "landing", [[broken, *[frame for _, frame in device_frames(1, 2)]]])

    result = services.ingest_landing(tmp_path / "landing")
    counter = DeviceCounter.objects.get()
    sample = RejectedSample.objects.get()

    assert (result.frames, result.unusable_total) == (3, 1)
    assert (counter.mn, counter.reason, counter.count, counter.device_id) == (MN, "unusable", 1, device.pk)
    assert (sample.mn, sample.reason, sample.frame) == (
        MN,
        "unusable",
        broken.decode().replace("\r\n", "\\r\\n"),
    )
    assert sample.message.startswith("answered and landed, but its values cannot be read: cp: time")
