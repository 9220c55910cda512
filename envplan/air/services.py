"""Changes to the air app's data. Each service runs in one transaction with its audit entry; the lake
writes happen inside that transaction, last, so that a failed write leaves no import record behind (a
lake write is atomic per date partition, and re-importing the same rows never doubles them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from envplan.air import lake as air_lake
from envplan.air.models import AirImport, ImportStatus, Station, StationKind
from envplan.commandline import Progress, no_progress
from envplan.core.file_imports import Upload, read_upload
from envplan.core.registry_csv import (
    clean_choice,
    clean_coordinates,
    clean_text,
    import_registry,
    require_filled,
)
from envplan.core.services import Actor, person, record_audit, save_changes, snapshot
from envplan.standards.air import (
    Validated,
    daily_aqi,
    daily_statistics,
    kernel,
    read_air_csv,
    read_cnemc_text,
    validate_air_frame,
)
from envplan.standards.air.stats import belongs_to_day

STATION_FIELDS = ("code", "name", "name_zh", "city", "district", "latitude", "longitude", "kind")
FORMATS = ("csv", "cnemc")


class AirError(ValueError):
    """Unusable input: the message names the file, line and field where it can."""


# --- stations -----------------------------------------------------------------------------------------


def _clean_station(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: fields[k] for k in STATION_FIELDS if k in fields}
    clean_text(cleaned, ("code", "name", "name_zh", "city", "district", "kind"))
    clean_coordinates(cleaned, AirError)
    clean_choice(cleaned, "kind", StationKind.values, default=StationKind.NATIONAL, error=AirError)
    require_filled(cleaned, ("code", "name", "city"), AirError)
    return cleaned


@transaction.atomic
def create_station(*, by: Actor, **fields: Any) -> Station:
    cleaned = _clean_station(fields)
    if Station.objects.filter(code=cleaned["code"]).exists():
        raise AirError(f"code: a station '{cleaned['code']}' exists already")
    station = Station.objects.create(**cleaned)
    record_audit(station, action="air.station_created", actor=by, after=snapshot(station, STATION_FIELDS))
    return station


@transaction.atomic
def update_station(station: Station, *, by: Actor, **fields: Any) -> Station:
    cleaned = _clean_station(fields)
    cleaned.pop("code", None)  # the code is the key of the station's hours in the lake
    save_changes(station, cleaned, by=by, action="air.station_updated", fields=STATION_FIELDS)
    return station


def import_stations(path: str | os.PathLike[str], *, by: Actor) -> list[Station]:
    """Create or update stations from a CSV with the header `code,name,name_zh,city,district,latitude,
    longitude,kind` (name_zh, district, coordinates and kind optional). All or nothing."""

    def save_row(row: dict[str, str]) -> Station:
        existing = Station.objects.filter(code=(row.get("code") or "").strip()).first()
        if existing is None:
            return create_station(by=by, **row)
        return update_station(existing, by=by, **row)

    return import_registry(path, required=("code", "name", "city"), save_row=save_row, error=AirError)


# --- hourly imports -----------------------------------------------------------------------------------


def parse_hourly(data: bytes, *, file_name: str, fmt: str, known_stations: Iterable[str]) -> Validated:
    """Read and validate an hourly file (our documented CSV, or a CNEMC release as CSV or GeoJSON) with the
    checks of `envplan air aqi`, in one pass; every pollutant column must be present."""
    if fmt not in FORMATS:
        raise AirError(f"{file_name}: unknown format '{fmt}' (csv or cnemc)")
    stations = list(known_stations)
    try:
        if fmt == "csv":
            return read_air_csv(
                data, kind="realtime", file=file_name, known_stations=stations, require=air_lake.POLLUTANTS
            )
        suffix = Path(file_name).suffix.lower() or ".csv"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"release{suffix}"
            path.write_bytes(data)
            raw = read_cnemc_text(path)
    except (pl.exceptions.PolarsError, ValueError, KeyError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise AirError(f"{file_name}, line 1: not a readable {fmt} file: {first}") from None
    return validate_air_frame(
        raw, file=file_name, kind="realtime", known_stations=stations, require=air_lake.POLLUTANTS
    )


def _hourly_rows(validated: Validated) -> pl.DataFrame:
    """The rows without errors, in the lake's hourly columns."""
    typed = validated.rows()
    return typed.select(
        pl.col("station_code").cast(pl.String).str.strip_chars()
        if "station_code" in typed.columns
        else pl.lit(None, dtype=pl.String).alias("station_code"),
        pl.col("time").cast(pl.Datetime("us")),
        *[
            pl.col(p).cast(pl.Float64) if p in typed.columns else pl.lit(None, dtype=pl.Float64).alias(p)
            for p in air_lake.POLLUTANTS
        ],
    )


