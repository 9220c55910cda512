"""Static files are collected (and compressed) once, not at every start of the server.

`collectstatic` with WhiteNoise's compressed storage takes from seconds to a minute (Brotli over the API
docs' bundle), so `envplan serve` would keep the port closed that long. A stamp in the static folder
records what was collected: the storage and every source file's path, size and modification time. The
server collects only when the stamp differs (a fresh data folder, an upgrade, a changed stylesheet).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

STAMP_NAME = ".envplan-collected"


def stamp_path() -> Path:
    return Path(settings.STATIC_ROOT) / STAMP_NAME


def static_fingerprint() -> str:
    """What the collected folder would be made from, as one hash."""
    entries: list[str] = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def static_is_current() -> bool:
    try:
        return stamp_path().read_text().strip() == static_fingerprint()
    except OSError:
        return False


def collect_static_if_stale() -> bool:
    """Collect the static files unless the stamp says they are current. Returns whether it collected."""
    if static_is_current():
        return False
    fingerprint = static_fingerprint()
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp_path().write_text(fingerprint + "\n")
    return True
