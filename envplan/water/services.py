"""Changes to the water app's data. Each service runs in one transaction with its audit entry; lake writes
happen inside that transaction, last, so that a failed write leaves no import record behind. A sample file
is stored whole or not at all, and re-importing the same rows never doubles them."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction

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
from envplan.problems import DEFAULT_LIMIT, ProblemList
from envplan.standards.water import (
    ERROR_SCHEMA,
    ITEM_CODES,
    KNOWN_COLUMNS,
    UnreadableFile,
    parse_samples,
    read_samples_csv,
)
from envplan.water import evaluation
from envplan.water import lake as water_lake
from envplan.water.models import (
    TARGET_CLASS_CHOICES,
    ImportStatus,
    MonitoringSection,
    MonitoringSectionLevel,
    Waterbody,
    WaterImport,
)

MONITORING_SECTION_FIELDS = (
    "code",
    "name",
    "name_zh",
    "river_or_lake",
    "waterbody",
    "level",
    "target_class",
    "latitude",
    "longitude",
    "is_drinking_water_source",
    "active",
)
_TEXT_FIELDS = ("code", "name", "name_zh", "river_or_lake", "waterbody", "level", "target_class")
_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"}
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class WaterError(ValueError):
    """Unusable input: the message names the file, line and field where it can."""


# --- monitoring sections ------------------------------------------------------------------------------


def target_class_label(text: str) -> str:
    """'III', 'iii', 'Ⅲ', 'Ⅲ类' -> 'III'; raises WaterError for anything else (劣V is never a target)."""
    label = text.strip()
    for roman, ascii_label in _ROMAN.items():
        label = label.replace(roman, ascii_label)
    label = label.removesuffix("类").upper()
    if label not in dict(TARGET_CLASS_CHOICES):
        raise WaterError(f"target_class: '{text}' is not a class I-V")
    return label


def _flag(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise WaterError(f"{key}: '{raw}' is not 0/1 (yes/no)")


def _clean_monitoring_section(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: fields[k] for k in MONITORING_SECTION_FIELDS if k in fields}
    clean_text(cleaned, _TEXT_FIELDS)
    clean_coordinates(cleaned, WaterError)
    if "waterbody" in cleaned:
        cleaned["waterbody"] = (cleaned["waterbody"] or Waterbody.RIVER).lower()
        if cleaned["waterbody"] not in Waterbody.values:
            raise WaterError(
                f"waterbody: unknown water-body type '{cleaned['waterbody']}' (expected river or lake)"
            )
    clean_choice(
        cleaned,
        "level",
        MonitoringSectionLevel.values,
        default=MonitoringSectionLevel.NATIONAL,
        error=WaterError,
    )
    if "target_class" in cleaned:
        cleaned["target_class"] = target_class_label(cleaned["target_class"] or "III")
    for key in ("is_drinking_water_source", "active"):
        if key in cleaned:
            cleaned[key] = _flag(key, cleaned[key] if key != "active" or cleaned[key] != "" else "1")
    require_filled(cleaned, ("code", "name", "river_or_lake"), WaterError)
    return cleaned


@transaction.atomic
def create_monitoring_section(*, by: Actor, **fields: Any) -> MonitoringSection:
    cleaned = _clean_monitoring_section(fields)
    for key in ("code", "name", "river_or_lake"):
        if not cleaned.get(key):
            raise WaterError(f"{key}: missing")
    if MonitoringSection.objects.filter(code=cleaned["code"]).exists():
        raise WaterError(f"code: a monitoring section '{cleaned['code']}' exists already")
    monitoring_section = MonitoringSection.objects.create(**cleaned)
    record_audit(
        monitoring_section,
        action="water.section_created",
        actor=by,
        after=snapshot(monitoring_section, MONITORING_SECTION_FIELDS),
    )
    return monitoring_section


@transaction.atomic
def update_monitoring_section(
    monitoring_section: MonitoringSection, *, by: Actor, **fields: Any
) -> MonitoringSection:
    cleaned = _clean_monitoring_section(fields)
    cleaned.pop("code", None)  # the code is the key of the section's samples in the lake
    save_changes(
        monitoring_section, cleaned, by=by, action="water.section_updated", fields=MONITORING_SECTION_FIELDS
    )
    return monitoring_section


def import_monitoring_sections(path: str | os.PathLike[str], *, by: Actor) -> list[MonitoringSection]:
    """Create or update sections from a CSV with the header `code,name,name_zh,river_or_lake,waterbody,
    level,target_class,latitude,longitude,is_drinking_water_source,active` (code, name, river_or_lake
    required). All or nothing: the first bad row stops the import, naming file, line and field."""

    def save_row(row: dict[str, str]) -> MonitoringSection:
        existing = MonitoringSection.objects.filter(code=(row.get("code") or "").strip()).first()
        if existing is None:
            return create_monitoring_section(by=by, **row)
        return update_monitoring_section(existing, by=by, **row)

    return import_registry(
        path, required=("code", "name", "river_or_lake"), save_row=save_row, error=WaterError
    )


# --- sample imports -----------------------------------------------------------------------------------


def _raw_column(raw: pl.DataFrame, name: str) -> str | None:
    """The raw header that the pure validator reads as `name` (trimmed, case-insensitive)."""
    for index, header in enumerate(raw.columns):
        if (header.lstrip("\ufeff") if index == 0 else header).strip().lower() == name:
            return header
    return None


def registry_errors(
    raw: pl.DataFrame, lines: pl.Series, *, file: str, monitoring_sections: dict[str, tuple[str, str]]
) -> pl.DataFrame:
    """Rows naming a section the registry does not know, or contradicting its water-body type or target
    class (`sections`: code -> (waterbody, target class)). Rows the validator rejects for the same field
    are left to it."""
    monitoring_section_header = _raw_column(raw, "section")
    if monitoring_section_header is None or raw.height == 0:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    frame = raw.with_columns(pl.Series("_line", lines.cast(pl.Int64)))
    code = pl.col(monitoring_section_header).str.strip_chars()
    known = code.is_in(list(monitoring_sections))
    waterbody_of = code.replace_strict(
        {k: v[0] for k, v in monitoring_sections.items()}, default=None, return_dtype=pl.String
    )
    target_of = code.replace_strict(
        {k: v[1] for k, v in monitoring_sections.items()}, default=None, return_dtype=pl.String
    )
    checks: list[tuple[str, pl.Expr]] = [
        (
            "section",
            pl.when(code.is_not_null() & (code != "") & ~known).then(
                pl.concat_str(
                    pl.lit("unknown monitoring section '"),
                    code,
                    pl.lit("' (register it in the sections first)"),
                )
            ),
        )
    ]
    waterbody_header = _raw_column(raw, "waterbody")
    if waterbody_header is not None:
        given = pl.col(waterbody_header).str.strip_chars().str.to_lowercase()
        checks.append(
            (
                "waterbody",
                pl.when(known & given.is_in(list(Waterbody.values)) & (given != waterbody_of)).then(
                    pl.concat_str(
                        pl.lit("waterbody '"),
                        given,
                        pl.lit("' differs from the registry's '"),
                        waterbody_of,
                        pl.lit("' for section '"),
                        code,
                        pl.lit("'"),
                    )
                ),
            )
        )
    target_header = _raw_column(raw, "target_class")
    if target_header is not None:
        given_target = (
            pl.col(target_header)
            .str.strip_chars()
            .str.replace_many(list(_ROMAN), list(_ROMAN.values()))
            .str.strip_suffix("类")
            .str.to_uppercase()
        )
        checks.append(
            (
                "target_class",
                pl.when(
                    known & given_target.is_in(list(dict(TARGET_CLASS_CHOICES))) & (given_target != target_of)
                ).then(
                    pl.concat_str(
                        pl.lit("target class '"),
                        given_target,
                        pl.lit("' differs from the registry's '"),
                        target_of,
                        pl.lit("' for section '"),
                        code,
                        pl.lit("'"),
                    )
                ),
            )
        )
    parts = [
        frame.select(
            pl.lit(file).alias("file"),
            pl.col("_line").alias("line"),
            pl.lit(field).alias("field"),
            check.alias("message"),
        ).filter(pl.col("message").is_not_null())
        for field, check in checks
    ]
    return pl.concat(parts).cast(ERROR_SCHEMA)


def duplicate_errors(samples: pl.DataFrame, *, file: str) -> pl.DataFrame:
    """A section sampled twice at the same time in one file: the later line is an error."""
    if samples.height == 0:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    first_line = pl.col("source_line").min().over("monitoring_section", "time")
    return (
        samples.filter(pl.col("source_line") != first_line)
        .select(
            pl.lit(file).alias("file"),
            pl.col("source_line").alias("line"),
            pl.lit("time").alias("field"),
            pl.concat_str(
                pl.lit("section '"),
                pl.col("monitoring_section"),
                pl.lit("' already has a sample at "),
                pl.col("time_text"),
                pl.lit(" on line "),
                first_line.cast(pl.String),
            ).alias("message"),
        )
        .cast(ERROR_SCHEMA)
    )


@dataclass(frozen=True)
class CheckedSamples:
    samples: pl.DataFrame  # SAMPLES_SCHEMA without generated/import_id; empty when there are errors
    errors: pl.DataFrame  # ERROR_SCHEMA, sorted by line
    rows_read: int


def check_samples(
    data: bytes, *, file: str, monitoring_sections: dict[str, tuple[str, str]]
) -> CheckedSamples:
    """The pure validator plus the registry's checks; every error of the file, in line order."""
    try:
        raw, lines = read_samples_csv(data, file=file)
    except UnreadableFile as error:
        message = str(error).removeprefix(f"{file}: ")
        errors = pl.DataFrame([(file, 1, "file", message)], schema=ERROR_SCHEMA, orient="row")
        return CheckedSamples(pl.DataFrame(), errors, 0)
    parsed = parse_samples(raw, file=file, lines=lines)
    errors = pl.concat(
        [parsed.errors, registry_errors(raw, lines, file=file, monitoring_sections=monitoring_sections)]
    )
    if parsed.ok:
        errors = pl.concat([errors, duplicate_errors(parsed.samples, file=file)])
    order = {name: index for index, name in enumerate(KNOWN_COLUMNS)}
    errors = (
        errors.unique(maintain_order=True)
        .with_columns(
            pl.col("field").replace_strict(order, default=-1, return_dtype=pl.Int64).alias("_order")
        )
        .sort("line", "_order", maintain_order=True)
        .drop("_order")
    )
    rows_read = parsed.samples.height if parsed.ok else int(lines.len())
    if errors.height:
        return CheckedSamples(pl.DataFrame(), errors, rows_read)
    typed = parsed.samples
    columns: list[pl.Expr] = [
        pl.col("monitoring_section"),
        pl.col("time").cast(pl.Datetime("us")),
        pl.col("waterbody").cast(pl.String),
    ]
    for code in ITEM_CODES:
        columns.append(
            pl.col(code).cast(pl.Float64) if code in typed.columns else pl.lit(None, pl.Float64).alias(code)
        )
    columns.append(pl.col("dry") if "dry" in typed.columns else pl.lit(False).alias("dry"))
    return CheckedSamples(typed.select(columns), errors, rows_read)


