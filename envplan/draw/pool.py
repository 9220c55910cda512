"""Reading the pool (and the inspector roster) from CSV files, with errors naming file, line and field.

The pool is read as the method document reads it: Python's ``csv`` module over UTF-8 (a leading byte-order
mark is skipped), a header line naming the columns exactly, blank lines skipped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from envplan.draw.method import DrawError, Pool, check_name
from envplan.draw.teams import Inspector, inspector_roster
from envplan.standards.textfiles import read_text


def _rows(source: str | Path | bytes, label: str, needed: list[str]) -> list[tuple[int, dict[str, str]]]:
    text = read_text(source, label=label, error=DrawError)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    for column in needed:
        if column not in header:
            found = ", ".join(repr(name) for name in header) or "nothing"
            raise DrawError(f"{label}:1: header: no {column!r} column (found {found})")
    rows = []
    for row in reader:
        if None in row:
            raise DrawError(f"{label}:{reader.line_num}: more fields than the header names")
        rows.append((reader.line_num, {key: value or "" for key, value in row.items()}))
    return rows


def read_pool_csv(source: str | Path | bytes, *, strata: str | None = None, name: str | None = None) -> Pool:
    """The pool in a CSV file with an ``id`` column (and the ``strata`` column when given)."""
    label = name or ("<stdin>" if isinstance(source, bytes) else str(source))
    first_line: dict[str, int] = {}
    entries = []
    for line, row in _rows(source, label, ["id", strata] if strata else ["id"]):
        where = f"{label}:{line}"
        try:
            identifier = check_name(row["id"], "id")
            stratum = check_name(row[strata], strata) if strata else ""
        except DrawError as error:
            raise DrawError(f"{where}: {error}") from None
        if identifier in first_line:
            raise DrawError(f"{where}: id: {identifier!r} already on line {first_line[identifier]}")
        first_line[identifier] = line
        entries.append((identifier, stratum))
    if not entries:
        raise DrawError(f"{label}: the pool is empty (no ids after the header)")
    return Pool.of(entries, strata)


def _list(cell: str) -> frozenset[str]:
    return frozenset(part for part in (item.strip() for item in cell.split(";")) if part)


def read_roster_csv(source: str | Path | bytes, *, name: str | None = None) -> tuple[Inspector, ...]:
    """Inspectors from a CSV file: ``id`` and optional ``qualifications``, ``recused_from`` and
    ``recently_inspected`` columns, each a list separated by ``;``."""
    label = name or ("<stdin>" if isinstance(source, bytes) else str(source))
    first_line: dict[str, int] = {}
    inspectors = []
    for line, row in _rows(source, label, ["id"]):
        where = f"{label}:{line}"
        try:
            identifier = check_name(row["id"], "id")
            inspector = Inspector(
                identifier,
                _list(row.get("qualifications", "")),
                _list(row.get("recused_from", "")),
                _list(row.get("recently_inspected", "")),
            )
            inspector_roster([inspector])
        except DrawError as error:
            raise DrawError(f"{where}: {error}") from None
        if identifier in first_line:
            raise DrawError(f"{where}: id: {identifier!r} already on line {first_line[identifier]}")
        first_line[identifier] = line
        inspectors.append(inspector)
    if not inspectors:
        raise DrawError(f"{label}: no inspectors after the header")
    return inspector_roster(inspectors)
