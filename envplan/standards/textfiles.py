"""Reading the small text files the pure commands take (a forecast, a draw's pool, a scheme or rules
file): UTF-8 with a leading byte-order mark skipped, and one clear message naming the file when it cannot
be read, is not UTF-8 or does not decode; and the first checks of a decoded TOML or JSON document (a table,
its known keys). Each caller passes its own error class (a `ValueError`)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def read_text(source: str | Path | bytes, *, label: str, error: type[Exception]) -> str:
    """The text of a file (a path) or of bytes already read (standard input)."""
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
        return raw.decode("utf-8-sig")
    except OSError as problem:
        raise error(f"{label}: cannot read: {problem.strerror or problem}") from None
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text") from None


def read_document(path: str | Path, *, kind: str, error: type[Exception]) -> Any:
    """The decoded document of a ``.toml`` or ``.json`` file (`kind` names such a file in the messages).
    Any: a TOML or JSON document is whatever the file holds; its caller checks it."""
    label = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise error(f"{label}: a {kind} ends in .toml or .json")
    text = read_text(path, label=label, error=error)
    try:
        return tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as problem:
        raise error(f"{label}: not valid {suffix[1:].upper()}: {problem}") from None


def checked_table(value: object, where: str, *, error: type[Exception]) -> dict[str, Any]:
    """`value` when it is a table (a TOML table, a JSON object). Any: its values are still unchecked."""
    if not isinstance(value, dict):
        raise error(f"{where}: expected a table of keys")
    return value


def only_keys(found: Mapping[str, object], allowed: set[str], where: str, *, error: type[Exception]) -> None:
    """Refuse a table with a key not in `allowed` (a misspelt key would otherwise be ignored silently)."""
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise error(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
