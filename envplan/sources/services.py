"""Changes to the sources app. Each service runs in one transaction with its audit entry.

`ingest_landing` moves closed landing files (written by `envplan hj212 serve`) into the lake: the lake
write happens inside the transaction, last, and the files are marked moved only after the commit. A crash
in between leaves the files pending; the next run stores their rows again, and since every reader
de-duplicates on the value key (envplan.sources.lake) nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from envplan.core.services import record_audit, snapshot
from envplan.hj212.crc import variant_from_name
from envplan.hj212.rows import frames_to_rows
from envplan.lake import Lake
from envplan.lake.landing import replay
from envplan.sources import analytics
from envplan.sources import lake as sources_lake
from envplan.sources.models import (
    Device,
    DeviceCounter,
    Enterprise,
    ExceedanceEvent,
    FactorLimit,
    Outlet,
    QuarantinedDevice,
    SourcesRun,
)

ENTERPRISE_FIELDS = ("name", "name_zh", "credit_code", "district", "industry", "address", "illustrative")
OUTLET_FIELDS = ("enterprise", "code", "name", "kind", "latitude", "longitude")
DEVICE_FIELDS = ("outlet", "mn", "edition", "crc_variants", "active", "expected_interval")
LIMIT_FIELDS = ("outlet", "factor", "field", "limit", "unit", "standard", "reference_o2")
# data kind of envplan.hj212.rows -> what the device page shows as the last frame's kind
CN_KINDS = {
    "2011": "realtime",
    "2051": "minute",
    "2061": "hourly",
    "2031": "daily",
    "2021": "state",
    "2041": "runtime",
}


class SourcesError(ValueError):
    """Unusable input for a sources service; the message says which field."""


def landing_dir() -> Path:
    return Path(settings.DATA_DIR) / "landing"


# --- registry ------------------------------------------------------------------------------------------


def _save(obj: Any, fields: tuple[str, ...], *, by: Any, action: str) -> Any:
    creating = obj.pk is None
    before = None
    if not creating:
        previous = type(obj).objects.get(pk=obj.pk)
        before = snapshot(previous, fields)
    obj.full_clean()
    obj.save()
    after = snapshot(obj, fields)
    if creating or before != after:
        record_audit(
            obj,
            action=f"{action}_{'created' if creating else 'updated'}",
            actor=by,
            before=before,
            after=after,
        )
    return obj


@transaction.atomic
def save_enterprise(enterprise: Enterprise, *, by: Any) -> Enterprise:
    result: Enterprise = _save(enterprise, ENTERPRISE_FIELDS, by=by, action="sources.enterprise")
    return result


@transaction.atomic
def save_outlet(outlet: Outlet, *, by: Any) -> Outlet:
    result: Outlet = _save(outlet, OUTLET_FIELDS, by=by, action="sources.outlet")
    return result


def clean_crc_variants(names: Iterable[object]) -> list[str]:
    """Canonical variant names ("modbus", "modbus-swapped", "arc"); an unknown name raises SourcesError."""
    cleaned: list[str] = []
    for name in names:
        try:
            kind = variant_from_name(str(name).strip())
        except ValueError as error:
            raise SourcesError(f"crc_variants: {error}") from None
        canonical = kind.value.removeprefix("variant:")
        if canonical not in cleaned:
            cleaned.append(canonical)
    return cleaned


@transaction.atomic
def save_device(device: Device, *, by: Any) -> Device:
    """Create or change a device; the password is saved but never written to the audit trail."""
    device.crc_variants = clean_crc_variants(device.crc_variants or [])
    result: Device = _save(device, DEVICE_FIELDS, by=by, action="sources.device")
    QuarantinedDevice.objects.filter(mn=device.mn).delete()  # registered now
    DeviceCounter.objects.filter(mn=device.mn, device__isnull=True).update(device=device)
    return result


@transaction.atomic
def save_limit(limit: FactorLimit, *, by: Any) -> FactorLimit:
    result: FactorLimit = _save(limit, LIMIT_FIELDS, by=by, action="sources.limit")
    return result


# --- receiver counters ---------------------------------------------------------------------------------


@transaction.atomic
def add_counters(counts: Mapping[tuple[str, str], int]) -> int:
    """Add rejected-frame counts {(MN or "?", reason): n} reported by a receiver; returns rows touched."""
    touched = 0
    devices = dict(Device.objects.filter(mn__in={mn for mn, _ in counts}).values_list("mn", "pk"))
    for (mn, reason), count in sorted(counts.items()):
        if count <= 0:
            continue
        updated = DeviceCounter.objects.filter(mn=mn, reason=reason).update(
            count=F("count") + count, updated=timezone.now()
        )
        if not updated:
            DeviceCounter.objects.create(mn=mn, reason=reason, count=count, device_id=devices.get(mn))
        touched += 1
    return touched


# --- landing -> lake -----------------------------------------------------------------------------------

_ORPHAN = re.compile(r"^(?P<host>[A-Za-z0-9.]+)_(?P<pid>\d+)-\d{12}\.part$")


def host_label() -> str:
    """This machine's name as used in landing prefixes (letters, digits and dots only)."""
    return re.sub(r"[^A-Za-z0-9.]", ".", socket.gethostname()) or "host"


