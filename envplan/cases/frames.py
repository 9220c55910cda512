"""The frames behind a finding, for inspectors to compare with the logger's own storage on site.

As received: the HJ 212 frames of the data logger whose DataTime falls in the span, read from the
landing folder, where the receiver wrote them (closed and open files, and those the ingest moved to
`moved/`, which the operator keeps until they choose to delete them). Files last written well before the
span cannot hold its frames and are not opened.

Passwords (PW) are masked in both.

As stored: for DataTimes whose frame is no longer in the landing folder, the values the lake keeps for
them (QN, ST, CN 2061, MN, and each factor's fields and flag), written out in the frame's layout. Such a
frame says what was stored, not byte for byte what was sent (no CRC, fields in the lake's order).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from envplan.lake import Lake
from envplan.lake.landing import MOVED, LandingRecord, replay
from envplan.sources import lake as sources_lake
from envplan.sources.services import landing_dir

ZONE = ZoneInfo("Asia/Shanghai")
MAX_FRAMES: Final = 48
# A frame is received after its DataTime, but a logger's clock may run ahead: allow for that much.
CLOCK_SLACK: Final = dt.timedelta(days=1)
_DATA_TIME = re.compile(rb"DataTime=(\d{14})")
_PASSWORD = re.compile(rb"PW=[^;]*;")


@dataclass(frozen=True)
class RawFrame:
    time: dt.datetime  # DataTime (local)
    text: str
    received: dt.datetime | None  # when the receiver landed it (None: as stored in the lake)

    @property
    def as_received(self) -> bool:
        return self.received is not None


def _printable(raw: bytes) -> str:
    """The frame as text: its password masked (a packet travels further than the platform), the CR LF
    that ends every frame left out, other control bytes written as escapes."""
    masked = _PASSWORD.sub(rb"PW=******;", raw.rstrip(b"\r\n"))
    text = masked.decode("ascii", errors="backslashreplace")
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _landing_files(folder: Path, since: dt.datetime) -> list[Path]:
    """Landing files that may hold frames received at or after `since`, least recently written first."""
    threshold = (since - CLOCK_SLACK).timestamp()
    found = []
    for directory in (folder, folder / MOVED):
        if not directory.is_dir():
            continue
        for path in [*directory.glob("*.log"), *directory.glob("*.part")]:
            try:
                written = path.stat().st_mtime
            except FileNotFoundError:  # moved meanwhile
                continue
            if written >= threshold:
                found.append((written, path.name, path))
    return [path for _, _, path in sorted(found)]


def _first_received(path: Path) -> dt.datetime | None:
    """When the file's first record was received (None: no record, or the file is gone)."""
    try:
        first = next(iter(replay(path)), None)
    except FileNotFoundError:
        return None
    return None if first is None else dt.datetime.fromtimestamp(first.received_ns / 1e9, tz=ZONE)


def _data_time(record: LandingRecord) -> dt.datetime | None:
    match = _DATA_TIME.search(record.frame)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match.group(1).decode(), "%Y%m%d%H%M%S").replace(tzinfo=ZONE)
    except ValueError:
        return None


def received_frames(
    mn: str, start: dt.datetime, end: dt.datetime, *, folder: Path | None = None, limit: int = MAX_FRAMES
) -> list[RawFrame]:
    """Frames of `mn` with start <= DataTime <= end found in the landing folder, by DataTime (the first
    `limit`; a DataTime sent twice shows its first landing).

    Only files written since the span began are opened, and once `limit` frames are found, a file whose
    first frame was received after the last of them (with CLOCK_SLACK) is not read: a case page reads
    the few files around its span's start, not the landing folder's whole history."""
    found: dict[dt.datetime, RawFrame] = {}
    for path in _landing_files(folder or landing_dir(), start):
        if len(found) >= limit:
            cutoff = sorted(found)[limit - 1]
            first = _first_received(path)
            if first is None or first > cutoff + CLOCK_SLACK:
                continue
        try:
            records = list(replay(path))
        except FileNotFoundError:
            continue
        for record in records:
            if record.meta.get("mn") != mn or record.meta.get("status", "accepted") != "accepted":
                continue
            moment = _data_time(record)
            if moment is None or not start <= moment <= end or moment in found:
                continue
            received = dt.datetime.fromtimestamp(record.received_ns / 1e9, tz=ZONE)
            found[moment] = RawFrame(time=moment, text=_printable(record.frame), received=received)
    return [found[moment] for moment in sorted(found)[:limit]]


def stored_frames(
    mn: str, start: dt.datetime, end: dt.datetime, *, lake: Lake | None = None, limit: int = MAX_FRAMES
) -> list[RawFrame]:
    """The lake's hourly values of `mn` with start <= DataTime <= end, one frame's layout per DataTime."""
    rows = (
        sources_lake.scan("hourly", mns=[mn], start=start, end=end + dt.timedelta(seconds=1), store_=lake)
        .select("time", "factor", "field", "value", "flag", "qn", "st")
        .sort("time", "factor", "field")
        .collect()
    )
    frames = []
    for (moment,), part in rows.partition_by("time", as_dict=True, maintain_order=True).items():
        assert isinstance(moment, dt.datetime)
        first = part.row(0, named=True)
        factors = []
        for (factor,), values in part.partition_by("factor", as_dict=True, maintain_order=True).items():
            fields = [
                f"{factor}-{row['field']}={_value(row['value'])}" for row in values.iter_rows(named=True)
            ]
            flag = values.get_column("flag").drop_nulls()
            if flag.len():
                fields.append(f"{factor}-Flag={flag[0]}")
            factors.append(",".join(fields))
        local = moment.astimezone(ZONE)
        cp = ";".join([f"DataTime={local:%Y%m%d%H%M%S}", *factors])
        text = f"QN={first['qn'] or ''};ST={first['st'] or ''};CN=2061;PW=******;MN={mn};CP=&&{cp}&&"
        frames.append(RawFrame(time=local, text=text, received=None))
        if len(frames) >= limit:
            break
    return frames


def _value(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def frames_for(
    mn: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    folder: Path | None = None,
    lake: Lake | None = None,
    limit: int = MAX_FRAMES,
) -> list[RawFrame]:
    """The first `limit` frames of the span: as received where the landing folder still has them, as
    stored otherwise."""
    received = {frame.time: frame for frame in received_frames(mn, start, end, folder=folder, limit=limit)}
    if len(received) >= limit:
        return list(received.values())
    stored = {frame.time: frame for frame in stored_frames(mn, start, end, lake=lake, limit=limit)}
    merged = {**stored, **received}
    return [merged[moment] for moment in sorted(merged)[:limit]]
