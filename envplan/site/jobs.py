"""The worker's heartbeat, registered as one of its jobs (`envplan worker` runs it every half minute).

The worker runs its jobs one after another, so a beat older than a long job's run means the worker is
busy or stuck: the health page reports its age and calls it stale past `envplan.site.health.WORKER_STALE`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone

from envplan.core.worker import register
from envplan.site.services import record_heartbeat

HEARTBEAT_EVERY = dt.timedelta(seconds=30)
_STARTED = timezone.now()


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_job(today: dt.date) -> str:
    beat = record_heartbeat(part="worker", name=process_name(), started_at=_STARTED, now=timezone.now())
    return f"alive at {timezone.localtime(beat.beat_at):%H:%M:%S}"


register("heartbeat", heartbeat_job, every=HEARTBEAT_EVERY)
