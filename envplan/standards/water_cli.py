"""``envplan water …``: classify water samples and assess monitoring sections from a CSV file.

Sub-commands (declared in ``envplan/commands/water.py``):

``classify FILE``
    Input CSV: ``section, time, waterbody`` (``river`` or ``lake``), then any of the item columns
    ``ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f, se, as, hg, cd, cr6, pb, cn, phenol, petroleum,
    las, sulfide, fecal_coliform`` (mg/L; fecal coliforms per litre; empty = not measured; ``<0.01`` or
    ``0.01L`` = below a detection limit). Output CSV on stdout, one row per input row:
    ``section, time, class, main_pollutants, exceedance`` where class is ``I``…``V`` or ``劣V``, main
    pollutants are item codes joined by ``;`` and exceedance is ``code:multiple`` pairs (multiple over the
    class-III limit, 2 decimals, Table 1 order) joined by ``;``.

``assess FILE --period YYYY[-MM|-Qn]``
    Input as above plus optional ``target_class`` (``III``, ``Ⅲ``, ``Ⅲ类``…) and ``dry`` (1 when the section
    had no water). Rows outside the period are ignored. Output JSON on stdout::

        {"period": "2024",
         "sections": [{"section", "class", "target_class", "meets_target", "dry", "main_pollutants"}],
         "share_iii_or_better": {"official": <percent, dry excluded>, "dry_counts_as_compliant": <percent>},
         "status": <"优" | "良好" | "轻度污染" | "中度污染" | "重度污染" | null>,
         "status_detail": {"method": "class_share" | "mean", "status_en", "sections_evaluated", "class"}}

    Shares are rounded to one decimal; null when nothing was evaluated.

Options of both: ``--below-detection half|limit|zero`` (default half the detection limit) and
``--max-errors N`` (errors printed, default 1,000; one more line counts the others). ``assess`` also
takes ``--min-sections N`` (default 5) and ``--heavy-share-below P`` (default 60), see ``WaterRules``.
``FILE`` ``-`` reads standard input.

Bad input: a file with any bad row is rejected whole. Each error is printed to stderr as
``FILE:LINE: FIELD: message``, the exit code is 2 and nothing is written to stdout, so nothing from a
rejected file can be stored. Unknown columns are ignored with one warning on stderr naming them.
"""

from __future__ import annotations

import argparse
import io
import json
import re
from datetime import date
from typing import Any, TextIO

import polars as pl

from envplan.commandline import EXIT_OK, EXIT_USAGE, Streams, UsageError, progress_bar
from envplan.problems import ProblemList
from envplan.standards.water import (
    ParsedSamples,
    UnreadableFile,
    WaterRules,
    classify_samples,
    exceedance_text,
    parse_samples,
    read_samples_csv,
)
from envplan.standards.water.periods import Every

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])))?$")


def _parse_period(text: str) -> tuple[Every, date, str]:
    match = _PERIOD.match(text.strip())
    if match is None:
        raise UsageError(f"envplan water assess: error: --period {text!r}: expected YYYY, YYYY-MM or YYYY-Qn")
    year, month, quarter = match.groups()
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise UsageError(f"envplan water assess: error: --period {text!r}: month must be 01-12")
        return "month", date(int(year), int(month), 1), text.strip()
    if quarter is not None:
        return "quarter", date(int(year), 3 * int(quarter) - 2, 1), text.strip().upper()
    return "year", date(int(year), 1, 1), text.strip()


def _load(args: argparse.Namespace, rules: WaterRules, stdin: TextIO, stderr: TextIO) -> ParsedSamples | None:
    name = "<stdin>" if args.file == "-" else str(args.file)
    source: str | bytes = stdin.read().encode("utf-8") if args.file == "-" else str(args.file)
    try:
        raw, lines = read_samples_csv(source, file=name)
    except UnreadableFile as error:
        stderr.write(f"{error}\n")
        return None
    parsed = parse_samples(raw, file=name, rules=rules, lines=lines)
    if parsed.ignored_columns:
        stderr.write(f"warning: {name}: ignoring unknown column(s): {', '.join(parsed.ignored_columns)}\n")
    if not parsed.ok:
        errors = parsed.errors
        limit = max(args.max_errors, 0)
        problems = ProblemList.first(
            errors.head(limit).iter_rows(named=True), total=errors.height, limit=limit
        )
        for line in problems.lines(_error_line, "error", "errors"):
            stderr.write(f"{line}\n")
        rows = errors.get_column("line").n_unique()
        stderr.write(f"{name}: rejected ({errors.height} error(s) on {rows} line(s)); nothing was output\n")
        return None
    return parsed


