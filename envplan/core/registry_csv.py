"""Registries kept as CSV files (air stations, water monitoring sections): the cleaning both share and the one
all-or-nothing import loop that names the file, line and field of the first bad row.

Each app keeps its own fields, rules and audit actions; this module only holds what is the same for them.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction

Entry = TypeVar("Entry")
COORDINATES = (("latitude", 90), ("longitude", 180))
# Six decimals of a degree: about 0.1 m, finer than any station or section is placed.
DEGREE = Decimal("0.000001")


def clean_text(cleaned: dict[str, Any], keys: Sequence[str]) -> None:
    """Strip the text fields given (None becomes empty)."""
    for key in keys:
        if key in cleaned:
            cleaned[key] = str(cleaned[key] or "").strip()


def clean_choice(
    cleaned: dict[str, Any], key: str, choices: Sequence[str], *, default: str, error: type[ValueError]
) -> None:
    """A code among `choices` (any case; `default` when left empty)."""
    if key not in cleaned:
        return
    cleaned[key] = str(cleaned[key] or default).lower()
    if cleaned[key] not in choices:
        raise error(f"{key}: '{cleaned[key]}' is not one of {', '.join(choices)}")


def require_filled(cleaned: dict[str, Any], keys: Sequence[str], error: type[ValueError]) -> None:
    """Refuse a required field given empty (one not given at all is left to the caller)."""
    for key in keys:
        if key in cleaned and not cleaned[key]:
            raise error(f"{key}: missing")


def clean_coordinates(cleaned: dict[str, Any], error: type[ValueError]) -> None:
    """Latitude and longitude as decimals of a degree within their bounds, or None when left empty."""
    for key, bound in COORDINATES:
        if key not in cleaned:
            continue
        raw = cleaned[key]
        if raw in (None, ""):
            cleaned[key] = None
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise error(f"{key}: not a number: '{raw}'") from None
        if not value.is_finite() or not -bound <= value <= bound:
            raise error(f"{key}: {raw} is outside -{bound}..{bound}")
        cleaned[key] = value.quantize(DEGREE)


def import_registry(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str],
    save_row: Callable[[dict[str, str]], Entry],
    error: type[ValueError],
) -> list[Entry]:
    """Save each row of a CSV registry with `save_row` (create or update by its key), in one transaction:
    the first row refused with `error` stops the import, nothing of it is kept, and the message names the
    file and line before the field the service named."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{name}: cannot read: {problem}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise error(f"{name}, line 1: missing column(s) {', '.join(missing)}")
    saved: list[Entry] = []
    with transaction.atomic():
        for row in reader:
            try:
                saved.append(save_row(row))
            except error as problem:
                raise error(f"{name}, line {reader.line_num}: {problem}") from None
    return saved