def landing_prefix(pid: int | None = None) -> str:
    """`<host>_<pid>`: unique per receiver process, so several receivers share one landing folder."""
    return f"{host_label()}_{os.getpid() if pid is None else pid}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"  # a zombie has stopped writing
    except (OSError, IndexError):
        return True


def recover_orphans(directory: Path) -> list[Path]:
    """Close the `.part` files of receivers of this host that died (kill -9, power loss): they are renamed
    to `.log` (their complete records are valid; a torn last record is skipped when read), as the landing
    log itself does for its own prefix on start. Returns the files recovered."""
    recovered = []
    me = host_label()
    for path in sorted(directory.glob("*.part")):
        match = _ORPHAN.match(path.name)
        if not match or match["host"] != me or _process_alive(int(match["pid"])):
            continue
        if path.stat().st_size <= 8:  # header only
            path.unlink()
            continue
        target = path.with_suffix(".log")
        path.rename(target)
        recovered.append(target)
    if recovered:
        _fsync_dir(directory)
    return recovered


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mark_moved(path: Path) -> None:
    """As LandingLog.mark_moved, for files of any prefix (no log needs to be opened for it)."""
    moved = path.parent / "moved"
    moved.mkdir(exist_ok=True)
    path.rename(moved / path.name)


@dataclass
class IngestResult:
    files: int = 0
    frames: int = 0
    rows: int = 0
    quarantined_frames: int = 0
    unusable: list[str] = field(default_factory=list)
    # frames stored despite a deviation the receiver tolerated (e.g. Flag says split, no PNUM/PNO)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.files} landing files, {self.frames} frames, {self.rows} values stored, "
            f"{self.quarantined_frames} quarantined frames, {len(self.unusable)} unusable frames, "
            f"{len(self.warnings)} frames with warnings"
        )


def ingest_landing(landing: str | os.PathLike[str] | None = None, lake: Lake | None = None) -> IngestResult:
    """Move the closed landing files of `landing` (default <data dir>/landing) into the lake.

    Values become rows keyed by (MN, data kind, DataTime, factor, field) after split packets are
    reassembled across all pending files; frames of quarantined MNs are stored with status "quarantine"
    and their MNs listed in QuarantinedDevice; devices get their last frame time and kind. Running it again
    finds no pending file and stores nothing."""
    directory = Path(landing) if landing is not None else landing_dir()
    if not directory.is_dir():
        return IngestResult()
    recover_orphans(directory)
    files = sorted(directory.glob("*.log"))
    if not files:
        return IngestResult()
    records = [record for path in files for record in replay(path)]
    meta = pl.DataFrame(
        {
            "mn": [str(r.meta.get("mn") or "") for r in records],
            "cn": [str(r.meta.get("cn") or "") for r in records],
            "status": [str(r.meta.get("status") or "accepted") for r in records],
            "received_ns": [r.received_ns for r in records],
            "peer": [r.peer for r in records],
        },
        schema={"mn": pl.Utf8, "cn": pl.Utf8, "status": pl.Utf8, "received_ns": pl.Int64, "peer": pl.Utf8},
    )
    rows, errors = frames_to_rows(r.frame for r in records)
    quarantined = meta.filter(pl.col("status") == "quarantine")
    quarantined_mns = quarantined.get_column("mn").unique().to_list()
    rows = rows.with_columns(
        pl.when(pl.col("mn").is_in(quarantined_mns))
        .then(pl.lit("quarantine"))
        .otherwise(pl.lit("accepted"))
        .alias("status"),
        pl.lit(False).alias("generated"),
    )
    result = IngestResult(
        files=len(files),
        frames=len(records),
        rows=rows.height,
        quarantined_frames=quarantined.height,
        unusable=[f"frame {index}: {message}" for index, message in errors],
        warnings=[
            f"frame {index} (MN {r.meta.get('mn')}): {r.meta['warning']}"
            for index, r in enumerate(records)
            if r.meta.get("warning")
        ],
    )
    with transaction.atomic():
        run = SourcesRun.objects.create(kind=SourcesRun.Kind.INGEST, summary=asdict(result))
        _update_devices(meta.filter(pl.col("status") != "quarantine"))
        _update_quarantine(quarantined)
        record_audit(run, action="sources.landing_ingested", actor=None, after=asdict(result))
        sources_lake.store(rows, store_=lake)
    for path in files:
        _mark_moved(path)
    _fsync_dir(directory)
    return result


