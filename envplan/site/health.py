"""How each part of a deployment stands, for the health page (`/health/parts/`) and `envplan up`.

Parts: the database (a query answers), the worker (its latest heartbeat row is recent), the HJ 212
receivers (the heartbeat file each one rewrites in the landing folder is recent) and the lake (its root can
be listed, and a local root written). Each check catches its own failure and reports it as that part's
state, so one part that is down never hides the others.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from envplan.core.jobs import process_exists

OK, STALE, DOWN, NONE = "ok", "stale", "down", "none"
# Three missed beats (the worker beats every 30 s, between its other jobs; a receiver every 10 s).
WORKER_STALE = dt.timedelta(seconds=120)
RECEIVER_STALE = dt.timedelta(seconds=30)
_HEARTBEAT_FILE = re.compile(r"^(?P<host>[A-Za-z0-9.]+)_(?P<pid>\d+)\.json$")


@dataclass
class Part:
    state: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def failing(self) -> bool:
        return self.state not in (OK, NONE)


def database_part() -> Part:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Part(DOWN, {"error": str(error).strip().splitlines()[0] if str(error).strip() else "error"})
    return Part(OK, {"vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)})


def worker_part(now: dt.datetime) -> Part:
    from envplan.site.models import Heartbeat

    try:
        beats = list(Heartbeat.objects.filter(part="worker").order_by("-beat_at")[:20])
    except DatabaseError:
        return Part(DOWN, {"error": "the database does not answer"})
    if not beats:
        return Part(DOWN, {"error": "no worker has ever beaten"})
    workers = [
        {"name": b.name, "age_seconds": round((now - b.beat_at).total_seconds(), 1), "since": b.started_at}
        for b in beats
    ]
    fresh = [b for b in beats if now - b.beat_at <= WORKER_STALE]
    return Part(OK if fresh else STALE, {"workers": workers})


def landing_folder() -> Path:
    return Path(settings.DATA_DIR) / "landing"


def _alive(host: str, pid: int) -> bool:
    """False only when the file is this machine's and its process is gone (a kill -9 leaves the file)."""
    if host != re.sub(r"[^A-Za-z0-9.]", ".", socket.gethostname()):
        return True
    return process_exists(pid)


def receivers_part(now_epoch: float, folder: Path | None = None) -> Part:
    folder = folder or landing_folder()
    receivers: list[dict[str, Any]] = []
    states: list[str] = []
    for path in sorted((folder / "heartbeats").glob("*.json")):
        match = _HEARTBEAT_FILE.match(path.name)
        if not match:
            continue
        try:
            beat = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # removed or replaced while read: the next look sees it whole
        if not _alive(match["host"], int(match["pid"])):
            continue  # a receiver killed without its clean stop; its successor has its own file
        age = now_epoch - float(beat.get("beat", 0))
        state = OK if age <= RECEIVER_STALE.total_seconds() else STALE
        states.append(state)
        receivers.append(
            {
                "name": path.stem,
                "state": state,
                "listening": f"{beat.get('host')}:{beat.get('port')}",
                "age_seconds": round(age, 1),
                "connections": beat.get("connections"),
                "frames_landed": beat.get("frames_landed"),
            }
        )
    if not states:
        return Part(NONE, {"receivers": []})
    return Part(OK if all(s == OK for s in states) else STALE, {"receivers": receivers})


def lake_part() -> Part:
    from envplan.lake import Lake, LakeError

    try:
        lake = Lake(settings.LAKE_URL)
        if lake.remote:
            kinds = lake.kinds()
            return Part(OK, {"url": settings.LAKE_URL, "kinds": len(kinds)})
        lake.root.mkdir(parents=True, exist_ok=True)
        if not os.access(lake.root, os.W_OK):
            return Part(DOWN, {"url": settings.LAKE_URL, "error": "not writable"})
        return Part(OK, {"url": settings.LAKE_URL, "kinds": len(lake.kinds())})
    except (LakeError, OSError, Exception) as error:  # an object store raises its own error types
        return Part(DOWN, {"url": settings.LAKE_URL, "error": f"{type(error).__name__}: {error}"[:300]})


def all_parts(*, now: dt.datetime, now_epoch: float) -> dict[str, Part]:
    return {
        "database": database_part(),
        "worker": worker_part(now),
        "receivers": receivers_part(now_epoch),
        "lake": lake_part(),
    }
