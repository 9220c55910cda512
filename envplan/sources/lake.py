"""Where HJ 212 values are kept: the lake at settings.LAKE_URL, one kind per data kind.

Kinds `hj212_realtime` (CN 2011), `hj212_minute` (2051), `hj212_hourly` (2061), `hj212_daily` (2031),
partitioned by the local date of DataTime. Columns: those of :data:`envplan.hj212.rows.SCHEMA` (mn, kind,
time, factor, field, value, flag, code2017, st, qn, variants: the known deviations from HJ 212 the value's
frame came with) plus `status` ("accepted", or "quarantine" for an MN not in the registry) and `generated`
(made up by the demo loader). Files written before `variants` existed read it as null. A value is keyed by
:data:`envplan.hj212.rows.KEY` = (mn, kind, time, factor, field): a frame landed twice (resent after a lost
reply, or ingested twice after a crash) gives the same keys, and every reader de-duplicates on them (the
compaction job too), so each value is seen once.

Frames answered by the receiver but not yet ingested are in the landing folder; :func:`scan_with_landed`
reads them too, as ingest would store them, for readers that must see what was answered at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings

from envplan.hj212.rows import KEY, SCHEMA, frames_to_rows
from envplan.lake import Lake
from envplan.lake.landing import unmoved_records

ZONE = ZoneInfo("Asia/Shanghai")  # the zone of DataTime (HJ 212: local time of the logger, China)

# data kind (envplan.hj212.codes.DATA_KINDS, the same names the commands take) -> the lake's table
LAKE_KINDS: dict[str, str] = {kind: f"hj212_{kind}" for kind in ("realtime", "minute", "hourly", "daily")}
# Each lake table holds one kind, so a value is one within its table by the rest of its key. Rows written
# before the kinds had one name each ("rtd", "hour", "day") read back under today's name.
TABLE_KEY: tuple[str, ...] = tuple(column for column in KEY if column != "kind")
ROW_SCHEMA: dict[str, pl.DataType] = {**SCHEMA, "status": pl.Utf8(), "generated": pl.Boolean()}
EXPORT_COLUMNS = ("mn", "kind", "time", "factor", "field", "value", "flag", "variants")


def lake() -> Lake:
    return Lake(settings.LAKE_URL)


def empty() -> pl.LazyFrame:
    return pl.LazyFrame(schema=ROW_SCHEMA).with_columns(pl.lit(None, dtype=pl.Date).alias("date"))


def store(rows: pl.DataFrame, *, store_: Lake | None = None) -> int:
    """Append rows (ROW_SCHEMA) to their kinds; returns how many rows were written."""
    target = store_ or lake()
    written = 0
    for (kind,), part in rows.partition_by("kind", as_dict=True, maintain_order=True).items():
        lake_kind = LAKE_KINDS.get(str(kind))
        if lake_kind is None:  # state (2021) and runtime (2041) uploads are not kept
            continue
        target.append(lake_kind, part.select(list(ROW_SCHEMA)), date_column="time")
        written += part.height
    return written


def scan(
    kind: str,
    *,
    mns: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    store_: Lake | None = None,
) -> pl.LazyFrame:
    """De-duplicated values of a data kind (a key of :data:`LAKE_KINDS`) with start <= time < end."""
    source = store_ or lake()
    lake_kind = LAKE_KINDS[kind]
    if not source.live_files(lake_kind):
        return empty()
    frame = source.scan(lake_kind, unique_on=TABLE_KEY, schema=ROW_SCHEMA).with_columns(
        pl.lit(kind).alias("kind")
    )
    if mns is not None:
        frame = frame.filter(pl.col("mn").is_in(mns))
    if start is not None:
        frame = frame.filter(pl.col("date") >= _local(start).date(), pl.col("time") >= moment(start))
    if end is not None:
        frame = frame.filter(pl.col("date") <= _local(end).date(), pl.col("time") < moment(end))
    return frame


def landed_frames(directory: Path, *, mns: list[str] | None = None) -> list[bytes]:
    """The frames of the landing files not yet moved into the lake, in landing order (see
    :func:`envplan.lake.landing.unmoved_records`: ``.part`` files included); with ``mns``, only those the
    receiver landed under these MNs (their metadata says, so other frames are not decoded)."""
    wanted = None if mns is None else set(mns)
    return [r.frame for r in unmoved_records(directory) if wanted is None or r.meta.get("mn") in wanted]


def devices_hourly(devices: pl.DataFrame, *, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """The hourly values of the devices (the `mn` column of `devices`, as `analytics.devices_frame`
    gives them) with start <= time < end."""
    return scan("hourly", mns=devices.get_column("mn").to_list(), start=start, end=end).collect()


def first_time(values: pl.DataFrame) -> dt.datetime | None:
    """The earliest `time` of some values from the lake, None when there are none."""
    first = values.get_column("time").min() if values.height else None
    assert first is None or isinstance(first, dt.datetime)
    return first


def scan_with_landed(
    kind: str,
    *,
    landing: Path,
    mns: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    store_: Lake | None = None,
) -> pl.LazyFrame:
    """:func:`scan`'s values (columns of :data:`envplan.hj212.rows.SCHEMA`) plus those of the frames still
    in the landing folder, each key once.  A key in both keeps the landed value, as the lake will once the
    frame is ingested (later writes win); split packets whose parts have not all landed are left out."""
    frames = landed_frames(landing, mns=mns)  # read before the lake is scanned: see landed_frames
    landed = frames_to_rows(frames)[0].lazy().filter(pl.col("kind") == kind)
    if mns is not None:
        landed = landed.filter(pl.col("mn").is_in(mns))
    if start is not None:
        landed = landed.filter(pl.col("time") >= moment(start))
    if end is not None:
        landed = landed.filter(pl.col("time") < moment(end))
    stored = scan(kind, mns=mns, start=start, end=end, store_=store_).select(list(SCHEMA))
    both = pl.concat([stored, landed.select(list(SCHEMA))])
    return both.unique(list(KEY), keep="last", maintain_order=True)


def _local(moment_: dt.datetime) -> dt.datetime:
    if moment_.tzinfo is None:
        return moment_.replace(tzinfo=ZONE)
    return moment_.astimezone(ZONE)


def moment(value: dt.datetime) -> pl.Expr:
    """A literal of the `time` column's type (a naive value is taken as China Standard Time)."""
    return pl.lit(_local(value)).cast(SCHEMA["time"])


def compact(*, store_: Lake | None = None) -> int:
    """Merge small files and drop duplicate keys in every kind; returns partitions rewritten."""
    source = store_ or lake()
    return sum(source.compact(table, unique_on=TABLE_KEY) for table in LAKE_KINDS.values())
