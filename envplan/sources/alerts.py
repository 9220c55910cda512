"""Alerts on silence: what an operator must hear of before a target goes red weeks later.

The worker's `sources-alerts` job (`check_alerts`, every ALERT_EVERY) looks for
- a device that stopped sending: an active device whose last frame is older than its own
  `silence_minutes`, else ENVPLAN_SILENCE_MINUTES;
- a landing backlog that grows: the closed landing files waiting for ingest weigh more than
  ENVPLAN_BACKLOG_ALERT_MB (ingest stopped, or cannot keep up);
- a job that failed: a scheduled job of this worker whose last run failed, or a queued job that stopped on
  an unexpected error in the last day.

Each finding opens one SourceAlert (audited `sources.alert_raised`), shown on the sources page, and
notifies the unit responsible for online monitoring: the district office and the ecology bureau's
officers (in the app and by e-mail, after commit). While it lasts nothing more is sent: one open alert
per key, one notification per alert. When it is over, the alert is closed (audited `sources.alert_cleared`),
and a new silence is a new alert.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from envplan.accounts.models import BUREAU_OFFICERS_GROUP, SUPERVISORS_GROUP
from envplan.core import clock
from envplan.core.models import Job, JobState
from envplan.core.services import record_audit
from envplan.core.worker import failing_jobs
from envplan.lake.landing import backlog
from envplan.progress.notifications import notify
from envplan.sources.models import Device, SourceAlert
from envplan.sources.services import landing_dir

ALERT_EVERY = dt.timedelta(minutes=5)
# A queued job that crashed is an alert for this long after it stopped.
FAILED_JOB_WINDOW = dt.timedelta(days=1)
MB = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    details: dict[str, Any]
    device: Device | None = None


@dataclass
class AlertCheck:
    raised: list[SourceAlert] = field(default_factory=list)
    cleared: list[SourceAlert] = field(default_factory=list)
    still_open: int = 0

    def __str__(self) -> str:
        return f"{len(self.raised)} alerts raised, {len(self.cleared)} cleared, {self.still_open} still open"


def silence_threshold(device: Device) -> dt.timedelta:
    return dt.timedelta(minutes=device.silence_minutes or settings.ENVPLAN_SILENCE_MINUTES)


def silent_devices(now: dt.datetime) -> list[Finding]:
    found = []
    devices = Device.objects.filter(active=True, last_seen_at__isnull=False).select_related(
        "outlet__enterprise"
    )
    for device in devices:
        assert device.last_seen_at is not None
        silent = now - device.last_seen_at
        threshold = silence_threshold(device)
        if silent > threshold:
            details = {
                "mn": device.mn,
                "enterprise": device.outlet.enterprise.name,
                "last_seen": device.last_seen_at.isoformat(),
                "minutes": int(threshold.total_seconds() // 60),
            }
            found.append(Finding(SourceAlert.Kind.SILENT_DEVICE, f"device:{device.mn}", details, device))
    return found


def growing_backlog() -> list[Finding]:
    folder = landing_dir()
    if not folder.is_dir():
        return []
    files, size = backlog(folder)
    limit = settings.ENVPLAN_BACKLOG_ALERT_MB
    if size <= limit * MB:
        return []
    details = {"files": files, "mb": round(size / MB), "limit_mb": limit}
    return [Finding(SourceAlert.Kind.BACKLOG, "backlog", details)]


def failed_jobs(now: dt.datetime) -> list[Finding]:
    found = [
        Finding(SourceAlert.Kind.JOB_FAILED, f"job:{name}", {"job": name, "error": error[:300]})
        for name, error in sorted(failing_jobs().items())
    ]
    crashed = Job.objects.filter(
        state=JobState.FAILED, finished_at__gte=now - FAILED_JOB_WINDOW, result__crashed=True
    ).order_by("pk")
    for job in crashed:
        details = {"job": f"{job.kind} #{job.pk}", "error": job.message[:300], "job_id": job.pk}
        found.append(Finding(SourceAlert.Kind.JOB_FAILED, f"queued-job:{job.pk}", details))
    return found


def alert_text(alert: SourceAlert) -> str:
    """The alert's message, in the reader's language."""
    details: dict[str, Any] = dict(alert.details)
    if alert.kind == SourceAlert.Kind.SILENT_DEVICE:
        last_seen = timezone.localtime(dt.datetime.fromisoformat(details["last_seen"]))
        return _(
            "Data logger %(mn)s (%(enterprise)s) has sent nothing for over %(minutes)d minutes; "
            "its last frame came at %(last_seen)s."
        ) % {**details, "last_seen": f"{last_seen:%Y-%m-%d %H:%M}"}
    if alert.kind == SourceAlert.Kind.BACKLOG:
        text = _(
            "%(mb)d MB of received frames (%(files)d landing files) wait for ingest, over the alert "
            "threshold of %(limit_mb)d MB: is the worker running?"
        )
        return text % details
    text = _("The job %(job)s failed: %(error)s")
    return text % details


def responsible_people() -> list[User]:
    """The unit responsible for online monitoring: the district office and the bureau's officers."""
    return list(
        User.objects.filter(
            Q(groups__name__in=[SUPERVISORS_GROUP, BUREAU_OFFICERS_GROUP]) | Q(is_superuser=True),
            is_active=True,
        ).distinct()
    )


def send(alert_id: int) -> int:
    """Notify the responsible people of an alert, once (a notification per person and alert)."""
    alert = SourceAlert.objects.get(pk=alert_id)
    link = reverse("sources:devices")
    sent = notify(
        responsible_people(),
        kind=f"alert_{alert.kind}",
        message=alert_text(alert),
        link=link,
        dedup_key=f"source-alert:{alert.pk}",
    )
    SourceAlert.objects.filter(pk=alert.pk).update(notified=alert.notified + sent)
    return sent


def check_alerts(now: dt.datetime | None = None) -> AlertCheck:
    """Open an alert for each new finding (and notify), close those that are over. Running it again
    while nothing changed changes nothing."""
    now = now or clock.now()
    findings = {f.key: f for f in (*silent_devices(now), *growing_backlog(), *failed_jobs(now))}
    result = AlertCheck()
    with transaction.atomic():
        open_alerts = {
            alert.key: alert for alert in SourceAlert.objects.select_for_update().filter(cleared_at=None)
        }
        for key, alert in open_alerts.items():
            if key in findings:
                continue
            alert.cleared_at = now
            alert.save(update_fields=["cleared_at"])
            record_audit(alert, action="sources.alert_cleared", actor=None, after={"key": key})
            result.cleared.append(alert)
        for key, finding in findings.items():
            if key in open_alerts:
                result.still_open += 1
                continue
            alert = SourceAlert.objects.create(
                kind=finding.kind, key=key, device=finding.device, details=finding.details, raised_at=now
            )
            record_audit(
                alert, action="sources.alert_raised", actor=None, after={"key": key, **finding.details}
            )
            result.raised.append(alert)
            transaction.on_commit(functools.partial(send, alert.pk))
    return result


def open_alerts() -> list[tuple[SourceAlert, str]]:
    """The open alerts, newest first, each with its message (for the sources page)."""
    alerts = SourceAlert.objects.filter(cleared_at=None).select_related("device")
    return [(alert, alert_text(alert)) for alert in alerts]
