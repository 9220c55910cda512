"""Raw (all-text) water sample rows -> typed frame, with per-row errors (file, line, field, message).

The raw format is the water CSV: ``section``, ``time``, ``waterbody`` (``river`` or ``lake``), any item of
``limits.ITEM_CODES``, optional ``target_class`` and ``dry``. Header names are matched case-insensitively
after trimming (``pH`` = ``ph``); other columns are ignored and reported in ``ParsedSamples.ignored_columns``.
Values below a detection limit are written ``<0.01`` (also ``＜0.01``) or ``0.01L`` and become a number by the
configured convention (``WaterRules.below_detection_limit``, default half the limit).

Rejection is all or nothing: when ``errors`` is not empty the caller must store nothing from the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from envplan.standards.water.limits import ITEM_CODES, PH_VALID_RANGE, WATER_CLASS, WATERBODY
from envplan.standards.water.rules import DEFAULT_RULES, DETECTION_LIMIT_FACTOR, WaterRules

ERROR_SCHEMA: Final = pl.Schema(
    {"file": pl.String, "line": pl.Int64, "field": pl.String, "message": pl.String}
)
REQUIRED_COLUMNS: Final = ("section", "time", "waterbody")
OPTIONAL_COLUMNS: Final = ("target_class", "dry")
KNOWN_COLUMNS: Final = (*REQUIRED_COLUMNS, *ITEM_CODES, *OPTIONAL_COLUMNS)

_NUMBER: Final = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_BELOW_PREFIX: Final = rf"^[<＜]\s*({_NUMBER})$"
_BELOW_SUFFIX: Final = rf"^({_NUMBER})\s*[Ll]$"
_TIME_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m",
    "%Y/%m",
)
_TIME_HINT: Final = "expected YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]"
_ROMAN: Final = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"}
_CLASS_TEXT: Final = {"I": "I", "II": "II", "III": "III", "IV": "IV", "V": "V", "劣V": "劣V"}
_TRUE: Final = ("1", "true", "yes", "y")
_FALSE: Final = ("0", "false", "no", "n")


@dataclass(frozen=True, slots=True)
class ParsedSamples:
    """Typed samples plus errors and the ignored columns.

    ``samples`` schema: ``source_line`` (Int64), ``monitoring_section`` (String), ``time`` (Datetime[us]),
    ``time_text`` (String, as written), ``waterbody`` (``WATERBODY``), then each item column present in the
    input (Float64, mg/L; fecal coliforms per litre; null = not measured), ``target_class`` (``WATER_CLASS``)
    and ``dry`` (Boolean) when present.
    ``errors`` schema: ``ERROR_SCHEMA``. When there are errors ``samples`` is empty.
    """

    samples: pl.DataFrame
    errors: pl.DataFrame
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.errors.height == 0


def parse_class_label(text: pl.Expr) -> pl.Expr:
    """Text class label -> ``WATER_CLASS``; null when empty or unknown.

    Accepts ASCII (``III``, case-insensitive) or Unicode Roman numerals (``Ⅲ``), ``劣V``/``劣Ⅴ``, and a
    trailing ``类`` (``Ⅲ类``).
    """
    normalised = (
        text.str.strip_chars()
        .str.replace_many(list(_ROMAN), list(_ROMAN.values()))
        .str.strip_suffix("类")
        .str.to_uppercase()
    )
    return normalised.replace_strict(_CLASS_TEXT, default=None, return_dtype=WATER_CLASS)


def _parse_time(text: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        [text.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True) for fmt in _TIME_FORMATS]
    )


def _blank(text: pl.Expr) -> pl.Expr:
    return text.is_null() | (text == "")


def _quoted(text: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), text, pl.lit("'"))


def _numeric(code: str, factor: float) -> tuple[pl.Expr, pl.Expr]:
    """(value, error message) expressions for one item column of text."""
    text = pl.col(code).str.strip_chars()
    below = pl.coalesce(text.str.extract(_BELOW_PREFIX, 1), text.str.extract(_BELOW_SUFFIX, 1))
    is_below = below.is_not_null()
    number = (
        pl.when(is_below)
        .then(below.cast(pl.Float64, strict=False))
        .otherwise(text.cast(pl.Float64, strict=False))
    )
    value = pl.when(is_below).then(number * factor).otherwise(number)
    error = (
        pl.when(_blank(text))
        .then(pl.lit(None, pl.String))
        .when(number.is_null())
        .then(
            pl.concat_str(
                pl.lit("not a number: "),
                _quoted(text),
                pl.lit(" (write a value below a detection limit as <0.01 or 0.01L)"),
            )
        )
        .when(number.is_nan() | number.is_infinite())
        .then(pl.concat_str(pl.lit("not a finite number: "), _quoted(text)))
        .when(number < 0)
        .then(pl.concat_str(pl.lit("negative value "), text, pl.lit(" (concentrations cannot be negative)")))
    )
    if code == "ph":
        low, high = PH_VALID_RANGE
        error = (
            error.when(is_below)
            .then(pl.concat_str(pl.lit("pH cannot be below a detection limit: "), _quoted(text)))
            .when((number < low) | (number > high))
            .then(pl.concat_str(pl.lit("pH "), text, pl.lit(" outside 0-14")))
        )
    return value.alias(code), error.otherwise(None)


def _header_map(columns: list[str]) -> tuple[dict[str, str], list[str], tuple[str, ...]]:
    """Original header -> canonical name; duplicated canonical names; ignored headers."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    ignored: list[str] = []
    for index, name in enumerate(columns):
        canonical = (name.lstrip("\ufeff") if index == 0 else name).strip().lower()
        if canonical not in KNOWN_COLUMNS:
            ignored.append(name)
            continue
        if canonical in seen:
            duplicates.append(canonical)
            continue
        seen[canonical] = name
        mapping[name] = canonical
    return mapping, duplicates, tuple(ignored)