def _new_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Drop rows the lake already holds with the same values (so that a re-import writes nothing)."""
    if rows.height == 0:
        return rows
    start = rows.get_column("time").min()
    end = rows.get_column("time").max()
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    existing = (
        air_lake.hourly(start=start - dt.timedelta(microseconds=1), end=end)
        .select("station_code", "time", *air_lake.POLLUTANTS)
        .collect()
    )
    if existing.height == 0:
        return rows
    compared = ["station_code", "time", *air_lake.POLLUTANTS]
    return rows.join(existing, on=compared, how="anti", nulls_equal=True)


# An hourly import's steps, as its progress reports them: read the file, check it, record the import,
# store its rows in the lake.
IMPORT_STEPS = 4


def import_hourly(
    file: str | os.PathLike[str] | Upload,
    *,
    by: Actor,
    strict: bool = False,
    fmt: str = "csv",
    generated: bool = False,
    progress: Progress = no_progress,
) -> AirImport:
    """Validate an hourly file against the known stations and store its valid rows in the lake.

    `progress` hears each of the import's IMPORT_STEPS as it starts (a bar on a terminal, a job's page).
    The file is read and checked before the transaction that records the import and stores its rows, so
    that a job's page sees the first steps while they run, and other writers are not held up meanwhile.

    strict: any error rejects the whole file and stores nothing. Otherwise the valid rows are stored and
    the others reported (file, line, field, message) in `AirImport.errors`: the first 1,000 of them, with
    the count of all in `AirImport.error_count`. Raises AirError when the file cannot be read at all.
    """
    progress(0, IMPORT_STEPS, "read")
    file_name, data = read_upload(file, error=AirError)
    progress(1, IMPORT_STEPS, "check")
    stations = dict(Station.objects.values_list("code", "city"))
    validated = parse_hourly(data, file_name=file_name, fmt=fmt, known_stations=stations)
    rejected = (strict and validated.error_count > 0) or validated.unusable
    valid = _hourly_rows(validated)
    if rejected:
        valid = valid.head(0)
        status = ImportStatus.REJECTED
    elif validated.error_count:
        status = ImportStatus.PARTIAL
    else:
        status = ImportStatus.STORED
    days = sorted({d.isoformat() for d in valid.select(belongs_to_day(pl.col("time"))).to_series()})
    problems = validated.problems()
    with transaction.atomic():
        progress(2, IMPORT_STEPS, "record")
        record = AirImport.objects.create(
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,
            strict=strict,
            rows=valid.height,
            rows_read=validated.frame.height,
            errors=list(problems.kept),
            error_count=problems.total,
            days=days,
            evaluated=not days,
            status=status,
            by=person(by),
        )
        record_audit(
            record,
            action="air.hourly_imported",
            actor=by,
            after={
                "file": record.file_name,
                "sha256": record.sha256,
                "rows": record.rows,
                "errors": validated.error_count,
                "status": record.status,
            },
        )
        progress(3, IMPORT_STEPS, "store")
        if valid.height:
            lake_rows = (
                _new_rows(valid)
                .with_columns(
                    pl.col("station_code").replace_strict(stations, return_dtype=pl.String).alias("city"),
                    pl.lit(generated).alias("generated"),
                    pl.lit(record.pk, dtype=pl.Int64).alias("import_id"),
                )
                .select(list(air_lake.HOURLY_SCHEMA))
            )
            air_lake.lake().append(air_lake.HOURLY, lake_rows, date_column="time")
    progress(IMPORT_STEPS, IMPORT_STEPS, "done")
    return record


# --- daily evaluation ---------------------------------------------------------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Hours belonging to `day` are labelled day 01:00 … next day 00:00 (exclusive start bound)."""
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def pending_days() -> list[dt.date]:
    """Days with hourly data and no daily result, plus the days of imports not yet evaluated."""
    hourly_days = set(
        air_lake.hourly().select(belongs_to_day(pl.col("time")).alias("day")).unique().collect().to_series()
    )
    daily = air_lake.daily()
    done = set(daily.select("date").unique().collect().to_series()) if daily is not None else set()
    touched = {
        dt.date.fromisoformat(day)
        for days in AirImport.objects.filter(evaluated=False).values_list("days", flat=True)
        for day in days
    }
    return sorted((hourly_days - done) | (touched & hourly_days))


def evaluate_days(days: Iterable[dt.date] | None = None) -> dict[str, int]:
    """Daily statistics and daily AQI (GB 3095 validity, HJ 633) of the given days — by default the
    pending ones — for every station, stored in the lake (kind air_daily). Returns counts."""
    pending = days is None
    chosen = sorted(set(days)) if days is not None else pending_days()
    if not chosen:
        if pending:
            AirImport.objects.filter(evaluated=False).update(evaluated=True)
        return {"days": 0, "station_days": 0}
    first, _ = _day_bounds(chosen[0])
    _, last = _day_bounds(chosen[-1])
    wanted = pl.Series(chosen, dtype=pl.Date).implode()
    loading = kernel.Loading()  # the AQI kernel loads while the lake is read
    hours = (
        air_lake.hourly(start=first, end=last).filter(belongs_to_day(pl.col("time")).is_in(wanted)).collect()
    )
    if hours.height == 0:
        loading.wait()
        return {"days": 0, "station_days": 0}
    # The hour grid of daily_statistics spans each station's first to last hour: keep the chosen days.
    statistics = daily_statistics(hours)
    loading.wait()
    result = daily_aqi(statistics).filter(pl.col("date").is_in(wanted))
    extra = hours.group_by("station_code", belongs_to_day(pl.col("time")).alias("date")).agg(
        pl.col("city").drop_nulls().first(), pl.col("generated").fill_null(False).any()
    )
    result = result.join(extra, on=["station_code", "date"], how="left")
    air_lake.lake().append(air_lake.DAILY, result, date_column="date")
    if pending:
        AirImport.objects.filter(evaluated=False).update(evaluated=True)
    return {"days": result.get_column("date").n_unique(), "station_days": result.height}
