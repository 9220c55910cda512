"""Changes to the sources app. Each service runs in one transaction with its audit entry.

`ingest_landing` moves closed landing files (written by `envplan hj212 serve`) into the lake: the lake
write happens inside the transaction, last, and the files are marked moved only after the commit. A crash
in between leaves the files pending; the next run stores their rows again, and since every reader
de-duplicates on the value key (envplan.sources.lake) nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import F, Model
from django.db.models.functions import Greatest
from django.utils import timezone

from envplan.commandline import Progress, no_progress
from envplan.core.services import Actor, record_audit, save_audited
from envplan.hj212.codes import DATA_KINDS
from envplan.hj212.crc import variant_from_name
from envplan.hj212.receiver import RejectedSample
from envplan.hj212.rows import RowBuilder, frames_to_rows
from envplan.lake import Lake
from envplan.lake import landing as landing_log
from envplan.lake.landing import LandingRecord
from envplan.problems import DEFAULT_LIMIT as PROBLEM_LIMIT
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
    VariantCount,
)
from envplan.sources.models import RejectedSample as SampleRow

ENTERPRISE_FIELDS = ("name", "name_zh", "credit_code", "district", "industry", "address", "illustrative")
OUTLET_FIELDS = ("enterprise", "code", "name", "kind", "latitude", "longitude")
DEVICE_FIELDS = ("outlet", "mn", "edition", "crc_variants", "active", "strict", "expected_interval")
LIMIT_FIELDS = ("outlet", "factor", "field", "limit", "unit_of_measure", "standard", "reference_o2")


class SourcesError(ValueError):
    """Unusable input for a sources service; the message says which field."""


def landing_dir() -> Path:
    return Path(settings.DATA_DIR) / "landing"


# --- registry ------------------------------------------------------------------------------------------


Saved = TypeVar("Saved", bound=Model)


def _save(obj: Saved, fields: tuple[str, ...], *, by: Actor, action: str) -> Saved:
    """Check and save a registry object; an audit entry when it is new or its `fields` changed."""
    return save_audited(obj, fields, by=by, created=f"{action}_created", changed=f"{action}_updated")


@transaction.atomic
def save_enterprise(enterprise: Enterprise, *, by: Actor) -> Enterprise:
    return _save(enterprise, ENTERPRISE_FIELDS, by=by, action="sources.enterprise")


@transaction.atomic
def save_outlet(outlet: Outlet, *, by: Actor) -> Outlet:
    return _save(outlet, OUTLET_FIELDS, by=by, action="sources.outlet")


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
def save_device(device: Device, *, by: Actor) -> Device:
    """Create or change a device; the password is saved but never written to the audit trail."""
    device.crc_variants = clean_crc_variants(device.crc_variants or [])
    result = _save(device, DEVICE_FIELDS, by=by, action="sources.device")
    QuarantinedDevice.objects.filter(mn=device.mn).delete()  # registered now
    DeviceCounter.objects.filter(mn=device.mn, device__isnull=True).update(device=device)
    return result


@transaction.atomic
def save_limit(limit: FactorLimit, *, by: Actor) -> FactorLimit:
    return _save(limit, LIMIT_FIELDS, by=by, action="sources.limit")


# --- receiver counters ---------------------------------------------------------------------------------

SAMPLES_PER_REASON = 3  # refused frames kept per MN and reason (the first ones)


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def add_counters(counts: Mapping[tuple[str, str], int], *, at: dt.datetime | None = None) -> int:
    """Add refused-frame counts {(MN or "?", reason): n} to the hour of `at` (default now); returns rows
    touched. Telemetry of the receiver and the ingest, written every half minute: not audited."""
    hour = _hour(at or timezone.now())
    touched = 0
    devices = dict(Device.objects.filter(mn__in={mn for mn, _ in counts}).values_list("mn", "pk"))
    for (mn, reason), count in sorted(counts.items()):
        if count <= 0:
            continue
        updated = DeviceCounter.objects.filter(mn=mn, reason=reason, hour=hour).update(
            count=F("count") + count, updated=timezone.now()
        )
        if not updated:
            DeviceCounter.objects.create(
                mn=mn, reason=reason, hour=hour, count=count, device_id=devices.get(mn)
            )
        touched += 1
    return touched


def printable(raw: bytes, limit: int = 2048) -> str:
    """A frame as text for people: UTF-8 where it is, other bytes and control characters as escapes."""
    text = raw[:limit].decode("utf-8", "backslashreplace")
    escaped = "".join(
        char if char.isprintable() or char == "\\" else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    return escaped + ("…" if len(raw) > limit else "")


@transaction.atomic
def add_samples(samples: Iterable[RejectedSample]) -> int:
    """Keep refused frames as samples, the first SAMPLES_PER_REASON of each MN and reason (the receiver
    sends only its first few too); returns how many were kept. Telemetry: not audited."""
    kept = 0
    have: dict[tuple[str, str], int] = {}
    for sample in samples:
        key = (sample.mn, sample.reason)
        if key not in have:
            have[key] = SampleRow.objects.filter(mn=sample.mn, reason=sample.reason).count()
        if have[key] >= SAMPLES_PER_REASON:
            continue
        SampleRow.objects.create(
            mn=sample.mn[:64],
            reason=sample.reason[:32],
            received_at=_aware(sample.received_ns),
            peer=sample.peer[:100],
            message=sample.message[:500],
            frame=printable(sample.frame),
        )
        have[key] += 1
        kept += 1
    return kept


# --- landing -> lake -----------------------------------------------------------------------------------

# Frames decoded into Python objects at a time, before their values become a Polars frame: this, not the
# backlog, bounds the ingest's memory (a decoded frame takes several kilobytes).
DECODE_FRAMES = 5_000
# Values written to the lake, and committed with their files' devices and quarantine, at a time.
STORE_ROWS = 200_000


@dataclass
class IngestResult:
    files: int = 0
    frames: int = 0
    rows: int = 0
    quarantined_frames: int = 0
    # the first PROBLEM_LIMIT of each list, and how many there were
    unusable: list[str] = field(default_factory=list)
    unusable_total: int = 0
    # frames stored despite a deviation the receiver tolerated (e.g. Flag says split, no PNUM/PNO)
    warnings: list[str] = field(default_factory=list)
    warnings_total: int = 0
    # frames stored with a known deviation, per name (envplan.hj212.tolerance)
    variants: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.files} landing files, {self.frames} frames, {self.rows} values stored, "
            f"{self.quarantined_frames} quarantined frames, {self.unusable_total} unusable frames, "
            f"{self.warnings_total} frames with warnings"
        )

    def add_unusable(self, line: str) -> None:
        self.unusable_total += 1
        if len(self.unusable) < PROBLEM_LIMIT:
            self.unusable.append(line)

    def add_warning(self, line: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < PROBLEM_LIMIT:
            self.warnings.append(line)


@dataclass
class _Chunk:
    """What one transaction of the ingest stores: values, and per MN what the devices page needs."""

    rows: list[pl.DataFrame] = field(default_factory=list)
    height: int = 0
    frames: int = 0
    # MN -> (receive time, CN) of its latest frame, for the devices
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)
    # MN -> [first receive time, last receive time, frames, last peer], for the quarantine
    quarantined: dict[str, list[Any]] = field(default_factory=dict)
    # (MN, deviation) -> [frames, first receive time, last receive time]
    variants: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # frames the receiver answered whose values cannot be read: counted and sampled as "unusable"
    unusable: dict[tuple[str, str], int] = field(default_factory=dict)
    unusable_samples: list[RejectedSample] = field(default_factory=list)

    def count_variant(self, mn: str, name: str, received_ns: int) -> None:
        entry = self.variants.get((mn, name))
        if entry is None:
            self.variants[(mn, name)] = [1, received_ns, received_ns]
        else:
            entry[0] += 1
            entry[1] = min(entry[1], received_ns)
            entry[2] = max(entry[2], received_ns)

    def count_unusable(self, mn: str, error: str, record: LandingRecord) -> None:
        key = (mn or "?", "unusable")
        self.unusable[key] = self.unusable.get(key, 0) + 1
        if self.unusable[key] <= SAMPLES_PER_REASON:
            self.unusable_samples.append(
                RejectedSample(
                    mn=key[0],
                    reason="unusable",
                    message=f"answered and landed, but its values cannot be read: {error}",
                    peer=record.peer,
                    received_ns=record.received_ns,
                    frame=record.frame,
                )
            )


def ingest_landing(
    landing: str | os.PathLike[str] | None = None,
    lake: Lake | None = None,
    *,
    progress: Progress = no_progress,
) -> IngestResult:
    """Move the closed landing files of `landing` (default <data dir>/landing) into the lake.

    `progress` hears the landing files read so far, of all the pending ones.

    Values become rows keyed by (MN, data kind, DataTime, factor, field) after split packets are
    reassembled across the pending files; frames of quarantined MNs are stored with status "quarantine"
    and their MNs listed in QuarantinedDevice; devices get their last frame time and kind. Running it again
    finds no pending file and stores nothing.

    The files are read as a stream: a bounded number of frames is decoded at a time and a bounded number
    of values is stored per transaction (each with its audit entry), so memory does not grow with the
    backlog. A file is marked moved once all its values are committed and no split packet still waits
    for a part of it; a crash in between leaves it pending, and its values, stored again by the next run,
    are de-duplicated on their key by every reader."""
    directory = Path(landing) if landing is not None else landing_dir()
    if not directory.is_dir():
        return IngestResult()
    landing_log.recover_orphans(directory)
    files = landing_log.closed_files(directory)
    result = IngestResult(files=len(files))
    if not files:
        return result
    builder = RowBuilder()
    quarantined_mns: set[str] = set()
    chunk = _Chunk()
    run: SourcesRun | None = None
    moved = 0

    def decoded() -> None:
        rows = builder.take_rows()
        if rows.height:
            chunk.rows.append(rows)
            chunk.height += rows.height

    def commit(finished: int) -> None:
        """Store the chunk, then mark moved the files among the first `finished` that may go."""
        nonlocal chunk, run, moved
        decoded()
        run = _store_chunk(chunk, quarantined_mns, result, run, lake)
        chunk = _Chunk()
        oldest = builder.oldest_pending()
        keep_from = finished if oldest is None else min(finished, int(oldest))
        for path in files[moved:keep_from]:
            landing_log.mark_moved(path)
        moved = max(moved, keep_from)

    for index, path in enumerate(files):
        progress(index, len(files), path.name)
        for record in landing_log.replay(path):
            number = result.frames
            result.frames += 1
            chunk.frames += 1
            mn = str(record.meta.get("mn") or "")
            if record.meta.get("status") == "quarantine":
                quarantined_mns.add(mn)
                result.quarantined_frames += 1
                entry = chunk.quarantined.get(mn)
                if entry is None:
                    chunk.quarantined[mn] = [record.received_ns, record.received_ns, 1, record.peer]
                else:
                    entry[0] = min(entry[0], record.received_ns)
                    entry[1] = max(entry[1], record.received_ns)
                    entry[2] += 1
                    entry[3] = record.peer
            else:
                latest = chunk.seen.get(mn)
                if latest is None or record.received_ns >= latest[0]:
                    chunk.seen[mn] = (record.received_ns, str(record.meta.get("cn") or ""))
            if record.meta.get("warning"):
                result.add_warning(f"frame {number} (MN {record.meta.get('mn')}): {record.meta['warning']}")
            read = builder.add(record.frame, origin=index)
            if read.error is not None:
                result.add_unusable(f"frame {number}: {read.error}")
                chunk.count_unusable(mn, read.error, record)
            for name in read.variants:
                result.variants[name] = result.variants.get(name, 0) + 1
                chunk.count_variant(mn, name, record.received_ns)
            if chunk.frames % DECODE_FRAMES == 0:
                decoded()
                if chunk.height >= STORE_ROWS:
                    commit(index)
    if chunk.frames or run is None:
        commit(len(files))
    for path in files[moved:]:  # split packets still incomplete at the end are left out, as they came
        landing_log.mark_moved(path)
    progress(len(files), len(files))
    return result


def _store_chunk(
    chunk: _Chunk, quarantined_mns: set[str], result: IngestResult, run: SourcesRun | None, lake: Lake | None
) -> SourcesRun:
    rows = pl.concat(chunk.rows) if chunk.rows else frames_to_rows([])[0]
    rows = rows.with_columns(
        pl.when(pl.col("mn").is_in(list(quarantined_mns)))
        .then(pl.lit("quarantine"))
        .otherwise(pl.lit("accepted"))
        .alias("status"),
        pl.lit(False).alias("generated"),
    )
    result.rows += rows.height
    with transaction.atomic():
        if run is None:
            run = SourcesRun.objects.create(kind=SourcesRun.Kind.INGEST, summary=asdict(result))
        else:
            run.summary = asdict(result)
            run.save(update_fields=["summary"])
        _update_devices(chunk.seen)
        _update_quarantine(chunk.quarantined)
        _update_variants(chunk.variants)
        if chunk.unusable:
            add_counters(chunk.unusable)
            add_samples(chunk.unusable_samples)
        record_audit(run, action="sources.landing_ingested", actor=None, after=asdict(result))
        sources_lake.store(rows, store_=lake)
    return run


def _aware(received_ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(received_ns / 1e9, tz=dt.UTC)


def _update_devices(seen: Mapping[str, tuple[int, str]]) -> None:
    changed = []
    for device in Device.objects.filter(mn__in=list(seen)):
        received_ns, cn = seen[device.mn]
        moment = _aware(received_ns)
        if device.last_seen_at is None or moment > device.last_seen_at:
            device.last_seen_at = moment
            device.last_frame_kind = DATA_KINDS.get(cn, cn)
            changed.append(device)
    Device.objects.bulk_update(changed, ["last_seen_at", "last_frame_kind"])


def _update_quarantine(quarantined: Mapping[str, list[Any]]) -> None:
    if not quarantined:
        return
    registered = set(Device.objects.filter(mn__in=list(quarantined)).values_list("mn", flat=True))
    for mn, (first, last, frames, peer) in quarantined.items():
        if mn in registered:  # registered since it was landed
            continue
        entry, created = QuarantinedDevice.objects.get_or_create(
            mn=mn,
            defaults={
                "first_seen": _aware(first),
                "last_seen": _aware(last),
                "frames": frames,
                "peer": peer[:100],
            },
        )
        if not created:
            entry.first_seen = min(entry.first_seen, _aware(first))
            entry.last_seen = max(entry.last_seen, _aware(last))
            entry.frames += frames
            entry.peer = peer[:100]
            entry.save()


def _update_variants(variants: Mapping[tuple[str, str], list[int]]) -> None:
    for (mn, name), (frames, first, last) in sorted(variants.items()):
        updated = VariantCount.objects.filter(mn=mn, variant=name).update(
            frames=F("frames") + frames, last_seen=Greatest("last_seen", _aware(last))
        )
        if not updated:
            VariantCount.objects.create(
                mn=mn, variant=name, frames=frames, first_seen=_aware(first), last_seen=_aware(last)
            )


def store_generated(rows: pl.DataFrame, *, lake: Lake | None = None) -> int:
    """Store demo rows (frames_to_rows output) marked generated."""
    marked = rows.with_columns(pl.lit("accepted").alias("status"), pl.lit(True).alias("generated"))
    return sources_lake.store(marked, store_=lake)


# --- screening -----------------------------------------------------------------------------------------


@transaction.atomic
def detect_exceedances(
    *, start: dt.datetime, end: dt.datetime, outlets: Iterable[int] | None = None, by: Actor = None
) -> list[ExceedanceEvent]:
    """Replace the exceedance events starting in [start, end) by those found in the hourly values
    (see envplan.sources.analytics.exceedance_events); running it again gives the same events."""
    limits = analytics.limits_frame(outlets)
    devices = analytics.devices_frame(outlets)
    scope = limits.get_column("outlet_id").unique().to_list()
    hourly = sources_lake.devices_hourly(devices, start=start - dt.timedelta(hours=1), end=end)
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