def _errors_frame(rows: list[tuple[str, int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ERROR_SCHEMA, orient="row")


def parse_samples(
    raw: pl.DataFrame,
    *,
    file: str,
    rules: WaterRules = DEFAULT_RULES,
    lines: pl.Series | None = None,
) -> ParsedSamples:
    """Validate and type a raw frame of text columns (see the module docstring for the format).

    ``lines`` gives the file line of each row (as from :func:`read_samples_csv`); by default row ``i`` is
    line ``i + 2`` (a header line, one line per row). Rows with every field blank are skipped.

    Row checks: section not empty; time a date or date-time; waterbody ``river`` or ``lake``; items numbers
    or detection-limit values, not negative, pH within 0-14 and not a detection-limit value;
    ``target_class`` a class label; ``dry`` 0/1 (true/false, yes/no) and a dry row without measurements.
    Section checks: one waterbody and one target class per section (rows that differ from the section's
    first value are reported).
    """
    mapping, duplicates, ignored = _header_map(raw.columns)
    header_errors = [(file, 1, name, "column given more than once") for name in duplicates]
    header_errors += [
        (file, 1, name, "missing column") for name in REQUIRED_COLUMNS if name not in mapping.values()
    ]
    if header_errors:
        return ParsedSamples(pl.DataFrame(), _errors_frame(header_errors), ignored)

    frame = raw.select(
        [pl.col(original).cast(pl.String).alias(canonical) for original, canonical in mapping.items()]
    )
    line = (
        lines.cast(pl.Int64)
        if lines is not None
        else pl.int_range(2, raw.height + 2, dtype=pl.Int64, eager=True)
    )
    frame = frame.with_columns(pl.Series("source_line", line))
    # Rows with every field blank (trailing or spacer lines of spreadsheets) are skipped, not errors.
    blank_row = pl.all_horizontal(
        _blank(pl.col(name).cast(pl.String).str.strip_chars()) for name in raw.columns
    )
    frame = frame.filter(~raw.select(blank_row).to_series())
    present = [code for code in ITEM_CODES if code in frame.columns]
    factor = DETECTION_LIMIT_FACTOR[rules.below_detection_limit]

    section = pl.col("section").str.strip_chars()
    time_text = pl.col("time").str.strip_chars()
    time = _parse_time(time_text)
    waterbody_text = pl.col("waterbody").str.strip_chars().str.to_lowercase()
    waterbody = waterbody_text.replace_strict(
        {"river": "river", "lake": "lake"}, default=None, return_dtype=WATERBODY
    )
    values: list[pl.Expr] = [
        pl.col("source_line"),
        section.alias("monitoring_section"),
        time.alias("time"),
        time_text.alias("time_text"),
        waterbody.alias("waterbody"),
    ]
    checks: list[tuple[str, pl.Expr]] = [
        ("section", pl.when(_blank(section)).then(pl.lit("section is empty"))),
        (
            "time",
            pl.when(_blank(time_text))
            .then(pl.lit(f"time is empty ({_TIME_HINT})"))
            .when(time.is_null())
            .then(
                pl.concat_str(pl.lit("not a date or time: "), _quoted(time_text), pl.lit(f" ({_TIME_HINT})"))
            ),
        ),
        (
            "waterbody",
            pl.when(waterbody.is_null()).then(
                pl.concat_str(
                    pl.lit("unknown water-body type "),
                    _quoted(pl.col("waterbody").fill_null("")),
                    pl.lit(" (expected river or lake)"),
                )
            ),
        ),
    ]
    for code in present:
        value, error = _numeric(code, factor)
        values.append(value)
        checks.append((code, error))
    if "target_class" in frame.columns:
        target_text = pl.col("target_class").str.strip_chars()
        target = parse_class_label(target_text)
        values.append(target.alias("target_class"))
        checks.append(
            (
                "target_class",
                pl.when(~_blank(target_text) & target.is_null()).then(
                    pl.concat_str(
                        pl.lit("unknown water class "),
                        _quoted(target_text),
                        pl.lit(" (expected I-V, Ⅰ-Ⅴ or 劣V)"),
                    )
                ),
            )
        )
    if "dry" in frame.columns:
        dry_text = pl.col("dry").str.strip_chars().str.to_lowercase()
        dry = (
            pl.when(dry_text.is_in(_TRUE))
            .then(True)
            .when(dry_text.is_in(_FALSE) | _blank(dry_text))
            .then(False)
        )
        measured = pl.any_horizontal([~_blank(pl.col(code).str.strip_chars()) for code in present])
        values.append(dry.fill_null(False).alias("dry"))
        checks.append(
            (
                "dry",
                pl.when(dry.is_null())
                .then(pl.concat_str(pl.lit("dry must be 0 or 1, not "), _quoted(pl.col("dry"))))
                .when(dry & measured)
                .then(pl.lit("a dry row (no water) must not carry measurements")),
            )
        )

    errors = _collect_errors(frame, checks, file=file)
    typed = frame.select(values)
    errors = pl.concat([errors, _section_consistency(typed, file=file, errors=errors)])
    if errors.height:
        order = {name: index for index, name in enumerate(KNOWN_COLUMNS)}
        errors = (
            errors.with_columns(pl.col("field").replace_strict(order, default=len(order)).alias("_order"))
            .sort("line", "_order")
            .drop("_order")
        )
        return ParsedSamples(typed.clear(), errors, ignored)
    return ParsedSamples(typed, errors, ignored)


def _collect_errors(frame: pl.DataFrame, checks: list[tuple[str, pl.Expr]], *, file: str) -> pl.DataFrame:
    messages = frame.select(
        pl.col("source_line"), *(check.alias(f"error:{field}") for field, check in checks)
    ).filter(pl.any_horizontal(pl.col(f"error:{field}").is_not_null() for field, _ in checks))
    parts = [
        messages.select(
            pl.lit(file).alias("file"),
            pl.col("source_line").alias("line"),
            pl.lit(field).alias("field"),
            pl.col(f"error:{field}").alias("message"),
        ).filter(pl.col("message").is_not_null())
        for field, _ in checks
    ]
    return pl.concat(parts).cast(ERROR_SCHEMA) if parts else _errors_frame([])


def _section_consistency(typed: pl.DataFrame, *, file: str, errors: pl.DataFrame) -> pl.DataFrame:
    """Rows whose waterbody or target class differs from the first one given for the same section."""
    parts: list[pl.DataFrame] = []
    for field in ("waterbody", "target_class"):
        if field not in typed.columns:
            continue
        column = pl.col(field)
        first = column.drop_nulls().first().over("monitoring_section")
        first_line = pl.col("source_line").filter(column.is_not_null()).first().over("monitoring_section")
        parts.append(
            typed.filter(column.is_not_null())
            .with_columns(first.alias("_first"), first_line.alias("_first_line"))
            .filter(column != pl.col("_first"))
            .select(
                pl.lit(file).alias("file"),
                pl.col("source_line").alias("line"),
                pl.lit(field).alias("field"),
                pl.concat_str(
                    pl.lit(f"{field} "),
                    _quoted(column.cast(pl.String)),
                    pl.lit(" differs from "),
                    _quoted(pl.col("_first").cast(pl.String)),
                    pl.lit(" given for section "),
                    _quoted(pl.col("monitoring_section")),
                    pl.lit(" on line "),
                    pl.col("_first_line").cast(pl.String),
                ).alias("message"),
            )
        )
    return pl.concat(parts).cast(ERROR_SCHEMA) if parts else _errors_frame([])


def validate_samples(raw: pl.DataFrame, *, file: str, lines: pl.Series | None = None) -> pl.DataFrame:
    """Per-row errors of a raw frame (``ERROR_SCHEMA``); empty when the whole frame is acceptable."""
    return parse_samples(raw, file=file, lines=lines).errors


class UnreadableFile(ValueError):
    """The file cannot be read as UTF-8 CSV at all (message names the file)."""


def read_samples_csv(source: str | Path | bytes, *, file: str) -> tuple[pl.DataFrame, pl.Series]:
    """Read a water CSV as text columns and the file line of each row.

    ``source`` is a path or the file's bytes (UTF-8, optional BOM). Line numbers count the header as line 1
    and follow quoted fields that span several lines.
    """
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        data.decode("utf-8")
        raw = pl.read_csv(io.BytesIO(data), infer_schema=False)
    except OSError as error:
        raise UnreadableFile(f"{file}: cannot open: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        message = f"{file}: not UTF-8 text (byte {error.start}); save the file as UTF-8 CSV"
        raise UnreadableFile(message) from error
    except (pl.exceptions.PolarsError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnreadableFile(f"{file}: not a readable CSV file: {first_line}") from error
    # Each row takes one line plus the line breaks inside its quoted fields.
    breaks = (
        pl.sum_horizontal(pl.col(name).str.count_matches("\n").fill_null(0) for name in raw.columns)
        if raw.width
        else pl.lit(0)
    )
    row_line = pl.lit(2, pl.Int64) + pl.int_range(pl.len(), dtype=pl.Int64)
    lines = raw.select(row_line + breaks.cum_sum() - breaks)
    return raw, lines.to_series().alias("line")