def _error_line(row: dict[str, Any]) -> str:
    return f"{row['file']}:{row['line']}: {row['field']}: {row['message']}"


def _empty_as_null(text: pl.Expr) -> pl.Expr:
    """Write an empty list as an empty field rather than a quoted empty string."""
    return pl.when(text != "").then(text)


def _classify(parsed: ParsedSamples, stdout: TextIO) -> int:
    result = classify_samples(parsed.samples)
    # The time is echoed as written in the file (the typed time would turn "2024-05" into a date-time).
    out = result.select(
        pl.col("monitoring_section").alias("section"),
        pl.col("time_text").alias("time"),
        pl.col("class").cast(pl.String),
        _empty_as_null(pl.col("main_pollutants").list.join(";")),
    ).with_columns(exceedance_text(result))
    stdout.write(out.write_csv())
    return EXIT_OK


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _assess(
    parsed: ParsedSamples, args: argparse.Namespace, rules: WaterRules, stdout: TextIO, stderr: TextIO
) -> int:
    every, start, label = _parse_period(args.period)
    truncate = {"month": "1mo", "quarter": "1q", "year": "1y"}[every]
    in_period = parsed.samples.filter(pl.col("time").dt.truncate(truncate).cast(pl.Date) == start)
    if in_period.height == 0:
        stderr.write(f"warning: no samples in period {label}\n")
    from envplan.engines import EngineError, get_engine  # the engines' imports only where they are used

    try:
        engine = get_engine(args.engine, master=args.spark_master)
    except EngineError as error:
        stderr.write(f"envplan water assess: error: {error}\n")
        return EXIT_USAGE
    try:
        result = engine.water_assess(in_period, every=every, rules=rules)
    finally:
        engine.stop()
    sections = [
        {
            "section": row["monitoring_section"],
            "class": row["class"],
            "target_class": row.get("target_class"),
            "meets_target": row["meets_target"],
            "dry": bool(row["dry"]),
            "main_pollutants": row["main_pollutants"],
        }
        for row in result.sections.with_columns(pl.col("class").cast(pl.String))
        .with_columns(pl.col("^target_class$").cast(pl.String))
        .iter_rows(named=True)
    ]
    status = result.status
    document = {
        "period": label,
        "sections": sections,
        "share_iii_or_better": {
            "official": _share(result.shares.official),
            "dry_counts_as_compliant": _share(result.shares.dry_counts_as_compliant),
        },
        "status": status.status if status else None,
        "status_detail": (
            {
                "method": status.method,
                "status_en": status.status_en,
                "sections_evaluated": status.sections_evaluated,
                "class": status.water_class,
            }
            if status
            else None
        ),
    }
    stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _rules(args: argparse.Namespace) -> WaterRules:
    try:
        return WaterRules(
            below_detection_limit=args.below_detection,
            min_sections_for_class_share=getattr(args, "min_sections", 5),
            heavy_share_below=getattr(args, "heavy_share_below", 60.0),
        )
    except ValueError as error:
        raise UsageError(f"envplan water: error: {error}") from None


def classify_command(args: argparse.Namespace, streams: Streams) -> int:
    """``envplan water classify``; 2 for unusable input. On a terminal, a progress bar (read, classify,
    write); the file's problems and warnings are printed once it is gone."""
    rules = _rules(args)
    messages = io.StringIO()
    code = EXIT_USAGE
    with progress_bar(streams, "water classify", unit="step") as progress:
        progress(0, 3, "read")
        parsed = _load(args, rules, streams.stdin, messages)
        if parsed is not None:
            progress(1, 3, "classify")
            code = _classify(parsed, streams.stdout)
            progress(3, 3)
    streams.stderr.write(messages.getvalue())
    return code


def assess_command(args: argparse.Namespace, streams: Streams) -> int:
    """``envplan water assess``; 2 for unusable input."""
    rules = _rules(args)
    _parse_period(args.period)
    parsed = _load(args, rules, streams.stdin, streams.stderr)
    if parsed is None:
        return EXIT_USAGE
    return _assess(parsed, args, rules, streams.stdout, streams.stderr)