def _new_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Drop rows the lake already holds with the same values, so that a re-import writes nothing."""
    if rows.height == 0:
        return rows
    times = rows.get_column("time")
    start, end = times.min(), times.max()
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    existing = water_lake.samples(start=start.date(), end=end.date()).select(rows.columns)
    if existing.height == 0:
        return rows
    return rows.join(existing, on=rows.columns, how="anti", nulls_equal=True)


def _append(new: pl.DataFrame, *, generated: bool, import_id: int | None) -> None:
    if new.height == 0:
        return
    lake_rows = new.with_columns(
        pl.lit(generated).alias("generated"), pl.lit(import_id, dtype=pl.Int64).alias("import_id")
    ).select(list(water_lake.SAMPLES_SCHEMA))
    water_lake.lake().append(water_lake.SAMPLES, lake_rows, date_column="time")


def _registry() -> dict[str, tuple[str, str]]:
    return {
        code: (waterbody, target)
        for code, waterbody, target in MonitoringSection.objects.values_list(
            "code", "waterbody", "target_class"
        )
    }


# A sample import's steps, as its progress reports them: read, check, record, store in the lake.
IMPORT_STEPS = 4


def import_samples(
    file: str | os.PathLike[str] | Upload,
    *,
    by: Actor,
    generated: bool = False,
    progress: Progress = no_progress,
) -> WaterImport:
    """Validate a sample file (the water CSV: see `envplan.standards.water`) against the section registry and
    store it in the lake, whole, or reject it whole. `progress` hears each of IMPORT_STEPS as it starts;
    the file is read and checked before the transaction, so that a job's page sees those steps as they run.

    Side effects: one WaterImport row (status stored or rejected, the first 1,000 errors as
    {file, line, field, message} and the count of all), one audit entry, and for a stored file the rows
    not already in the lake appended to `water_samples` (so a re-import writes nothing). Raises WaterError
    only when a path cannot be opened.
    """
    progress(0, IMPORT_STEPS, "read")
    file_name, data = read_upload(file, error=WaterError)
    progress(1, IMPORT_STEPS, "check")
    checked = check_samples(data, file=file_name, monitoring_sections=_registry())
    rejected = checked.errors.height > 0
    problems = ProblemList.first(checked.errors.head(DEFAULT_LIMIT).to_dicts(), total=checked.errors.height)
    with transaction.atomic():  # the lake is compared and written in it: one import at a time
        new = checked.samples.head(0) if rejected else _new_rows(checked.samples)
        progress(2, IMPORT_STEPS, "record")
        record = WaterImport.objects.create(
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            rows=0 if rejected else checked.samples.height,
            rows_new=new.height,
            rows_read=checked.rows_read,
            errors=list(problems.kept),
            error_count=problems.total,
            status=ImportStatus.REJECTED if rejected else ImportStatus.STORED,
            by=person(by),
        )
        record_audit(
            record,
            action="water.samples_imported",
            actor=by,
            after={
                "file": record.file_name,
                "sha256": record.sha256,
                "rows": record.rows,
                "rows_new": record.rows_new,
                "errors": record.error_count,
                "status": record.status,
            },
        )
        # Last: a failure above leaves nothing in the lake; a failed append rolls the import record back.
        progress(3, IMPORT_STEPS, "store")
        _append(new, generated=generated, import_id=record.pk)
    progress(IMPORT_STEPS, IMPORT_STEPS, "done")
    return record


def store_generated_samples(frame: pl.DataFrame) -> int:
    """Write demo samples straight to the lake, marked `generated` (frame in SAMPLES_SCHEMA order, without
    generated/import_id). Returns the rows written."""
    new = _new_rows(frame)
    _append(new, generated=True, import_id=None)
    return new.height


# --- evaluation ---------------------------------------------------------------------------------------


def parse_period(text: str) -> tuple[int, int | None]:
    """'2025' -> (2025, None); '2025-06' -> (2025, 6). Raises WaterError otherwise."""
    match = _PERIOD.match(text.strip())
    month = int(match.group(2)) if match and match.group(2) else None
    if match is None or (month is not None and not 1 <= month <= 12):
        raise WaterError(f"--period: '{text}' is not YYYY or YYYY-MM")
    return int(match.group(1)), month


def evaluate_water(period: str | None = None, *, today: dt.date) -> dict[str, int]:
    """Monthly and year-to-date results of every registered section for `period` ('YYYY' or 'YYYY-MM';
    default: the year of `today`), stored in the lake kind `water_evaluations` (re-running replaces them).
    A year runs through `today` when it is the current one; a month gives that month and the year to date
    through it. Returns counts of sections, months and result rows."""
    year, month = parse_period(period) if period else (today.year, None)
    through = dt.date(year, month, 1) if month else min(today, dt.date(year, 12, 31))
    monitoring_sections = dict(MonitoringSection.objects.values_list("code", "target_class"))
    samples = evaluation.with_registry(
        water_lake.samples(start=dt.date(year, 1, 1), end=evaluation.month_end(through)), monitoring_sections
    )
    results = evaluation.monitoring_section_results(samples, year=year, through=through)
    if month is not None and results.height:
        results = results.filter(pl.col("period") == dt.date(year, month, 1))
    if results.height == 0:
        return {"sections": 0, "months": 0, "rows": 0}
    stored = results.with_columns(
        pl.col(pl.Enum, pl.Categorical).cast(pl.String), pl.col("main_pollutants").list.join(";")
    ).drop("exceedance", strict=False)
    water_lake.lake().append(water_lake.EVALUATIONS, stored, date_column="period")
    return {
        "sections": results.get_column("monitoring_section").n_unique(),
        "months": results.get_column("period").n_unique(),
        "rows": results.height,
    }