def _aware(received_ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(received_ns / 1e9, tz=dt.UTC)


def _update_devices(meta: pl.DataFrame) -> None:
    latest = meta.sort("received_ns").group_by("mn").agg(pl.col("received_ns").last(), pl.col("cn").last())
    by_mn = {row["mn"]: row for row in latest.to_dicts()}
    changed = []
    for device in Device.objects.filter(mn__in=list(by_mn)):
        row = by_mn[device.mn]
        seen = _aware(row["received_ns"])
        if device.last_seen_at is None or seen > device.last_seen_at:
            device.last_seen_at = seen
            device.last_frame_kind = CN_KINDS.get(row["cn"], row["cn"])
            changed.append(device)
    Device.objects.bulk_update(changed, ["last_seen_at", "last_frame_kind"])


def _update_quarantine(quarantined: pl.DataFrame) -> None:
    if quarantined.height == 0:
        return
    summary = (
        quarantined.sort("received_ns")
        .group_by("mn")
        .agg(
            pl.col("received_ns").first().alias("first"),
            pl.col("received_ns").last().alias("last"),
            pl.len().alias("frames"),
            pl.col("peer").last(),
        )
    )
    registered = set(
        Device.objects.filter(mn__in=summary.get_column("mn").to_list()).values_list("mn", flat=True)
    )
    for row in summary.to_dicts():
        if row["mn"] in registered:  # registered since it was landed
            continue
        entry, created = QuarantinedDevice.objects.get_or_create(
            mn=row["mn"],
            defaults={
                "first_seen": _aware(row["first"]),
                "last_seen": _aware(row["last"]),
                "frames": row["frames"],
                "peer": row["peer"][:100],
            },
        )
        if not created:
            entry.first_seen = min(entry.first_seen, _aware(row["first"]))
            entry.last_seen = max(entry.last_seen, _aware(row["last"]))
            entry.frames += row["frames"]
            entry.peer = row["peer"][:100]
            entry.save()


def store_generated(rows: pl.DataFrame, *, lake: Lake | None = None) -> int:
    """Store demo rows (frames_to_rows output) marked generated."""
    marked = rows.with_columns(pl.lit("accepted").alias("status"), pl.lit(True).alias("generated"))
    return sources_lake.store(marked, store_=lake)


# --- screening -----------------------------------------------------------------------------------------


@transaction.atomic
def detect_exceedances(
    *, start: dt.datetime, end: dt.datetime, outlets: Iterable[int] | None = None, by: Any = None
) -> list[ExceedanceEvent]:
    """Replace the exceedance events starting in [start, end) by those found in the hourly values
    (see envplan.sources.analytics.exceedance_events); running it again gives the same events."""
    limits = analytics.limits_frame(outlets)
    devices = analytics.devices_frame(outlets)
    scope = limits.get_column("outlet_id").unique().to_list()
    hourly = sources_lake.scan(
        "hour", mns=devices.get_column("mn").to_list(), start=start - dt.timedelta(hours=1), end=end
    ).collect()
    events = analytics.exceedance_events(hourly, devices=devices, limits=limits)
    events = events.filter(
        (pl.col("start") >= sources_lake.moment(start)) & (pl.col("start") < sources_lake.moment(end))
    )
    ExceedanceEvent.objects.filter(outlet_id__in=scope, start__gte=start, start__lt=end).delete()
    created = ExceedanceEvent.objects.bulk_create(
        ExceedanceEvent(
            outlet_id=row["outlet_id"],
            factor=row["factor"],
            field=row["field"],
            start=row["start"],
            end=row["end"],
            max_value=row["max_value"],
            limit=row["limit"],
            hours=row["hours"],
            generated=row["generated"],
        )
        for row in events.to_dicts()
    )
    run = SourcesRun.objects.create(
        kind=SourcesRun.Kind.EXCEEDANCES,
        summary={"start": start.isoformat(), "end": end.isoformat(), "events": len(created)},
    )
    record_audit(run, action="sources.exceedances_detected", actor=by, after=run.summary)
    return created
