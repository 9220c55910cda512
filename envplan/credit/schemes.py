"""The schemes a round may use: those bundled with envplan, and a district's own files in
<data dir>/credit-schemes/ (a province's scheme is a file, not code; see envplan.standards.credit.FORMAT)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from envplan.standards.credit import BUNDLED, Scheme, load_schemes


def district_folder() -> Path:
    return Path(settings.DATA_DIR) / "credit-schemes"


def available() -> dict[str, Scheme]:
    """Bundled and district schemes by id; a bad district file raises SchemeError naming file and key."""
    return load_schemes([BUNDLED, district_folder()])
